"""Access-policy rows for the OpenAPI schema and its docs pages: public."""

API_DOCS_ROWS = {
    ("schema", "GET"): {"*": 200},
    ("docs", "GET"): {"*": 200},
    ("redoc", "GET"): {"*": 200},
}
