"""How the tests authenticate, for TokenAuthentication."""

from rest_framework.authtoken.models import Token

# TokenAuthentication sends WWW-Authenticate, so DRF answers anonymous requests with 401.
ANONYMOUS_STATUS = 401
WWW_AUTHENTICATE = "Token"
CREDENTIALS_ROUTE = "auth-token"


def authenticate(client, user):
    """Send ``user``'s token in the Authorization header of every request."""
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
