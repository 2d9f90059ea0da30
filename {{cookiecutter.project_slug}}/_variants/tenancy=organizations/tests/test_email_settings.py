"""Invitations go by email: production needs a real mail server, development prints mail."""

import runpy

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.test_production_settings import PRODUCTION_ENV, production_settings


def test_production_refuses_to_start_without_a_mail_server(monkeypatch):
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("EMAIL_URL")

    with pytest.raises(ImproperlyConfigured, match="need the EMAIL_URL environment variable"):
        runpy.run_module("config.settings.production")


def test_production_refuses_to_print_invitation_links_on_stdout(monkeypatch):
    for name, value in {**PRODUCTION_ENV, "EMAIL_URL": "consolemail://"}.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(ImproperlyConfigured, match="would print invitation links in the logs"):
        runpy.run_module("config.settings.production")


def test_production_sends_mail_through_the_server_email_url_names(monkeypatch):
    production = production_settings(monkeypatch)

    assert production["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (production["EMAIL_HOST"], production["EMAIL_PORT"]) == ("smtp.example.com", 587)
    assert production["EMAIL_USE_TLS"] is True
