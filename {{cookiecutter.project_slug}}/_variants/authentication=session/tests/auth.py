"""How the tests authenticate, for SessionAuthentication."""

# SessionAuthentication sends no WWW-Authenticate, so DRF answers anonymous requests with 403.
ANONYMOUS_STATUS = 403
WWW_AUTHENTICATE = None
# The OpenAPI security scheme drf-spectacular derives from the first authentication class.
SECURITY_SCHEME = "cookieAuth"
CREDENTIALS_ROUTE = "auth-login"

# Access-policy rows for the session endpoints: login is public (an empty body is a 400),
# logout needs a session.
CREDENTIAL_ROWS = {
    ("auth-login", "GET"): (200, 200, 200, 200, 200),
    ("auth-login", "POST"): (400, 400, 400, 400, 400),
    ("auth-logout", "POST"): (ANONYMOUS_STATUS, 200, 200, 200, 200),
}


def authenticate(client, user):
    """Log ``user`` in: the client then sends the session cookie."""
    client.force_login(user)
