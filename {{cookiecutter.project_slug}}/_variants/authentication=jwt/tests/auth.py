"""How the tests authenticate, for simplejwt's JWTAuthentication."""

from rest_framework_simplejwt.tokens import AccessToken

# JWTAuthentication sends WWW-Authenticate, so DRF answers anonymous requests with 401.
ANONYMOUS_STATUS = 401
WWW_AUTHENTICATE = 'Bearer realm="api"'
CREDENTIALS_ROUTE = "auth-token"


def authenticate(client, user):
    """Send an access token for ``user`` in the Authorization header of every request."""
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
