"""Invitations, the only way in: bound to an email address, single-use, and quiet.

Inviting says nothing about whether an account with the address exists. The link goes by
email only; the database keeps the SHA-256 of its token, never the token. Accepting takes
the account of that address, the token as mailed, before it expires, once; every refusal
says why and creates nothing. Invitations are rate-limited per organization and per
inviter, and one the mail server refuses is not saved.
"""

import hashlib
import re
from collections.abc import Sequence
from datetime import timedelta

from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from organizations.models import Invitation
from organizations.roles import Role
from tests.tenancy import OTHER_ORGANIZATION, join, member_url, org_url, role_in


def invite(client: APIClient, email: str, role: str = "member", organization: str = "acme"):
    return client.post(
        org_url("invitation-list", organization), {"email": email, "role": role}, format="json"
    )


def mailed_token(message: EmailMessage) -> str:
    match = re.search(r"token=([A-Za-z0-9_-]+)", str(message.body))
    assert match, message.body
    return match.group(1)


def invited(client_for, email: str, role: str = "member") -> str:
    """Invite ``email`` as acme's admin and return the token the email carries."""
    response = invite(client_for("admin"), email, role)
    assert response.status_code == 201, response.content
    return mailed_token(mail.outbox[-1])


def accept(client: APIClient, token: str):
    return client.post(reverse("invitation-accept"), {"token": token}, format="json")


def refusal(response) -> str:
    """The reason a refused acceptance gives."""
    body = response.json()
    return str(body["fields"]["token"][0] if "fields" in body else body["detail"])


# Inviting
# ------------------------------------------------------------------------------


def test_inviting_answers_the_same_whether_or_not_the_email_has_an_account(client_for):
    """vip has an account, nobody@ has none: the inviter cannot tell from the answers."""
    client = client_for("admin")

    known = invite(client, "vip@example.com")
    unknown = invite(client, "nobody@example.com")

    def what_it_says(response) -> tuple[object, ...]:
        body = response.json()
        return response.status_code, sorted(body), body["role"], body["status"], body["invited_by"]

    assert what_it_says(known) == what_it_says(unknown)
    assert what_it_says(known) == (
        201,
        ["created_at", "email", "expires_at", "id", "invited_by", "role", "status"],
        "member",
        "pending",
        "admin",
    )
    assert [message.to for message in mail.outbox] == [["vip@example.com"], ["nobody@example.com"]]


def test_one_email_goes_to_the_address_with_a_link_carrying_the_token(client_for):
    response = invite(client_for("admin"), "newcomer@example.com", "viewer")

    assert response.status_code == 201
    (message,) = mail.outbox
    assert message.to == ["newcomer@example.com"]
    assert f"token={mailed_token(message)}" in str(message.body)
    assert "Acme" in message.subject


def test_only_the_tokens_sha256_is_stored_and_no_answer_shows_the_token(client_for):
    client = client_for("admin")
    created = invite(client, "newcomer@example.com")
    token = mailed_token(mail.outbox[-1])

    row = Invitation.objects.filter(pk=created.json()["id"]).values().get()
    listed = client.get(org_url("invitation-list"))

    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert not [field for field, value in row.items() if token in str(value)]
    assert token not in created.content.decode()
    assert token not in listed.content.decode()


def test_nobody_invites_with_a_role_above_their_own(client_for):
    response = invite(client_for("admin"), "boss@example.com", "owner")

    assert response.status_code == 403
    assert response.json()["detail"] == "You cannot invite with a role above your own (admin)."
    assert not Invitation.objects.filter(email="boss@example.com").exists()
    assert mail.outbox == []


def test_a_member_may_not_invite_and_is_told_the_role_it_takes(client_for):
    response = invite(client_for("other"), "friend@example.com", "viewer")

    assert response.status_code == 403
    assert response.json()["detail"] == (
        "This needs the admin role or higher in this organization; yours is member."
    )
    assert mail.outbox == []


