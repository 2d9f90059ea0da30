from django.urls import include, path

from api import credentials, views

urlpatterns = [
    path("", views.api_root, name="api-root"),
    path("health/", views.health, name="health"),
    path("me/", views.me, name="me"),
    path("vip/", views.vip, name="vip"),
{%- if cookiecutter.tenancy == "organizations" %}
    path("", include("organizations.urls")),  # notes live in organizations: /api/orgs/<slug>/notes/
{%- else %}
    path("notes/", views.NoteList.as_view(), name="note-list"),
    path("notes/<int:pk>/", views.NoteDetail.as_view(), name="note-detail"),
{%- endif %}
{%- if cookiecutter.tenancy == "none" %}
    path("keys/", include("api_keys.urls")),
{%- endif %}
    path("", include(credentials.urlpatterns)),
]
