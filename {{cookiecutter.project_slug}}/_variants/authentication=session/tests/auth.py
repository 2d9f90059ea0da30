"""How the tests authenticate, for SessionAuthentication."""

# SessionAuthentication sends no WWW-Authenticate, so DRF answers anonymous requests with 403.
ANONYMOUS_STATUS = 403
WWW_AUTHENTICATE = None
CREDENTIALS_ROUTE = "auth-login"


def authenticate(client, user):
    """Log ``user`` in: the client then sends the session cookie."""
    client.force_login(user)
