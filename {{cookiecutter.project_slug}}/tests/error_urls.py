"""The project's routes plus a few that fail on purpose, for tests/test_hostile_input.py
and tests/test_error_shape.py."""

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_protect
from rest_framework.decorators import api_view, permission_classes

# Django reads the error handlers from the root URLconf: this one, in these tests.
from config.urls import handler400, handler403, handler404, handler500  # noqa: F401


def broken(request):
    raise RuntimeError("a bug")


@api_view(["GET"])
@permission_classes([])
def database_down(request):
    raise OperationalError("connection to server failed: Connection refused")


@csrf_protect
def form(request):
    return HttpResponse("posted")


def forbidden(request):
    raise PermissionDenied  # a Django view's refusal: DRF's views answer their own


urlpatterns = [
    path("", include("config.urls")),
    path("api/broken/", broken),
    path("broken/", broken),
    path("api/database-down/", database_down),
    path("database-down/", database_down),
    path("api/form/", form),
    path("form/", form),
    path("api/forbidden/", forbidden),
    path("forbidden/", forbidden),
]
