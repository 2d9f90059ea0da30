"""Invitations go by email: production needs a mail server and the front end's link."""

import runpy

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.test_production_settings import PRODUCTION_ENV, production_settings


@pytest.mark.parametrize("variable", ["EMAIL_URL", "INVITATION_LINK"])
def test_production_refuses_to_start_without(monkeypatch, variable):
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(variable)

    with pytest.raises(ImproperlyConfigured, match=f"need the {variable} environment variable"):
        runpy.run_module("config.settings.production")


@pytest.mark.parametrize("email_url", ["consolemail://", "filemail:///var/tmp/mail"])
def test_production_refuses_to_write_invitation_links_to_logs_or_files(monkeypatch, email_url):
    for name, value in {**PRODUCTION_ENV, "EMAIL_URL": email_url}.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(ImproperlyConfigured, match="would write invitation links"):
        runpy.run_module("config.settings.production")


def test_production_refuses_an_invitation_link_without_the_token(monkeypatch):
    for name, value in {**PRODUCTION_ENV, "INVITATION_LINK": "https://app.example.com/"}.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(ImproperlyConfigured, match=r"needs \{token\}"):
        runpy.run_module("config.settings.production")


def test_production_sends_mail_through_the_server_email_url_names(monkeypatch):
    production = production_settings(monkeypatch)

    assert production["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (production["EMAIL_HOST"], production["EMAIL_PORT"]) == ("smtp.example.com", 587)
    assert production["EMAIL_USE_TLS"] is True
