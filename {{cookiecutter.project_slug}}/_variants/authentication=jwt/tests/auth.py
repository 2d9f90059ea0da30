"""How the tests authenticate, for simplejwt's JWTAuthentication."""

from collections.abc import Callable

from django.urls import reverse
from rest_framework.test import APIClient

from api.authentication import RefreshToken
from tests.actors import KEYS_REFUSED

# JWTAuthentication sends WWW-Authenticate, so DRF answers anonymous requests with 401.
ANONYMOUS_STATUS = 401
WWW_AUTHENTICATE = 'Bearer realm="api"'
# The OpenAPI security scheme drf-spectacular derives from the first authentication class.
SECURITY_SCHEME = "jwtAuth"
CREDENTIALS_ROUTE = "auth-token"

# Access-policy rows for the credential endpoints. Obtain, refresh and logout are public
# (the refresh token is the credential), so every actor gets the same answer; the policy
# test's note body lacks their fields, a 400, never a 401/403. So does a password change.
CREDENTIAL_ROWS = {
    ("auth-token", "POST"): {"*": 400},
    ("auth-token-refresh", "POST"): {"*": 400},
    ("auth-logout", "POST"): {"*": 400},
    ("auth-logout-all", "POST"): {"anonymous": 401, **KEYS_REFUSED, "*": 204},
    ("auth-password", "POST"): {"anonymous": 401, **KEYS_REFUSED, "*": 400},
}


def authenticate(client, user):
    """Send an access token for ``user`` in the Authorization header of every request."""
    access = RefreshToken.for_user(user).access_token
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")


def send_an_unknown_credential(client):
    """A bearer token the service never issued: the authentication refuses it (401) before
    any permission class is asked."""
    client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")


def issued(client, response) -> list[str]:
    """The secrets a login's answer gave the client: the access and the refresh token."""
    return [response.json()["access"], response.json()["refresh"]]


def logging_out(user) -> Callable[[], object]:
    """A new login (refresh chain) of ``user``, and the request that ends it: POST
    /api/auth/logout/ with its refresh token."""
    refresh = str(RefreshToken.for_user(user))
    return lambda: APIClient().post(reverse("auth-logout"), {"refresh": refresh}, format="json")
