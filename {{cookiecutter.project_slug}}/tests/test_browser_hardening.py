"""Every HTML page carries a Content-Security-Policy that allows no inline script (django-csp
sends it on Django 5.2, Django itself from 6.0), and the browsable API's login lands on the API."""

import runpy
import sys

import django
import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.actors import url_kwargs
from tests.conftest import PASSWORD


def existing(*routes: str) -> list[str]:
    """The routes this project has (the docs pages come with api_docs)."""
    found = []
    for route in routes:
        try:
            reverse(route)
        except NoReverseMatch:
            continue
        found.append(route)
    return found


HTML_PAGES = ["api-root", "note-list", "rest_framework:login", "admin:login"]
HTML_PAGES += existing("docs", "redoc")


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


@pytest.mark.parametrize("route", HTML_PAGES)
def test_html_pages_allow_scripts_from_this_origin_only(users, note, route):
    client = Client()
    client.force_login(users["owner"])
    url = reverse(route, kwargs=url_kwargs(note).get(route))

    response = client.get(url, HTTP_ACCEPT="text/html")
    policy = directives(response["Content-Security-Policy"])

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "<script>" not in response.content.decode()  # nothing inline for the policy to block


def base_settings_under(monkeypatch, version: tuple[int, int, int, str, int]) -> dict:
    """config/settings/base.py as it reads under Django ``version``."""
    monkeypatch.setattr(django, "VERSION", version)
    monkeypatch.delitem(sys.modules, "config.settings.base")
    return runpy.run_module("config.settings.base")


def test_django_6_sends_the_policy_itself(monkeypatch):
    settings = base_settings_under(monkeypatch, (6, 0, 0, "final", 0))

    assert "django.middleware.csp.ContentSecurityPolicyMiddleware" in settings["MIDDLEWARE"]
    assert settings["SECURE_CSP"] == settings["CONTENT_SECURITY_POLICY_DIRECTIVES"]


def test_django_5_2_sends_it_through_django_csp(monkeypatch):
    settings = base_settings_under(monkeypatch, (5, 2, 0, "final", 0))
    directives = settings["CONTENT_SECURITY_POLICY_DIRECTIVES"]

    assert "csp.middleware.CSPMiddleware" in settings["MIDDLEWARE"]
    assert settings["CONTENT_SECURITY_POLICY"] == {"DIRECTIVES": directives}


def test_login_without_next_lands_on_the_api(users):
    response = Client().post(
        reverse("rest_framework:login"), {"username": "owner", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("api-root")
