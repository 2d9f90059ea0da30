"""What drf-spectacular cannot infer about api/credentials.py (imported by api/schema.py)."""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme as KnoxScheme
from drf_spectacular.utils import extend_schema

from api import credentials


class KnoxTokenScheme(KnoxScheme):
    """The security scheme of api.authentication.TokenAuthentication, which is knox's
    (drf-spectacular's extension matches knox's class itself, not subclasses)."""

    target_class = "api.authentication.TokenAuthentication"


# 204, no body either way.
extend_schema(request=None, responses={204: None})(credentials.Logout)
extend_schema(request=None, responses={204: None})(credentials.LogoutAll)
extend_schema(responses={204: None})(credentials.PasswordChange)
