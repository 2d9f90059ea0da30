"""OpenAPI schema and docs UIs (drf-spectacular), and what it cannot guess on its own.

Swagger UI (/api/docs/) and Redoc (/api/redoc/) load from the project's static files
(drf-spectacular-sidecar), so they work with no network under the site's
Content-Security-Policy (settings/base.py): no script from elsewhere, none inline.

Function views have no serializer_class, so their responses are declared here. The schema
class (api/openapi.py) adds each operation's permission classes to its description.

https://drf-spectacular.readthedocs.io/en/latest/customization.html
"""

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework import serializers

from api import credentials_schema, views  # noqa: F401 -- credentials_schema: declarations
from api.serializers import MeSerializer


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI: try the API from the browser. Its start-up script is served from
    /api/docs/?script rather than inline, so the page needs no 'unsafe-inline' script."""


class RedocView(SpectacularRedocView):
    """Redoc: the reference, without drf-spectacular's Google Fonts links."""

    template_name = "api/redoc.html"


extend_schema(
    responses=inline_serializer("Health", {"status": serializers.CharField()}),
    description="200 when the database answers, 503 when it does not.",
)(views.health)
extend_schema(
    responses={
        200: {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}}
    },
    description="Links to the main routes, by route name.",
)(views.api_root)
extend_schema(responses=MeSerializer)(views.me)
extend_schema(
    responses=inline_serializer("VipWelcome", {"detail": serializers.CharField()}),
)(views.vip)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="schema"), name="docs"),
    path("redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
]
