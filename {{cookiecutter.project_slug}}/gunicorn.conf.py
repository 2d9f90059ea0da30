"""gunicorn settings: `gunicorn config.wsgi` reads this file from the working directory.

https://docs.gunicorn.org/en/stable/settings.html
"""

import logging
import multiprocessing
import os

# Loopback unless told otherwise: a client that reaches gunicorn past the proxy could
# choose its own X-Forwarded-For. The container image sets GUNICORN_BIND to listen on its
# own network interface, which compose.yaml publishes on the host's loopback only.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 25+ opens a control socket per user ($HOME/.gunicorn/gunicorn.ctl) for
# runtime management; services sharing a user would share it. Not needed here.
control_socket_disable = True

# LOGGING
# ------------------------------------------------------------------------------
# gunicorn's own records (start-up, workers booted, timed out or killed: "gunicorn.error";
# one line per request: "gunicorn.access") go where the service's go, stdout, in the same
# format: LOG_FORMAT, or by default json under the production settings (config.wsgi's
# default too), as config/settings/production.py decides, and text under any other.
settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.production")
log_format = os.environ.get(
    "LOG_FORMAT", "json" if settings_module == "config.settings.production" else "text"
)
if log_format not in ("text", "json"):
    raise ValueError(f"LOG_FORMAT must be text or json, not {log_format!r}")
log_level = os.environ.get("LOG_LEVEL", "INFO")

# The path without its query string, and no Referer: an invitation's link carries its token
# in ?token=, and clients put secrets in URLs by mistake. The connecting address (the proxy's,
# behind one: the audit events name the client's), the status, the bytes sent, the time taken
# and the worker's pid. Each line's request_id is the response's X-Request-ID (below).
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms %(p)s'


class AccessRequestID(logging.Filter):
    """``request_id`` on gunicorn's records, as on the service's: on an access line, the
    X-Request-ID of its response (audit.middleware.RequestIDMiddleware sets it on every
    response the service makes), so that a search for one id finds the request's access
    line with the rest of its records; None on the others."""

    def filter(self, record: logging.LogRecord) -> bool:
        # gunicorn logs an access line with the request's atoms (every header included)
        # as its arguments; only the response's X-Request-ID is taken from them.
        atoms = record.args if record.name == "gunicorn.access" else None
        record.request_id = atoms.get("{x-request-id}o") if isinstance(atoms, dict) else None
        if isinstance(atoms, dict) and "U" in atoms:
            # The path is percent-decoded: a %0A in it must not start a forged line.
            atoms["U"] = atoms["U"].encode("unicode_escape").decode("ascii")
        return True


logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": AccessRequestID}},
    "formatters": {
        # As config/settings/base.py's LOGGING formats the service's records.
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "audit.logs.JsonFormatter"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": log_format,
        },
    },
    # The master's; each worker's Django settings (LOGGING) then set the root logger's own.
    "root": {"level": log_level, "handlers": ["stdout"]},
    "loggers": {
        "gunicorn.error": {"level": log_level, "handlers": ["stdout"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
    },
}
