"""Events sent by Django, django-axes and this project's users app, turned into audit events.

Each login surface (the API's credential endpoint, the browsable API's and the admin's
forms) sends Django's ``user_logged_in``, ``user_login_failed`` and ``user_logged_out``;
django-axes sends ``user_locked_out``; users.models.User sends ``credentials_revoked``.
"""

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from audit.context import current_request
from audit.events import Event, record, target, username_digest
from users.models import User
from users.signals import credentials_revoked

# Set on a request whose logout is part of logging out everywhere: one event, logout.all.
LOGGING_OUT_EVERYWHERE = "_audit_logging_out_everywhere"
# Set on a request whose login failed: the refusal it gets (simplejwt answers 401) is that
# failure, already recorded, not an access.denied as well (audit/refusals.py).
LOGIN_FAILED = "_audit_login_failed"


@receiver(user_logged_in, dispatch_uid="audit.receivers.logged_in")
def logged_in(sender: Any, user: User, **kwargs: Any) -> None:
    record(Event.LOGIN_SUCCEEDED, actor=user, target=target("user", user.pk))


@receiver(user_login_failed, dispatch_uid="audit.receivers.login_failed")
def login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    """A wrong password, an unknown or inactive username, or a locked-out one. The username
    is named by its digest; Django has already masked the password in ``credentials``."""
    username = credentials.get(User.USERNAME_FIELD)
    locked_out = bool(getattr(request, "axes_locked_out", False))
    if request is not None:
        setattr(getattr(request, "_request", request), LOGIN_FAILED, True)
    record(
        Event.LOGIN_FAILED,
        target=target("username", username_digest(str(username or ""))),
        reason={"code": "locked_out" if locked_out else "invalid_credentials"},
    )


@receiver(user_locked_out, dispatch_uid="audit.receivers.locked_out")
def locked_out(sender: Any, request: HttpRequest, username: str | None, **kwargs: Any) -> None:
    """The failure that starts a lockout; django-axes sends the signal again for each attempt
    refused during it, which login.failed records (so a client that keeps trying costs no
    write)."""
    # Counted by this request (None: refused during the lockout, and not counted). At the
    # limit or past it: two failures counted at once can both read a count past the limit.
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None or failures < settings.AXES_FAILURE_LIMIT:
        return
    # django-axes names the username by its digest already (AXES_USERNAME_CALLABLE).
    record(
        Event.LOGIN_LOCKED_OUT,
        target=target("username", username or ""),
        reason={"failures": failures},
    )


@receiver(user_logged_out, dispatch_uid="audit.receivers.logged_out")
def logged_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    django_request = getattr(request, "_request", request)  # knox sends DRF's request
    if user is None or getattr(django_request, LOGGING_OUT_EVERYWHERE, False):
        return
    record(Event.LOGOUT, actor=user, target=target("user", user.pk))


@receiver(credentials_revoked, dispatch_uid="audit.receivers.revoked")
def revoked(sender: type[User], user: User, reason: User.RevocationReason, **kwargs: Any) -> None:
    """Logging out everywhere, a password change, a deactivation. A password set by another
    user (an administrator, in the admin) revokes the account's credentials."""
    context = current_request.get()
    request = context.request if context is not None else None
    about = target("user", user.pk)
    if reason == User.RevocationReason.LOGOUT_ALL:
        if request is not None:
            setattr(request, LOGGING_OUT_EVERYWHERE, True)
        record(Event.LOGOUT_ALL, actor=user, target=about)
    elif reason == User.RevocationReason.PASSWORD_CHANGED:
        if request is None:  # a shell, `manage.py changepassword`: nobody to name
            record(Event.PASSWORD_CHANGED, target=about)
        elif request.user.pk == user.pk:
            record(Event.PASSWORD_CHANGED, actor=user, target=about)
        else:
            record(Event.CREDENTIALS_REVOKED, target=about, reason={"code": "password_reset"})
    else:
        record(Event.CREDENTIALS_REVOKED, target=about, reason={"code": str(reason)})
