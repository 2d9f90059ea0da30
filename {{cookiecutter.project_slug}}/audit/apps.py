from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"

    def ready(self) -> None:
        # The receivers that turn logins, logouts, lockouts and revocations into events.
        from audit import receivers  # noqa: F401
