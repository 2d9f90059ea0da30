"""How the tests authenticate, for django-rest-knox's TokenAuthentication."""

from collections.abc import Callable

from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.actors import KEYS, KEYS_REFUSED

# TokenAuthentication sends WWW-Authenticate, so DRF answers anonymous requests with 401.
ANONYMOUS_STATUS = 401
WWW_AUTHENTICATE = "Token"
# The OpenAPI security scheme drf-spectacular derives from the first authentication class.
SECURITY_SCHEME = "knoxApiToken"
CREDENTIALS_ROUTE = "auth-token"

# Access-policy rows for the credential endpoints. Login is public, so every actor gets
# the same answer; the policy test's note body lacks the fields, a 400, never a 401/403.
# Logout ends the token the actor sent; a password change without the passwords is a 400.
# Keys are refused (tests/api_key_policy.py), and logout reads nothing but a token: there a
# key is no credential at all.
KEYS_UNREAD = dict.fromkeys(KEYS, 401)
CREDENTIAL_ROWS = {
    ("auth-token", "POST"): {"*": 400},
    ("auth-logout", "POST"): {"anonymous": 401, **KEYS_UNREAD, "*": 204},
    ("auth-logout-all", "POST"): {"anonymous": 401, **KEYS_REFUSED, "*": 204},
    ("auth-password", "POST"): {"anonymous": 401, **KEYS_REFUSED, "*": 400},
}


def authenticate(client, user):
    """Send a new token of ``user`` in the Authorization header of every request."""
    _, key = AuthToken.objects.create(user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")


def send_an_unknown_credential(client):
    """A token of knox's form that the service never issued: the authentication refuses it
    (401) before any permission class is asked."""
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)


def issued(client, response) -> list[str]:
    """The secrets a login's answer gave the client: the token."""
    return [response.json()["token"]]


def logging_out(user) -> Callable[[], object]:
    """A new token of ``user``, and the request that ends it (POST /api/auth/logout/)."""
    client = APIClient()
    authenticate(client, user)
    return lambda: client.post(reverse("auth-logout"))
