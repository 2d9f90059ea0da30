"""Development: DEBUG on, and an embedded PostgreSQL in .pgdata/ unless DATABASE_URL is set."""

from config.database import database_settings

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-local-development-only")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

DATABASES = {
    "default": database_settings(env, BASE_DIR / ".pgdata", throwaway=False),
}
