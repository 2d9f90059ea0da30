"""Production settings refuse to start half-configured, and pass Django's deploy checks."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

PROJECT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "production-secret-key-" + "x" * 40,
    "DATABASE_URL": "postgres://app:app@db.invalid:5432/app",
    "ALLOWED_HOSTS": "api.example.com",
}


@pytest.mark.parametrize("variable", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(monkeypatch, variable):
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(variable)

    with pytest.raises(ImproperlyConfigured, match=f"need the {variable} environment variable"):
        runpy.run_module("config.settings.production")


def test_production_passes_the_deploy_checklist():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT,
        env={**os.environ, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
