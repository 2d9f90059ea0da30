"""Invitations: how a person joins an organization, and the only way.

An admin or owner invites an email address with a role; the address gets a link with a
random token. Whoever logs in with an account of that email and posts the token becomes a
member. Nobody is put in an organization without accepting, and inviting tells the inviter
nothing about whether an account with that email exists.

The token is 32 random bytes; the database keeps only its SHA-256, which is enough for a
secret that cannot be guessed (a password hasher's slowness protects guessable secrets).
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError

from audit.events import Event, record, target
from organizations.models import Invitation, Membership, Organization
from organizations.roles import Role
from users.models import User


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationNotSent(APIException):
    """503: the mail server refused or did not answer; nothing was saved."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The invitation email could not be sent; nothing was saved. Try again later."
    default_code = "service_unavailable"
    # Retry-After, as for every 503 of the API (api/exceptions.py): DRF's handler sends it.
    wait = 30


class NotYourInvitation(PermissionDenied):
    """403: the invitation was sent to another address than the account's."""

    default_detail = (
        "This invitation is for another email address. Log in with the account it was sent to."
    )


class AlreadyMember(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "You are already a member of this organization."
    default_code = "already_member"


def invite(organization: Organization, inviter: User, email: str, role: Role) -> Invitation:
    """Save an invitation and mail its link to ``email``; both or neither happen."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organization=organization,
            email=email,
            role=role,
            token_hash=token_digest(token),
            invited_by=inviter,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
        )
        # By id: the address and the token stay out of the trail. The event goes out once
        # the invitation commits: a mail refused below rolls both back.
        record(
            Event.INVITATION_CREATED,
            actor=inviter,
            organization=organization,
            target=target("invitation", invitation.pk),
            changes={"role": [None, Role(role).label]},
        )
        link = settings.INVITATION_LINK.format(token=token)
        try:
            send_mail(
                # One line whatever the name holds: a line break in a subject is an error.
                subject=" ".join(f"You are invited to join {organization.name}".split()),
                message=(
                    f"{inviter.username} invited you to join {organization.name} "
                    f"({organization.slug}) as {Role(role).label}.\n\n"
                    f"Log in with the account of this email address, then accept:\n{link}\n\n"
                    f"The invitation works once and expires in {settings.INVITATION_DAYS} days. "
                    "If you did not expect it, ignore this email."
                ),
                from_email=None,  # DEFAULT_FROM_EMAIL
                recipient_list=[email],
            )
        # smtplib's errors are OSErrors, as are refused connections; the email package raises
        # ValueErrors (MessageError among them) for what it cannot put into a message.
        except (OSError, ValueError) as error:
            raise InvitationNotSent from error
    return invitation


def ascii_lowercase(address: str) -> bytes:
    """An email address for comparison: letter case aside, in ASCII only. Unicode case folding
    would match lookalikes (the Kelvin sign folds to "k", the long s to "s")."""
    return address.encode().lower()


def refusal(invitation: Invitation) -> str | None:
    """Why ``invitation`` cannot be accepted, or None."""
    if invitation.revoked_at is not None:
        return "This invitation was revoked. Ask the organization for a new one."
    if invitation.accepted_at is not None:
        return "This invitation has already been used."
    if invitation.expires_at <= timezone.now():
        return "This invitation has expired. Ask the organization for a new one."
    return None


def accept(token: str, user: User) -> Membership:
    """Make ``user`` a member as the invitation says, once; or raise why not, creating nothing.

    The invitation's row stays locked until the membership exists: two requests with one
    token cannot both succeed.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("organization")
            .filter(token_hash=token_digest(token))
            .first()
        )
        if invitation is None:
            raise ValidationError(
                {"token": ["This invitation token is not valid. Check the link in the email."]}
            )
        reason = refusal(invitation)
        if reason is not None:
            raise ValidationError({"token": [reason]})
        # Whoever sent it must still be allowed to: someone removed or demoted since cannot
        # come back, or let a second account in, through an invitation sent before. The
        # sender's row stays locked, so a demotion at this moment waits or comes first.
        sender = (
            Membership.objects.select_for_update()
            .filter(organization=invitation.organization, user=invitation.invited_by_id)
            .first()
        )
        if sender is None or sender.role < max(Role.ADMIN, invitation.role):
            raise ValidationError(
                {
                    "token": [
                        "Whoever sent this invitation may no longer invite with its role. "
                        "Ask the organization for a new one."
                    ]
                }
            )
        if not user.email or ascii_lowercase(user.email) != ascii_lowercase(invitation.email):
            raise NotYourInvitation
        try:
            with transaction.atomic():  # a savepoint: the refusal below keeps the invitation
                membership = Membership.objects.create(
                    user=user, organization=invitation.organization, role=invitation.role
                )
        except IntegrityError as error:  # one_membership_each
            raise AlreadyMember from error
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        record(
            Event.INVITATION_ACCEPTED,
            actor=user,
            organization=invitation.organization,
            target=target("invitation", invitation.pk),
            changes={"role": [None, Role(invitation.role).label]},
        )
    return membership
