from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who uses the API. ``tier`` decides access to VIP-only endpoints."""

    class Tier(models.TextChoices):
        STANDARD = "standard", "Standard"
        VIP = "vip", "VIP"

    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.STANDARD)

    @property
    def is_vip(self) -> bool:
        return self.tier == self.Tier.VIP
