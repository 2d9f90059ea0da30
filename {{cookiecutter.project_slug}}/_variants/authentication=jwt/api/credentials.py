"""How a client gets its credential: POST username and password, receive a JWT pair.

Send the access token back as ``Authorization: Bearer <access>``; refresh it at
auth/token/refresh/. Tokens are never read from the URL.
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
