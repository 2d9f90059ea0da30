"""What drf-spectacular cannot infer about api/credentials.py (imported by api/schema.py)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.utils import extend_schema

from api import credentials


class JWTScheme(SimpleJWTScheme):
    """The security scheme of api.authentication.JWTAuthentication, which is simplejwt's
    (drf-spectacular's extension matches simplejwt's class itself, not subclasses)."""

    target_class = "api.authentication.JWTAuthentication"


# 204, no body; the request bodies come from the views' serializers.
extend_schema(responses={204: None})(credentials.Logout)
extend_schema(request=None, responses={204: None})(credentials.LogoutAll)
extend_schema(responses={204: None})(credentials.PasswordChange)
