"""How the API reads a token: django-rest-knox's TokenAuthentication, refusing malformed keys.

knox decodes the key as UTF-8 and looks its first characters up in the database: bytes
that are not UTF-8 raised UnicodeDecodeError, and a NUL made PostgreSQL refuse the query
(DataError), both 500s. A key knox issues is ``TOKEN_PREFIX`` followed by
``AUTH_TOKEN_CHARACTER_LENGTH`` lowercase hex digits; anything else is refused with 401
before the database is asked.
"""

import re

from knox import auth
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework.exceptions import AuthenticationFailed

from users.models import User

HEX_DIGITS = re.compile(rb"[0-9a-f]*")


class TokenAuthentication(auth.TokenAuthentication):
    """``Authorization: Token <key>``; a key knox cannot have issued gets 401."""

    def authenticate_credentials(self, token: bytes) -> tuple[User, AuthToken]:
        prefix = knox_settings.TOKEN_PREFIX.encode()
        digits = token.removeprefix(prefix)
        if (
            not token.startswith(prefix)
            or len(digits) != knox_settings.AUTH_TOKEN_CHARACTER_LENGTH
            or not HEX_DIGITS.fullmatch(digits)
        ):
            raise AuthenticationFailed("Invalid token.")
        credentials: tuple[User, AuthToken] = super().authenticate_credentials(token)
        return credentials
