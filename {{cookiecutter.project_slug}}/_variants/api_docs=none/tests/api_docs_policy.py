"""Access-policy rows for the API docs: none, this project was baked without them."""

API_DOCS_ROWS: dict[tuple[str, str], dict[str, int]] = {}
