"""Production settings refuse to start half-configured, and pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "production-secret-key-" + "x" * 40,
    "DATABASE_URL": "postgres://app:app@db.invalid:5432/app",
    "ALLOWED_HOSTS": "api.example.com",
}


def manage(*args: str, drop: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, **PRODUCTION_ENV}
    env.pop(drop, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("variable", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(variable):
    result = manage("check", drop=variable)

    assert result.returncode != 0
    assert f"Production settings need the {variable} environment variable" in result.stderr


def test_production_passes_the_deploy_checklist():
    result = manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
