"""The project's routes plus one that forgot its policy: the safety nets must catch it."""

from django.urls import include, path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response


@api_view(["GET"])
@permission_classes([AllowAny])
def forgotten(request):
    return Response({"secret": "anyone can read this"})


urlpatterns = [
    path("", include("config.urls")),
    path("api/forgotten/", forgotten, name="forgotten"),
]
