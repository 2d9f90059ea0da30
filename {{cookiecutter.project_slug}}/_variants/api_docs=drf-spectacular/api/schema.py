"""OpenAPI schema and docs UIs (drf-spectacular), and what it cannot guess on its own.

Swagger UI (/api/docs/) and Redoc (/api/redoc/) load from the project's static files
(drf-spectacular-sidecar), so they work with no network, and their Content-Security-Policy
keeps them on this origin.

Function views have no serializer_class, so their responses are declared here. The schema
class (api/openapi.py) adds each operation's permission classes to its description.

https://drf-spectacular.readthedocs.io/en/latest/customization.html
"""

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)
from rest_framework import serializers

from api import views
from api.serializers import MeSerializer

# Scripts and styles are inline in drf-spectacular's pages; everything else is ours. The
# browser refuses what would leave this origin (Redoc's sidebar shows a logo from its CDN).
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; worker-src 'self' blob:; "
    "script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'"
)


class OwnOriginOnly:
    """Mixin for the docs views: send DOCS_CONTENT_SECURITY_POLICY with the page."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response.headers["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
        return response


class SwaggerView(OwnOriginOnly, SpectacularSwaggerView):
    """Swagger UI: try the API from the browser."""


class RedocView(OwnOriginOnly, SpectacularRedocView):
    """Redoc: the reference, without drf-spectacular's Google Fonts links."""

    template_name = "api/redoc.html"


extend_schema(
    responses=inline_serializer("Health", {"status": serializers.CharField()}),
    description="200 when the database answers, 503 when it does not.",
)(views.health)
extend_schema(responses=MeSerializer)(views.me)
extend_schema(
    responses=inline_serializer("VipWelcome", {"detail": serializers.CharField()}),
)(views.vip)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="schema"), name="docs"),
    path("redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
]
