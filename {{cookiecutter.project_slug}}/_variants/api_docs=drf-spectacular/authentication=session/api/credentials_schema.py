"""What drf-spectacular cannot infer about api/credentials.py (imported by api/schema.py):
the operations' names, the bodies of the ones that answer 204, and the login's CSRF check
(a decorator on the view, which the schema class cannot see)."""

from drf_spectacular.utils import OpenApiResponse

from api import credentials
from api.openapi import CSRF_SCHEME, ErrorSerializer, document

document(
    credentials.Login,
    "authentication",
    get={
        "operation_id": "getCsrfToken",
        "summary": "Get the CSRF token to log in with",
        "description": (
            "Sets the `csrftoken` cookie and answers the same token: send it back in the "
            "`X-CSRFToken` header when you log in."
        ),
    },
    post={
        "operation_id": "login",
        "summary": "Log in: start a session for a username and password",
        "description": (
            "Starts a session (the `sessionid` cookie) and answers the new CSRF token: "
            "send it in the `X-CSRFToken` header of every later POST, PUT, PATCH and DELETE. "
            "Needs the CSRF token from `getCsrfToken`, as cookie and header."
        ),
        "auth": [{CSRF_SCHEME: []}],
        "responses": {
            200: credentials.SessionLoginSerializer,
            403: OpenApiResponse(
                ErrorSerializer,
                description="The CSRF cookie or the `X-CSRFToken` header is missing or wrong.",
            ),
        },
    },
)
document(
    credentials.Logout,
    "authentication",
    post={
        "operation_id": "logout",
        "summary": "Log out: end this session",
        "request": None,
        "responses": {204: None},
    },
)
