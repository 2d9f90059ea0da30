"""Revoking keys: the one way a key ends before its expiry date, wherever it is asked for."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from api_keys.models import APIKey
from audit.events import Event, record, target


def revoke(keys: QuerySet[APIKey], reason: str | None = None) -> list[APIKey]:
    """Revoke those of ``keys`` that are not revoked yet, at once: one ``api_key.revoked``
    event each, whose actor is whoever the request is authenticated as. The rows stay locked
    until the transaction ends, so that two revocations at once record each key once."""
    active = keys.filter(revoked_at__isnull=True).select_for_update(of=("self",))
{%- if cookiecutter.tenancy == "organizations" %}
    active = active.select_related("organization")  # the events name it
{%- endif %}
    with transaction.atomic():
        revoked = list(active)
        APIKey.objects.filter(pk__in=[key.pk for key in revoked]).update(revoked_at=timezone.now())
        for key in revoked:
            record(
                Event.API_KEY_REVOKED,
                target=target("api_key", key.pk),
{%- if cookiecutter.tenancy == "organizations" %}
                organization=key.organization,
{%- endif %}
                reason={"code": reason} if reason else None,
            )
    return revoked
