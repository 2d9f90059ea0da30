"""How a client gets its credential: POST username and password, receive a JWT pair.

POST ``{"username", "password"}`` to /api/auth/token/ and send the access token back as
``Authorization: Bearer <access>`` (in the docs UI: Authorize, paste the access token);
refresh it at /api/auth/token/refresh/. Tokens are never read from the URL. Browsers
can also log in at /api-auth/login/.
"""

from django.urls import path
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView


class ObtainTokenPair(TokenObtainPairView):
    """POST {"username", "password"} -> {"access", "refresh"}. Public; "credentials" throttle."""

    throttle_scope = "credentials"


class RefreshToken(TokenRefreshView):
    """POST {"refresh"} -> {"access"}. Public, throttled by "credentials"."""

    throttle_scope = "credentials"


urlpatterns = [
    path("auth/token/", ObtainTokenPair.as_view(), name="auth-token"),
    path("auth/token/refresh/", RefreshToken.as_view(), name="auth-token-refresh"),
]
