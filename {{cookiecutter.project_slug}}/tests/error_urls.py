"""The project's routes plus a few that fail on purpose, for tests/test_hostile_input.py."""

from django.db import OperationalError
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_protect
from rest_framework.decorators import api_view, permission_classes

from config.urls import handler404, handler500  # noqa: F401 -- Django reads them from here


def broken(request):
    raise RuntimeError("a bug")


@api_view(["GET"])
@permission_classes([])
def database_down(request):
    raise OperationalError("connection to server failed: Connection refused")


@csrf_protect
def form(request):
    return HttpResponse("posted")


urlpatterns = [
    path("", include("config.urls")),
    path("api/broken/", broken),
    path("broken/", broken),
    path("api/database-down/", database_down),
    path("database-down/", database_down),
    path("api/form/", form),
    path("form/", form),
]
