"""Production: everything that matters comes from the environment, and nothing is guessed.
{% if cookiecutter.tenancy == "organizations" %}
Required: SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS, EMAIL_URL, INVITATION_LINK. See README.md
and .env.example.
{%- else %}
Required: SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS. See README.md and .env.example.
{%- endif %}
https://docs.djangoproject.com/en/stable/howto/deployment/checklist/
"""

import os

from django.core.exceptions import ImproperlyConfigured

from config.database import with_options

from .base import *  # noqa: F403
from .base import DATABASE_OPTIONS, LOGGING, env, log_format


def required(name: str, example: str) -> str:
    """The value of environment variable ``name``; a clear error when it is missing."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"Production settings need the {name} environment variable, e.g. {name}={example}"
        )
    return value


DEBUG = False
SECRET_KEY = required("SECRET_KEY", "<50+ random characters>")
ALLOWED_HOSTS = required("ALLOWED_HOSTS", "api.example.com").split(",")
required("DATABASE_URL", "postgres://user:password@db.example.com:5432/app")
{%- if cookiecutter.tenancy == "organizations" %}

# INVITATIONS AND EMAIL
# ------------------------------------------------------------------------------
# Invitations go by email, and their links are secrets: a mail server, never stdout or files.
if required("EMAIL_URL", "smtp+tls://user:password@smtp.example.com:587").startswith(
    ("consolemail:", "filemail:")
):
    raise ImproperlyConfigured(
        "EMAIL_URL=consolemail:// or filemail:// would write invitation links into logs or "
        "files: name a mail server, e.g. smtp+tls://user:password@smtp.example.com:587"
    )
# The page an invitation's link opens: your front end's, never the development default.
INVITATION_LINK = required("INVITATION_LINK", "https://app.example.com/invitations/{token}")
if "{token}" not in INVITATION_LINK:
    raise ImproperlyConfigured("INVITATION_LINK needs {token} where the token goes")
{%- endif %}

# LOGGING
# ------------------------------------------------------------------------------
# One JSON object per line on stdout, each with its request_id, unless LOG_FORMAT=text:
# what a log system (Loki, Elasticsearch, CloudWatch, Datadog) reads without a parsing rule.
LOGGING["handlers"]["console"]["formatter"] = log_format(default="json")

# DATABASE
# ------------------------------------------------------------------------------
# Persistent connections with a health check before reuse; timeouts from base.py.
# https://docs.djangoproject.com/en/stable/ref/databases/#persistent-connections
DATABASES = {"default": with_options(env.db_url("DATABASE_URL"), DATABASE_OPTIONS)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# STATIC FILES
# ------------------------------------------------------------------------------
# WhiteNoise serves the files `manage.py collectstatic` gathers (admin, browsable API,
# docs) from gunicorn itself, compressed and content-hashed.
# https://whitenoise.readthedocs.io/en/stable/django.html
# After the middleware that set security headers (HSTS, nosniff, CSP, Permissions-Policy,
# CORP), so that static files carry them too.
_after_headers = MIDDLEWARE.index("api.headers.SecurityHeadersMiddleware") + 1  # noqa: F405
MIDDLEWARE.insert(_after_headers, "whitenoise.middleware.WhiteNoiseMiddleware")  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# SECURITY
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/stable/ref/middleware/#http-strict-transport-security
# Behind a TLS-terminating proxy, keep SECURE_PROXY_SSL_HEADER so redirects see https.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^api/health/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
