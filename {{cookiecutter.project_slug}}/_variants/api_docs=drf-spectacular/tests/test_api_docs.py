"""OpenAPI schema and docs UI (drf-spectacular): valid, and honest about access."""

from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from tests.auth import CREDENTIALS_ROUTE, SECURITY_SCHEME


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker) -> dict[str, Any]:
    """The schema as served, generated once for the module's tests, which only read it."""
    with django_db_blocker.unblock():
        response = APIClient().get(reverse("schema"))
    assert response.status_code == 200
    document: dict[str, Any] = yaml.safe_load(response.content)
    return document


def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(tmp_path / "s.yml"))


def test_schema_describes_the_api(schema):
    assert schema["openapi"].startswith("3.")
    assert {"/api/notes/", "/api/notes/{id}/", "/api/me/", "/api/vip/"} <= set(schema["paths"])


def test_security_scheme_matches_the_authentication(schema):
    schemes = schema["components"]["securitySchemes"]

    assert SECURITY_SCHEME in schemes
    assert {SECURITY_SCHEME: []} in schema["paths"]["/api/notes/"]["get"]["security"]


def test_public_endpoints_are_documented_as_public(schema):
    health = schema["paths"]["/api/health/"]["get"]

    assert health.get("security", []) in ([], [{}])
    assert "Permissions: none: public." in health["description"]


def test_each_operation_names_its_permission_classes(schema):
    assert "Permissions: IsVIP." in schema["paths"]["/api/vip/"]["get"]["description"]
    detail = schema["paths"]["/api/notes/{id}/"]["put"]["description"]
    assert "Permissions: " in detail
    assert "IsOwner" in detail


def test_docs_page_is_served(db):
    response = APIClient().get(reverse("docs"))

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


@pytest.mark.parametrize("page", ["docs", "redoc"])
def test_docs_pages_load_their_assets_from_our_static_files(db, page):
    response = APIClient().get(reverse(page))
    html = response.content.decode()

    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn.jsdelivr.net" not in html
    assert "https://" not in html
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_schema_tells_readers_how_to_authenticate(schema):
    description = schema["info"]["description"]

    assert "## Authentication" in description
    assert reverse(CREDENTIALS_ROUTE) in description


def test_swagger_ui_starts_from_a_script_url_and_forgets_pasted_credentials(db):
    page = APIClient().get(reverse("docs")).content.decode()
    script = APIClient().get(reverse("docs"), {"script": ""})

    assert "<script>" not in page  # the start-up script comes from ?script, not inline
    assert script["Content-Type"].startswith("application/javascript")
    assert '"persistAuthorization": false' in script.content.decode()
