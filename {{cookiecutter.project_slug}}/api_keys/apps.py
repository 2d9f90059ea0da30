from django.apps import AppConfig


class APIKeysConfig(AppConfig):
    name = "api_keys"
    verbose_name = "API keys"

    def ready(self) -> None:
        # The receiver that revokes an account's keys with the rest of its credentials.
        from api_keys import receivers  # noqa: F401
