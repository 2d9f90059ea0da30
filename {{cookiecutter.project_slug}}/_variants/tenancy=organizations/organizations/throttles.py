"""Invitations send email, so each organization and each inviter may send only so many.

Both limits apply whatever the project's other rate limits (``THROTTLE_INVITATIONS``,
per organization and per inviter): an organization must not be a way to mail strangers
in bulk, and neither must an account that belongs to many organizations.
"""

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView


class InvitationThrottle(SimpleRateThrottle):
    """Counts the invitations sent (POST) against ``THROTTLE_INVITATIONS``."""

    scope = "invitations"
    methods = frozenset({"POST"})  # what is counted: sending, not listing

    def get_rate(self) -> str:
        return str(settings.THROTTLE_INVITATIONS)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if request.method not in self.methods:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.counted(request, view)}

    def counted(self, request: Request, view: APIView) -> str:
        raise NotImplementedError


class InvitationsPerOrganization(InvitationThrottle):
    def counted(self, request: Request, view: APIView) -> str:
        return f"organization-{view.kwargs['slug']}"


class InvitationsPerInviter(InvitationThrottle):
    def counted(self, request: Request, view: APIView) -> str:
        return f"user-{request.user.pk}"
