"""What drf-spectacular cannot infer about api/credentials.py (imported by api/schema.py):
the operations' names, and the bodies of the ones that answer 204."""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme as KnoxScheme
from drf_spectacular.utils import OpenApiResponse

from api import credentials
from api.openapi import ErrorSerializer, document


class KnoxTokenScheme(KnoxScheme):
    """The security scheme of api.authentication.TokenAuthentication, which is knox's
    (drf-spectacular's extension matches knox's class itself, not subclasses)."""

    target_class = "api.authentication.TokenAuthentication"


document(
    credentials.Login,
    "authentication",
    post={
        "operation_id": "login",
        "summary": "Log in: get a token for a username and password",
        "responses": {
            200: credentials.TokenLoginSerializer,
            # The view has no authentication class, so DRF answers its refusal with 403.
            403: OpenApiResponse(
                ErrorSerializer,
                description="The account's credentials were revoked while logging in "
                "(a password change, a logout everywhere): log in again.",
            ),
        },
    },
)
document(
    credentials.Logout,
    "authentication",
    post={
        "operation_id": "logout",
        "summary": "Log out: end the token of this request",
        "request": None,
        "responses": {204: None},
    },
)
