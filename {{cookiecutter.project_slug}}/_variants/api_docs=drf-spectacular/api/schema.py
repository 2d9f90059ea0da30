"""OpenAPI schema and docs UI (drf-spectacular), and what it cannot guess on its own.

Function views have no serializer_class, so their responses are declared here. The schema
class (api/openapi.py) adds each operation's permission classes to its description.

https://drf-spectacular.readthedocs.io/en/latest/customization.html
"""

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import serializers

from api import views
from api.serializers import MeSerializer

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
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]
