import secrets
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac

from users.signals import credentials_revoked


def new_security_stamp() -> str:
    return secrets.token_hex(16)


class User(AbstractUser):
    """A person who uses the API. ``tier`` decides access to VIP-only endpoints.

    Every credential the user holds (sessions, tokens, refresh tokens) ends when the password
    changes, when the account is deactivated, and on ``revoke_credentials()`` (log out
    everywhere): ``security_stamp`` changes, which ends every session, and
    ``users.signals.credentials_revoked`` is sent, whose receiver ends the tokens. Reactivating
    an account brings none of them back.
    """

    class Tier(models.TextChoices):
        STANDARD = "standard", "Standard"
        VIP = "vip", "VIP"

    class RevocationReason(models.TextChoices):
        PASSWORD_CHANGED = "password_changed", "Password changed"
        DEACTIVATED = "deactivated", "Account deactivated"
        LOGOUT_ALL = "logout_all", "Logged out everywhere"

    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.STANDARD)
    # A random value that every session and JWT of the user is bound to; a new one ends them.
    security_stamp = models.CharField(max_length=32, default=new_security_stamp, editable=False)

    # Set by set_password() and set_unusable_password(), cleared by save().
    _password_changed = False
    # AbstractBaseUser's copy of the raw password, kept from set_password() until save().
    _password: str | None

    @property
    def is_vip(self) -> bool:
        return self.tier == self.Tier.VIP

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self._password_changed = True

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self._password_changed = True

    def revoke_credentials(self, reason: RevocationReason = RevocationReason.LOGOUT_ALL) -> None:
        """End every session and token of the user, everywhere (log out everywhere)."""
        # Written on its own, never by save(): a copy of this user loaded before, saved after,
        # must not bring the old stamp, and the sessions bound to it, back.
        self.security_stamp = new_security_stamp()
        type(self).objects.filter(pk=self.pk).update(security_stamp=self.security_stamp)
        credentials_revoked.send(sender=type(self), user=self, reason=reason)

    def revocation_due(self) -> RevocationReason | None:
        """Why saving this instance must end the user's credentials, if it must."""
        if self._state.adding:
            return None  # a new user has no credentials yet
        # check_password() re-hashes an unchanged password through set_password() when the
        # hasher's settings move on, and clears Django's copy of the raw password
        # (_password) first: not a change.
        if self._password_changed and (
            self._password is not None or not self.has_usable_password()
        ):
            return self.RevocationReason.PASSWORD_CHANGED
        # Saving an inactive user asks the database whether it was active until now: one
        # query, on a rare save, that holds however the instance was loaded or built.
        if not self.is_active and type(self).objects.filter(pk=self.pk, is_active=True).exists():
            return self.RevocationReason.DEACTIVATED
        return None

    def save(self, *args: Any, **kwargs: Any) -> None:
        reason = self.revocation_due()
        if not self._state.adding:
            # Only revoke_credentials() writes the stamp (see there).
            fields = kwargs.get("update_fields")
            if fields is None:  # what save() writes by itself: the fields that were loaded
                deferred = self.get_deferred_fields()
                fields = [
                    field.name
                    for field in self._meta.concrete_fields
                    if not field.primary_key and field.attname not in deferred
                ]
            kwargs["update_fields"] = [name for name in fields if name != "security_stamp"]
        super().save(*args, **kwargs)
        self._password_changed = False
        if reason is not None:
            self.revoke_credentials(reason)

    # Sessions: Django keeps an HMAC of the password in each session and ends the sessions
    # whose HMAC no longer matches. Here the HMAC covers the security stamp as well.
    def get_session_auth_hash(self) -> str:
        return self._session_auth_hash(secret=None)

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_auth_hash(secret=fallback_secret)

    def _session_auth_hash(self, secret: str | bytes | None) -> str:
        key_salt = "users.models.User.get_session_auth_hash"
        value = f"{self.password}:{self.security_stamp}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()
