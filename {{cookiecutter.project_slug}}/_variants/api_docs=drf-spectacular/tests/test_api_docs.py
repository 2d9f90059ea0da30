"""OpenAPI schema and docs UI (drf-spectacular)."""

import yaml
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient


def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(tmp_path / "s.yml"))


def test_schema_describes_the_api(db):
    response = APIClient().get(reverse("schema"))

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert {"/api/notes/", "/api/notes/{id}/", "/api/me/", "/api/vip/"} <= set(schema["paths"])


def test_docs_page_is_served(db):
    response = APIClient().get(reverse("docs"))

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
