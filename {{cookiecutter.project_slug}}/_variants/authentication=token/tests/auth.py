"""How the tests authenticate, for django-rest-knox's TokenAuthentication."""

from knox.models import AuthToken

# TokenAuthentication sends WWW-Authenticate, so DRF answers anonymous requests with 401.
ANONYMOUS_STATUS = 401
WWW_AUTHENTICATE = "Token"
# The OpenAPI security scheme drf-spectacular derives from the first authentication class.
SECURITY_SCHEME = "knoxApiToken"
CREDENTIALS_ROUTE = "auth-token"

# Access-policy rows for the credential endpoints. Login is public, so every actor gets
# the same answer; the policy test's note body lacks the fields, a 400, never a 401/403.
# Logout ends the token the actor sent; a password change without the passwords is a 400.
CREDENTIAL_ROWS = {
    ("auth-token", "POST"): {"*": 400},
    ("auth-logout", "POST"): {"anonymous": 401, "*": 204},
    ("auth-logout-all", "POST"): {"anonymous": 401, "*": 204},
    ("auth-password", "POST"): {"anonymous": 401, "*": 400},
}


def authenticate(client, user):
    """Send a new token of ``user`` in the Authorization header of every request."""
    _, key = AuthToken.objects.create(user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
