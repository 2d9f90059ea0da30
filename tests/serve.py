"""Serving a baked project for tests and benchmarks: a database, a free port, a live server."""

import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg

# What production settings need, for a server on plain-HTTP loopback: the variables the
# baked README documents, with TLS-only cookies and the HTTPS redirect turned off.
PLAIN_HTTP_PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    # With organizations, production needs a mail server for invitations (here, memory) and
    # the page their links open.
    "EMAIL_URL": "memorymail://",
    "INVITATION_LINK": "http://127.0.0.1/invitations/{token}",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fresh_database(url_for, name: str) -> str:
    """(Re)create database ``name``; ``url_for(name)`` gives a database's URL on the server."""
    with psycopg.connect(url_for("postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url_for(name)


def production_env(database_url: str) -> dict:
    return {
        **os.environ,
        **PLAIN_HTTP_PRODUCTION,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
    }


# A log record on stdout, where the baked project logs: readable ("2026-11-30 00:25:29,693
# INFO audit [None] login.succeeded ...") or one JSON object with its logger.
LOG_LINE = re.compile(r'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ |\{.*"logger": )')


def manage(project: Path, env: dict, *args: str) -> str:
    """Run ``manage.py *args`` in ``project``; what it printed, without the log records the
    project writes to stdout too (a seed's login is an audit event). An error shows stdout
    and stderr in full."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
    lines = result.stdout.splitlines(keepends=True)
    return "".join(line for line in lines if not LOG_LINE.match(line))


def wait_for(url: str, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.2)
    raise AssertionError(f"the service did not start:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def serving(command: list[str], project: Path, env: dict, log: Path) -> Iterator[str]:
    """Start ``command`` (bound to $PORT on 127.0.0.1) and yield its base URL.

    Its output goes to ``log``: a pipe nobody reads would stall the server once full.
    """
    port = free_port()
    env = {**env, "PORT": str(port), "GUNICORN_BIND": f"127.0.0.1:{port}"}
    command = [part.replace("$PORT", str(port)) for part in command]
    with log.open("w") as output:
        server = subprocess.Popen(
            command,
            cwd=project,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/api/health/", server, log)
        yield base
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def gunicorn(workers: int = 2) -> list[str]:
    """gunicorn as the baked README runs it: it reads the project's gunicorn.conf.py."""
    return [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(workers)]


def runserver() -> list[str]:
    return [sys.executable, "manage.py", "runserver", "127.0.0.1:$PORT", "--noreload"]
