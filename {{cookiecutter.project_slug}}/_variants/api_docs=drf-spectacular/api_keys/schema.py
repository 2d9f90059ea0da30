"""The API keys in the OpenAPI schema: the ``Api-Key`` security scheme, and the key routes'
names. api/schema.py imports this module (drf-spectacular finds extensions by import).

Which operations list the scheme, and the scope each needs, come from the views themselves
(``api_key_scope``, as HasAPIKeyScope reads ``api_key_scopes``): api/openapi.py writes the
scope into each operation's description and its ``x-api-key-scope``.
"""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

from api.openapi import api_key_scope, document
from api_keys import views
from api_keys.authentication import KEYWORD
from api_keys.serializers import APIKeySerializer

API_KEY_SCHEME = "apiKeyAuth"


class APIKeyScheme(OpenApiAuthenticationExtension):
    """The security scheme of api_keys.authentication.APIKeyAuthentication, listed only by the
    operations that accept keys: the others refuse them, whatever the key's scopes."""

    target_class = "api_keys.authentication.APIKeyAuthentication"
    name = API_KEY_SCHEME

    def get_security_requirement(self, auto_schema: AutoSchema) -> list[dict[str, list[Any]]]:
        # Scopes stay out of the requirement: OpenAPI 3.0 allows them for OAuth2 and OpenID
        # Connect schemes only. The operation says its scope in words and x-api-key-scope.
        accepted = api_key_scope(auto_schema.view, auto_schema.method) is not None
        return [{API_KEY_SCHEME: []}] if accepted else []

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                f"An API key, for machine clients: `Authorization: {KEYWORD} <key>`, the "
                f"`{KEYWORD} ` prefix then the key that creating it answered, once. A key acts "
                "as the person who created it, within its scopes and never beyond what that "
                "person may do now. Only the operations that list this scheme accept keys; "
                "each names the scope it needs in its description and in `x-api-key-scope`. "
                "Keys are created, listed and revoked (`createApiKey`, `listApiKeys`, "
                "`revokeApiKey`) with a person's credential only. A "
                f"revoked, expired or unknown key is refused with 401 (`WWW-Authenticate: "
                f"{KEYWORD}`); a key without the scope an operation needs, or on an operation "
                "that does not accept keys, with 403."
            ),
        }


document(
    views.APIKeyList,
    "keys",
{%- if cookiecutter.tenancy == "organizations" %}
    get=("listApiKeys", "List the organization's API keys"),
    post={
        "operation_id": "createApiKey",
        "summary": "Create an API key for the organization: the answer shows the key, once",
        "request": APIKeySerializer,
    },
{%- else %}
    get=("listApiKeys", "List your API keys"),
    post={
        "operation_id": "createApiKey",
        "summary": "Create an API key: the answer shows the key, once",
        "request": APIKeySerializer,
    },
{%- endif %}
)
document(
    views.APIKeyDetail,
    "keys",
    get=("getApiKey", "Read an API key (never the key itself)"),
    delete=("revokeApiKey", "Revoke an API key"),
)
