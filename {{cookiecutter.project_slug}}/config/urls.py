from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    # Log in and out for the browsable API (session).
    path("api-auth/", include("rest_framework.urls")),
{%- if cookiecutter.api_docs == "drf-spectacular" %}
    path("api/", include("api.schema")),
{%- endif %}
]
