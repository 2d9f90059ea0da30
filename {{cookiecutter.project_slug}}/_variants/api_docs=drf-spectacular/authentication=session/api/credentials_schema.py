"""What drf-spectacular cannot infer about api/credentials.py (imported by api/schema.py)."""

from drf_spectacular.utils import extend_schema

from api import credentials

# 204, no body; the password change's request body comes from its serializer.
extend_schema(request=None, responses={204: None})(credentials.Logout)
extend_schema(request=None, responses={204: None})(credentials.LogoutAll)
extend_schema(responses={204: None})(credentials.PasswordChange)
