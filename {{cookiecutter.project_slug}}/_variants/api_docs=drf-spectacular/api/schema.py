"""OpenAPI schema and docs UIs (drf-spectacular), and what it cannot guess on its own.

Swagger UI (/api/docs/) and Redoc (/api/redoc/) load from the project's static files
(drf-spectacular-sidecar), so they work with no network under the site's
Content-Security-Policy (settings/base.py): no script from elsewhere, none inline.

Here each operation gets its name (operationId: what generated clients call their
functions), a one-line summary and a tag; function views, which have no serializer_class,
get their responses. The schema class (api/openapi.py) derives the rest from the views:
error responses, security, the permission classes in each description.

https://drf-spectacular.readthedocs.io/en/latest/customization.html
"""

from django.urls import path
from drf_spectacular.utils import inline_serializer
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework import serializers

from api import (
    credentials,
    credentials_schema,  # noqa: F401 -- its declarations, made on import
    views,
)
from api.openapi import document
from api.serializers import MeSerializer
from api_keys import schema as api_keys_schema  # noqa: F401 -- declarations on import
{%- if cookiecutter.tenancy == "organizations" %}
from organizations import schema as organizations_schema  # noqa: F401 -- declarations on import
{%- endif %}


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI: try the API from the browser. Its start-up script is served from
    /api/docs/?script rather than inline, so the page needs no 'unsafe-inline' script."""


class RedocView(SpectacularRedocView):
    """Redoc: the reference, without drf-spectacular's Google Fonts links."""

    template_name = "api/redoc.html"


HEALTH = inline_serializer(
    "Health",
    {"status": serializers.ChoiceField(choices=["ok", "unavailable"])},
)

document(
    views.health,
    "service",
    get={
        "operation_id": "getHealth",
        "summary": "Check that the service and its database answer",
        "description": (
            "200 `ok` when the database answers, 503 `unavailable` when it does not. "
            "Each server process answers from its last check for a few seconds. "
            "Needs no credential; one that is sent is ignored."
        ),
        "responses": {200: HEALTH, 503: HEALTH},
    },
)
document(
    views.api_root,
    "service",
    get={
        "operation_id": "getApiRoot",
        "summary": "List the API's main links",
        "description": "Links to the API's main routes, by route name.",
        "responses": {
            200: {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}}
        },
    },
)
document(
    views.me,
    "account",
    get={"operation_id": "getMe", "summary": "Who am I", "responses": MeSerializer},
)
document(
    views.vip,
    "account",
    get={
        "operation_id": "getVip",
        "summary": "A resource for VIP members only",
        "responses": inline_serializer("VipWelcome", {"detail": serializers.CharField()}),
    },
)
# Every authentication option has these two; credentials_schema.py names the option's own.
document(
    credentials.LogoutAll,
    "authentication",
    post={
        "operation_id": "logoutAll",
        "summary": "Log out everywhere: end every credential and browser session",
        "request": None,
        "responses": {204: None},
    },
)
document(
    credentials.PasswordChange,
    "account",
    post={
        "operation_id": "changePassword",
        "summary": "Change your password",
        "responses": {204: None},
    },
)
document(
    views.NoteList,
    "notes",
{%- if cookiecutter.tenancy == "organizations" %}
    get=("listNotes", "List the organization's notes you may see"),
    post=("createNote", "Create a note in the organization"),
{%- else %}
    get=("listNotes", "List the notes you may see"),
    post=("createNote", "Create a note"),
{%- endif %}
)
document(
    views.NoteDetail,
    "notes",
    get=("getNote", "Read a note"),
    put=("replaceNote", "Replace a note"),
    patch=("updateNote", "Change some fields of a note"),
    delete=("deleteNote", "Delete a note"),
)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="schema"), name="docs"),
    path("redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
]
