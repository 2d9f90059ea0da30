"""How a client gets its credential: POST username and password, receive a token.

POST ``{"username", "password"}`` to /api/auth/token/ and send the token back as
``Authorization: Token <key>`` (in the docs UI: Authorize, value ``Token <key>``).
Tokens are never read from the URL. Browsers can also log in at /api-auth/login/.
"""

from django.urls import path
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.settings import api_settings


class ObtainToken(ObtainAuthToken):
    """POST {"username", "password"} -> {"token"}. Public; throttled by the "credentials" scope."""

    authentication_classes = []  # a stale Authorization header must not block getting a new token
    throttle_classes = api_settings.DEFAULT_THROTTLE_CLASSES  # ObtainAuthToken turns them off
    throttle_scope = "credentials"


urlpatterns = [
    path("auth/token/", ObtainToken.as_view(), name="auth-token"),
]
