"""API keys: credentials for machine clients, each with scopes and an expiry date."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models


class APIKey(models.Model):
{%- if cookiecutter.tenancy == "organizations" %}
    """A key a machine client sends as ``Authorization: Api-Key <key>``. It acts as the
    admin or owner who created it, inside its organization only, within its scopes; it
    stops at ``expires_at`` or when revoked. Only the key's digest is stored (api_keys/keys.py)."""
{%- else %}
    """A key a machine client sends as ``Authorization: Api-Key <key>``. It acts as the
    person who created it, within its scopes; it stops at ``expires_at`` or when revoked.
    Only the key's digest is stored (api_keys/keys.py)."""
{%- endif %}

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, unique=True, editable=False)
    hashed_key = models.CharField(max_length=128, editable=False)
    scopes = ArrayField(models.CharField(max_length=32))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
{%- if cookiecutter.tenancy == "organizations" %}
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="api_keys"
    )
{%- endif %}
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Written at most once a minute per key (api_keys/authentication.py).
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"
        indexes = [
            # The keys list, newest first, one page at a time.
{%- if cookiecutter.tenancy == "organizations" %}
            models.Index(
                fields=["organization", "-created_at", "-id"], name="apikey_organization_idx"
            ),
{%- else %}
            models.Index(fields=["created_by", "-created_at", "-id"], name="apikey_owner_idx"),
{%- endif %}
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"
