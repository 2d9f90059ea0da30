from django.conf import settings
from django.db import models


class Note(models.Model):
    """A short text owned by the user who created it."""

    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notes",
        db_index=False,  # note_owner_list_idx starts with the owner and serves its lookups
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The list's order, which its cursor pagination follows (api/pagination.py). Each way
        # the list is scoped has an index in this order, so a page is an index range scan
        # that reads only its own rows, however large the table grows.
        ordering = ["-created_at", "-id"]
        indexes = [
            # Every note: the list where others may read (object_access=owner_or_read_only).
            models.Index(fields=["-created_at", "-id"], name="note_list_idx"),
            # One owner's notes: the list scoped to the requester (owner_only), a user's
            # notes in the admin, and the cascade when a user is deleted.
            models.Index(fields=["owner", "-created_at", "-id"], name="note_owner_list_idx"),
        ]

    def __str__(self) -> str:
        return self.title
