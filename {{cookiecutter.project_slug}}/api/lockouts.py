"""What django-axes stores per failed login stays bounded.

django-axes keeps one AccessAttempt row per username, address and user agent, and on each
failure appends that request's query string and form (up to 1 KB each, with a separator)
to it: 1,500 refused logins grew one row to 1.5 million characters, rewritten every time.
The lockout needs only the count, so those two columns are kept empty. (A client locked out
writes nothing at all: AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT in settings.)
"""

from typing import Any

from axes.models import AccessAttempt
from django.db.models.signals import pre_save
from django.dispatch import receiver


@receiver(pre_save, sender=AccessAttempt, dispatch_uid="api.lockouts.drop_request_data")
def drop_request_data(sender: type[AccessAttempt], instance: AccessAttempt, **kwargs: Any) -> None:
    instance.get_data = ""
    instance.post_data = ""
