"""Tests: a throwaway embedded PostgreSQL unless DATABASE_URL is set; fast password hashing."""

import hashlib
import secrets
import tempfile
from pathlib import Path

from config.database import database_settings

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASE_OPTIONS, env

# A new key per test run: no key in the repository signs anything.
SECRET_KEY = secrets.token_hex(32)
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# One server per checkout, shared by pytest-xdist workers, deleted by the last one out.
_checkout = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:12]
DATABASES = {
    "default": database_settings(
        env,
        Path(tempfile.gettempdir()) / f"{{ cookiecutter.project_slug }}-tests-{_checkout}",
        throwaway=True,
        options=DATABASE_OPTIONS,
    ),
}

# https://docs.djangoproject.com/en/stable/topics/testing/overview/#password-hashing
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Throttle counters in memory: every test starts from zero (tests/conftest.py clears it).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
