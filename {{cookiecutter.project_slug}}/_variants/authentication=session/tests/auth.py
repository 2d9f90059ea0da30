"""How the tests authenticate, for SessionAuthentication."""

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from tests.actors import KEYS_REFUSED

# SessionAuthentication sends no WWW-Authenticate, so DRF answers anonymous requests with 403.
ANONYMOUS_STATUS = 403
WWW_AUTHENTICATE = None
# The OpenAPI security scheme drf-spectacular derives from the first authentication class.
SECURITY_SCHEME = "cookieAuth"
CREDENTIALS_ROUTE = "auth-login"

# Access-policy rows for the session endpoints. Login is public (the policy test's note
# body lacks the fields: 400); logging out (here or everywhere) and a password change need
# a session, and the password change needs the passwords (400).
CREDENTIAL_ROWS = {
    ("auth-login", "GET"): {"*": 200},
    ("auth-login", "POST"): {"*": 400},
    ("auth-logout", "POST"): {"anonymous": 403, **KEYS_REFUSED, "*": 204},
    ("auth-logout-all", "POST"): {"anonymous": 403, **KEYS_REFUSED, "*": 204},
    ("auth-password", "POST"): {"anonymous": 403, **KEYS_REFUSED, "*": 400},
}


def authenticate(client, user):
    """Log ``user`` in: the client then sends the session cookie."""
    client.force_login(user)


def send_an_unknown_credential(client):
    """A session cookie the service never issued: no session at all, an anonymous request
    that the permission class refuses."""
    client.cookies[settings.SESSION_COOKIE_NAME] = "0" * 32


def issued(client, response) -> list[str]:
    """The secrets a login's answer gave the client: the session cookie and the CSRF token
    to send with it."""
    return [client.cookies[settings.SESSION_COOKIE_NAME].value, response.json()["csrftoken"]]


def logging_out(user) -> Callable[[], object]:
    """A new session of ``user``, and the request that ends it (POST /api/auth/logout/)."""
    client = APIClient()
    client.force_login(user)
    return lambda: client.post(reverse("auth-logout"))