class UnreachableMailServer(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise ConnectionRefusedError("[Errno 111] Connection refused")


@override_settings(EMAIL_BACKEND=f"{__name__}.UnreachableMailServer")
def test_an_invitation_the_mail_server_refuses_is_a_503_and_is_not_saved(client_for):
    """An invitation nobody received would only wait to be re-sent: none is kept, and
    the inviter is told to try again."""
    response = invite(client_for("admin"), "newcomer@example.com")

    assert response.status_code == 503
    assert response.json() == {
        "detail": "The invitation email could not be sent; nothing was saved. Try again later.",
        "code": "service_unavailable",
    }
    assert response.has_header("Retry-After")
    assert not Invitation.objects.filter(email="newcomer@example.com").exists()


@override_settings(THROTTLE_INVITATIONS="2/hour")
def test_an_organization_sends_only_so_many_invitations(client_for):
    """Per organization, whoever sends them: its admin sends two, its owner none, and the
    owner's first is one too many."""
    admin, owner = client_for("admin"), client_for("org_owner")

    statuses = [
        invite(admin, "one@example.com").status_code,
        invite(admin, "two@example.com").status_code,
        invite(owner, "three@example.com").status_code,
    ]

    assert statuses == [201, 201, 429]
    assert [message.to for message in mail.outbox] == [["one@example.com"], ["two@example.com"]]
    assert not Invitation.objects.filter(email="three@example.com").exists()


@override_settings(THROTTLE_INVITATIONS="2/hour")
def test_an_inviter_sends_only_so_many_invitations_across_organizations(client_for, users):
    """Per inviter, whatever the organization: two in acme, and the first in globex, an
    organization that has sent none, is one too many."""
    join(users["org_owner"], OTHER_ORGANIZATION, Role.ADMIN)
    client = client_for("org_owner")

    statuses = [
        invite(client, "one@example.com").status_code,
        invite(client, "two@example.com").status_code,
        invite(client, "three@example.com", organization=OTHER_ORGANIZATION).status_code,
    ]

    assert statuses == [201, 201, 429]
    assert len(mail.outbox) == 2
    assert not Invitation.objects.filter(email="three@example.com").exists()


# Revoking
# ------------------------------------------------------------------------------


def test_a_revoked_invitation_shows_as_revoked_and_cannot_be_revoked_again(client_for):
    client = client_for("admin")
    pk = invite(client, "newcomer@example.com").json()["id"]
    url = org_url("invitation-detail", pk=pk)

    first, again = client.delete(url), client.delete(url)

    assert (first.status_code, again.status_code) == (204, 404)
    (listed,) = client.get(org_url("invitation-list")).json()["results"]
    assert listed["status"] == "revoked"


# Accepting
# ------------------------------------------------------------------------------


def test_the_invited_account_accepts_with_the_emailed_token_and_joins_with_its_role(
    client_for, users
):
    """The address invited differs from the account's in letter case only: it is the
    same address."""
    token = invited(client_for, "VIP@Example.COM", "viewer")

    response = accept(client_for("vip"), token)

    assert response.status_code == 201
    assert response.json() == {"organization": "acme", "name": "Acme", "role": "viewer"}
    assert role_in(users["vip"]) == "viewer"
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == users["vip"]
    assert invitation.accepted_at is not None


def test_a_wrong_token_is_refused(client_for, users):
    invited(client_for, "vip@example.com")

    response = accept(client_for("vip"), "a-token-nobody-was-sent")

    assert response.status_code == 400
    assert refusal(response) == "This invitation token is not valid. Check the link in the email."
    assert role_in(users["vip"]) is None


def test_a_used_token_is_refused(client_for, users):
    """vip joins, leaves, and tries the link again: it worked once."""
    token = invited(client_for, "vip@example.com")
    vip = client_for("vip")
    assert accept(vip, token).status_code == 201
    assert vip.delete(member_url(users["vip"])).status_code == 204

    response = accept(vip, token)

    assert response.status_code == 400
    assert refusal(response) == "This invitation has already been used."
    assert role_in(users["vip"]) is None


def test_a_revoked_invitation_is_refused(client_for, users):
    token = invited(client_for, "vip@example.com")
    pk = Invitation.objects.get(email="vip@example.com").pk
    assert client_for("admin").delete(org_url("invitation-detail", pk=pk)).status_code == 204

    response = accept(client_for("vip"), token)

    assert response.status_code == 400
    assert refusal(response) == "This invitation was revoked. Ask the organization for a new one."
    assert role_in(users["vip"]) is None


def test_an_expired_invitation_is_refused(client_for, users):
    token = invited(client_for, "vip@example.com")
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = accept(client_for("vip"), token)

    assert response.status_code == 400
    assert refusal(response) == "This invitation has expired. Ask the organization for a new one."
    assert role_in(users["vip"]) is None


def test_an_invitation_for_another_address_is_refused_and_stays_usable(client_for, users):
    """staff has the link (a forwarded email, say) but not vip's account: refused, and
    the invitation still works for vip."""
    token = invited(client_for, "vip@example.com")

    response = accept(client_for("staff"), token)

    assert response.status_code == 403
    assert refusal(response) == (
        "This invitation is for another email address. Log in with the account it was sent to."
    )
    assert role_in(users["staff"]) is None
    assert accept(client_for("vip"), token).status_code == 201


def test_a_member_accepting_is_refused_and_keeps_their_role(client_for, users):
    token = invited(client_for, "other@example.com", "admin")

    response = accept(client_for("other"), token)

    assert response.status_code == 409
    assert response.json() == {
        "detail": "You are already a member of this organization.",
        "code": "already_member",
    }
    assert role_in(users["other"]) == "member"
    assert Invitation.objects.get().accepted_at is None


def test_an_invitation_from_someone_removed_since_is_refused(client_for, users):
    """An admin about to be removed invites a second address of theirs as admin: once they
    are out, the invitation brings nobody back (GitLab's #26801)."""
    token = invited(client_for, "vip@example.com", "admin")
    assert client_for("org_owner").delete(member_url(users["admin"])).status_code == 204

    response = accept(client_for("vip"), token)

    assert response.status_code == 400
    assert "may no longer invite" in refusal(response)
    assert role_in(users["vip"]) is None


def test_an_invitation_above_its_senders_present_role_is_refused(client_for, users):
    token = invited(client_for, "vip@example.com", "admin")
    demote = client_for("org_owner").patch(
        member_url(users["admin"]), {"role": "member"}, format="json"
    )
    assert demote.status_code == 200

    response = accept(client_for("vip"), token)

    assert response.status_code == 400
    assert role_in(users["vip"]) is None


def test_an_address_whose_email_only_folds_to_the_invited_one_is_refused(client_for, users):
    """Unicode case folding would match lookalikes: the Kelvin sign folds to "k"."""
    token = invited(client_for, "vik@example.com")
    users["vip"].email = "vi\u212a@example.com"
    users["vip"].save()

    response = accept(client_for("vip"), token)

    assert response.status_code == 403
    assert role_in(users["vip"]) is None


def test_an_address_with_quotes_or_control_characters_is_refused(client_for):
    for email in ['"a\x0cb"@example.com', '"a\x1cBcc: x@example.net"@example.com']:
        response = invite(client_for("admin"), email)

        assert response.status_code == 400, email
        assert "email" in response.json()["fields"]
    assert mail.outbox == []
