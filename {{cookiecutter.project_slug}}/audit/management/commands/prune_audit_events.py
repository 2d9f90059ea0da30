"""``manage.py prune_audit_events --older-than DAYS``: the only way audit events leave.

Run it on a schedule (cron, a Kubernetes CronJob) with the retention your policy names;
nothing prunes by itself. Rows go in batches, so a first run over years of events neither
holds one huge transaction nor locks the table for long.
"""

import logging
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from audit.models import AuditEvent

BATCH = 10_000
# A hundred years: past it, the cutoff is before the calendar starts.
MAX_DAYS = 36_500
logger = logging.getLogger("audit")


def positive_days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise CommandError(f"--older-than takes a whole number of days, not {value!r}") from None
    if not 1 <= days <= MAX_DAYS:
        raise CommandError(f"--older-than takes 1 to {MAX_DAYS} days, not {days}")
    return days


class Command(BaseCommand):
    help = "Delete the audit events older than --older-than DAYS days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", required=True, metavar="DAYS", type=positive_days)

    def handle(self, *args: Any, older_than: int, **options: Any) -> None:
        cutoff = timezone.now() - timedelta(days=older_than)
        deleted = 0
        while True:
            batch = AuditEvent.objects.filter(at__lt=cutoff).values("pk")[:BATCH]
            count, _ = AuditEvent.objects.filter(pk__in=batch).delete()
            deleted += count
            if count < BATCH:
                break
        # Rows leaving the trail are worth a line in the log, which outlives them.
        logger.warning(
            "Pruned %d audit events older than %d days (before %s)",
            deleted,
            older_than,
            cutoff.isoformat(),
        )
        self.stdout.write(f"Deleted {deleted} audit events older than {older_than} days.")
