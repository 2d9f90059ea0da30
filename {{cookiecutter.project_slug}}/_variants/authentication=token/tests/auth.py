"""How the tests authenticate, for TokenAuthentication."""

from rest_framework.authtoken.models import Token

# TokenAuthentication sends WWW-Authenticate, so DRF answers anonymous requests with 401.
ANONYMOUS_STATUS = 401
WWW_AUTHENTICATE = "Token"
# The OpenAPI security scheme drf-spectacular derives from the first authentication class.
SECURITY_SCHEME = "tokenAuth"
CREDENTIALS_ROUTE = "auth-token"

# Access-policy rows for the credential endpoint: public, so every actor gets the same
# answer; an empty body is a 400, never a 401/403.
CREDENTIAL_ROWS = {
    ("auth-token", "POST"): (400, 400, 400, 400, 400),
}


def authenticate(client, user):
    """Send ``user``'s token in the Authorization header of every request."""
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
