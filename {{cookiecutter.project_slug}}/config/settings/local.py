"""Development: DEBUG on, and an embedded PostgreSQL in .pgdata/ unless DATABASE_URL is set.

Variables in .env (git-ignored) apply here, under whatever the shell exports. It holds this
checkout's own SECRET_KEY: the bake wrote a random one, and a fresh clone gets one on first
use. No key is committed, so nobody can sign sessions or tokens for your development server.
"""

import secrets
from pathlib import Path

import environ

ENV_FILE = Path(__file__).resolve().parent.parent.parent / ".env"
if ENV_FILE.exists():
    environ.Env.read_env(ENV_FILE)

from config.database import database_settings  # noqa: E402

from .base import *  # noqa: E402, F403
from .base import BASE_DIR, DATABASE_OPTIONS, env  # noqa: E402


def development_secret_key() -> str:
    """SECRET_KEY from the environment or .env; a new random one saved to .env if neither."""
    key: str = env.str("SECRET_KEY", default="")
    if not key:
        key = secrets.token_hex(32)
        with ENV_FILE.open("a") as dotenv:
            dotenv.write(f"SECRET_KEY={key}\n")
    return key


DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = development_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

DATABASES = {
    "default": database_settings(
        env, BASE_DIR / ".pgdata", throwaway=False, options=DATABASE_OPTIONS
    ),
}
