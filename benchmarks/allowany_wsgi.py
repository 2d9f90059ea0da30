"""The baked project's WSGI application with the note views opened to everyone: the baseline.

benchmarks/load.py serves this beside the project as baked; the only difference between the
two is the permission classes of the note views (authentication, queries and serializers
stay the same), so the throughput ratio is what the permission checks cost.
"""
# ruff: noqa: I001 -- config.wsgi sets Django up; the views can be imported only after it.

from config.wsgi import application
from api import views
from rest_framework.permissions import AllowAny

views.NoteList.permission_classes = [AllowAny]
views.NoteDetail.permission_classes = [AllowAny]

__all__ = ["application"]
