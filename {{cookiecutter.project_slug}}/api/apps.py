from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ApiConfig(AppConfig):
    name = "api"
    default = True  # "api" in INSTALLED_APPS; AdminConfig below is named on its own

    def ready(self) -> None:
        # Receivers: the one that ends a user's tokens when their credentials are revoked,
        # and the one that keeps django-axes' failure records small.
        from api import credentials, lockouts  # noqa: F401


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with api.admin_site.AdminSite as ``admin.site``."""

    default = False
    default_site = "api.admin_site.AdminSite"
