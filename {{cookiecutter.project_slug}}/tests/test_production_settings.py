"""Production settings refuse to start half-configured, and pass Django's deploy checks."""

import io
import runpy
import secrets
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": secrets.token_hex(32),
    "DATABASE_URL": "postgres://app:app@db.invalid:5432/app",
    "ALLOWED_HOSTS": "api.example.com",
    # Needed where invitations send mail (tenancy=organizations); read by nothing otherwise.
    "EMAIL_URL": "smtp+tls://mailer:mail-password@smtp.example.com:587",
    "INVITATION_LINK": "https://app.example.com/invitations/{token}",
}


@pytest.mark.parametrize("variable", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(monkeypatch, variable):
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(variable)

    with pytest.raises(ImproperlyConfigured, match=f"need the {variable} environment variable"):
        runpy.run_module("config.settings.production")


def test_production_passes_the_deploy_checklist(monkeypatch):
    """`manage.py check --deploy --fail-level WARNING`, run here on the production values.

    Every setting production.py sets differently from the test settings is overridden (the
    database aside: the checks do not connect), so the checks see production's values
    without a second Django process. CI runs the command itself too.
    """
    production = production_settings(monkeypatch)
    # Not LOGGING either: Django 6 configures logging again when it changes, which would
    # take the run's log watch (tests/leaks.py) off the root logger.
    differing = {
        name: value
        for name, value in production.items()
        if name.isupper()
        and name not in ("DATABASES", "LOGGING")
        and getattr(settings, name, None) != value
    }

    with override_settings(**differing):
        call_command("check", deploy=True, fail_level="WARNING", stdout=io.StringIO())


def production_settings(monkeypatch, **extra) -> dict:
    """The production settings under PRODUCTION_ENV plus ``extra``, base.py read afresh."""
    for name, value in {**PRODUCTION_ENV, **extra}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delitem(sys.modules, "config.settings.base")
    return runpy.run_module("config.settings.production")


def test_counters_are_shared_by_every_worker_without_extra_services(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    settings = production_settings(monkeypatch)

    assert settings["CACHES"]["default"]["BACKEND"].endswith("DatabaseCache")
    assert settings.get("AXES_HANDLER", "axes.handlers.database.AxesDatabaseHandler").endswith(
        "AxesDatabaseHandler"
    )


def test_counters_live_in_redis_when_it_is_configured(monkeypatch):
    settings = production_settings(monkeypatch, REDIS_URL="redis://cache.invalid:6379/0")

    assert settings["CACHES"]["default"]["BACKEND"].endswith("RedisCache")
    assert settings["AXES_HANDLER"] == "axes.handlers.cache.AxesCacheHandler"


def test_database_timeouts_come_from_the_environment(monkeypatch):
    settings = production_settings(monkeypatch, DB_CONNECT_TIMEOUT="3", DB_STATEMENT_TIMEOUT="7")
    options = settings["DATABASES"]["default"]["OPTIONS"]

    assert options["connect_timeout"] == 3
    assert options["options"] == "-c statement_timeout=7000"


def test_only_the_trusted_proxy_count_makes_x_forwarded_for_count(monkeypatch):
    assert production_settings(monkeypatch)["REST_FRAMEWORK"]["NUM_PROXIES"] == 0
    assert production_settings(monkeypatch, NUM_PROXIES="1")["REST_FRAMEWORK"]["NUM_PROXIES"] == 1


def test_static_files_carry_the_security_headers_too(monkeypatch):
    # WhiteNoise answers static files itself: only the middleware before it touches them.
    middleware = production_settings(monkeypatch)["MIDDLEWARE"]
    whitenoise = middleware.index("whitenoise.middleware.WhiteNoiseMiddleware")

    assert middleware.index("django.middleware.security.SecurityMiddleware") < whitenoise
    assert middleware.index("api.headers.SecurityHeadersMiddleware") < whitenoise
    assert whitenoise < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
