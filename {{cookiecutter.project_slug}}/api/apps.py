from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"

    def ready(self) -> None:
        # Connects the receiver that ends a user's credentials when the password changes.
        from api import credentials  # noqa: F401
