"""gunicorn settings: `gunicorn config.wsgi` reads this file from the working directory.

https://docs.gunicorn.org/en/stable/settings.html
"""

import multiprocessing
import os

# Loopback unless told otherwise: a client that reaches gunicorn past the proxy could
# choose its own X-Forwarded-For. The container image sets GUNICORN_BIND to listen on its
# own network interface, which compose.yaml publishes on the host's loopback only.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 25+ opens a control socket per user ($HOME/.gunicorn/gunicorn.ctl) for
# runtime management; services sharing a user would share it. Not needed here.
control_socket_disable = True
