from django.contrib import admin
from django.urls import include, path

# Under /api/ these answer JSON like the API's own errors (api/errors.py).
handler400 = "api.errors.bad_request"
handler403 = "api.errors.permission_denied"
handler404 = "api.errors.not_found"
handler500 = "api.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    # Log in and out for the browsable API (session).
    path("api-auth/", include("rest_framework.urls")),
{%- if cookiecutter.api_docs == "drf-spectacular" %}
    path("api/", include("api.schema")),
{%- endif %}
]
