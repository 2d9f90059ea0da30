from rest_framework.pagination import CursorPagination


class BoundedCursorPagination(CursorPagination):
    """Pages of PAGE_SIZE items in the list's order, linked by opaque ``next``/``previous`` cursors.

    A cursor holds a position in the ordering, so a page is found through the list's index
    (api/models.py): no count of the table, no OFFSET through it, and a deep page costs what the
    first one does. Clients follow the links; there is no total and no page number. Clients may
    ask for up to ``max_page_size`` items with ?page_size=.
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
