"""What drf-spectacular cannot infer about api/credentials.py (imported by api/schema.py):
the operations' names, and the bodies of the ones that answer 204."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme

from api import credentials
from api.openapi import document


class JWTScheme(SimpleJWTScheme):
    """The security scheme of api.authentication.JWTAuthentication, which is simplejwt's
    (drf-spectacular's extension matches simplejwt's class itself, not subclasses)."""

    target_class = "api.authentication.JWTAuthentication"


document(
    credentials.ObtainTokenPair,
    "authentication",
    post=("login", "Log in: get an access and a refresh token"),
)
document(
    credentials.RefreshTokenPair,
    "authentication",
    post=("refreshToken", "Trade a refresh token for a new access and refresh token"),
)
# The request bodies come from the views' serializers.
document(
    credentials.Logout,
    "authentication",
    post={
        "operation_id": "logout",
        "summary": "Log out: end the tokens of one login",
        "responses": {204: None},
    },
)
