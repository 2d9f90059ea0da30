"""The one pagination of the API: cursors over an index, and no cursor a client can craft is a 500.

A cursor is base64 of a query string, ``o=<offset>&r=<reverse>&p=<position>``, that clients
are meant to copy from a ``next`` or ``previous`` link. DRF refuses a cursor that does not
decode, but passes the position on to the query as it came: ``p=notadate`` raised in the
ORM, a time zone 23:59 away in PostgreSQL, and either was a 500. Here the position is
checked first, the way the query will use it, and anything else answers DRF's 404
"Invalid cursor".
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.views import APIView


class BoundedCursorPagination(CursorPagination):
    """Pages of PAGE_SIZE items in the list's order, linked by opaque ``next``/``previous`` cursors.

    A cursor holds a position in the ordering, so a page is found through the list's index
    (api/models.py): no count of the table, no OFFSET through it, and a deep page costs what the
    first one does. Clients follow the links; there is no total and no page number. Clients may
    ask for up to ``max_page_size`` items with ?page_size=. A cursor no link carried (not
    base64, a negative offset, a position that is no value of the ordering field) is a 404
    ``{"detail": "Invalid cursor", "code": "not_found"}``; offsets stop at ``offset_cutoff``
    (1000) items.
    https://www.django-rest-framework.org/api-guide/pagination/#cursorpagination
    """

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 100
    # What the OpenAPI schema says about the two query parameters.
    cursor_query_description = (
        "Where the page starts: the opaque value from the previous response's `next` or "
        "`previous` link. Leave it out for the first page."
    )
    page_size_query_description = f"Items per page, at most {max_page_size}."

    # The path of the list whose response schema is being written: the OpenAPI schema class
    # (api/openapi.py, with drf-spectacular) sets it, so that example links use it.
    schema_path = "/api/notes/"

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The page as the OpenAPI schema shows it: how to walk the list, and example links
        that are links this list really gives (DRF's point at another path)."""
        self.base_url = f"https://api.example.org{self.schema_path}"
        position = "2026-01-31 12:00:00.000000+00:00"
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "description": (
                "One page of the list, newest first. To get every item, request the list, "
                "then GET each page's `next` link as it is, until `next` is null. `previous` "
                "goes back a page (null on the first). Links stay valid while items are "
                "added or deleted; there is no total and no page number."
            ),
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {
                    **link,
                    "description": "The following page, or null on the last.",
                    "example": self.encode_cursor(Cursor(0, False, position)),  # type: ignore[arg-type]
                },
                "previous": {
                    **link,
                    "description": "The page before, or null on the first.",
                    "example": self.encode_cursor(Cursor(0, True, position)),  # type: ignore[arg-type]
                },
                "results": schema,
            },
        }

    def paginate_queryset(
        self,
        queryset: QuerySet[Any, Any] | Sequence[Any],
        request: Request,
        view: APIView | None = None,
    ) -> list[Any] | None:
        # decode_cursor, called from here, checks the position against the list's model. A
        # cursor orders the list in the database: what it pages is always a queryset.
        self.listed = cast("QuerySet[models.Model]", queryset)
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request) -> Cursor | None:
        cursor = super().decode_cursor(request)  # a 404 for what does not decode
        if cursor is None or cursor.position is None:
            return cursor
        position = self.position_for_query(str(cursor.position))
        if position is None:
            raise NotFound(self.invalid_cursor_message)
        # The type stubs say a position is an int; DRF's positions are strings.
        return cursor._replace(position=position)  # type: ignore[arg-type]

    def position_for_query(self, position: str) -> str | None:
        """``position`` as the query will compare the ordering field with it, or None when it
        is no value of that field.

        The field's own conversions, as the ``__lt``/``__gt`` lookup runs them. A time must
        carry its time zone, as in every link (Django would warn and guess), and is moved to
        UTC: Python takes offsets up to 23:59, PostgreSQL only up to 15:59. PostgreSQL stores
        no NUL in text.
        """
        # The list is ordered by a field of its own model, never by a relation.
        name = self.ordering[0].lstrip("-")
        field = cast("models.Field[Any, Any]", self.listed.model._meta.get_field(name))
        if "\x00" in position:
            return None
        try:
            value = field.to_python(position)
            if isinstance(value, datetime):
                if timezone.is_naive(value):
                    return None
                value = value.astimezone(UTC)  # OverflowError past year 9999 in UTC
            field.get_db_prep_value(value, connections[self.listed.db], prepared=False)
        except (ValidationError, ValueError, OverflowError):
            return None
        return str(value)  # as DRF writes a position into a link
