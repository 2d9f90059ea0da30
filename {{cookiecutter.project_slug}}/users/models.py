from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models

from users.signals import password_changed


class User(AbstractUser):
    """A person who uses the API. ``tier`` decides access to VIP-only endpoints.

    Saving a changed password sends ``users.signals.password_changed``: the credentials
    issued before it (tokens, refresh tokens) stop working, however the password changed.
    """

    class Tier(models.TextChoices):
        STANDARD = "standard", "Standard"
        VIP = "vip", "VIP"

    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.STANDARD)

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

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A new user has no credentials to revoke. check_password() re-hashes an unchanged
        # password through set_password() when the hasher's settings move on, and clears
        # Django's copy of the raw password (_password) first: not a change.
        changed = (
            self._password_changed
            and not self._state.adding
            and (self._password is not None or not self.has_usable_password())
        )
        super().save(*args, **kwargs)
        self._password_changed = False
        if changed:
            password_changed.send(sender=type(self), user=self)
