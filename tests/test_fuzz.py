"""Schemathesis against the live OpenAPI schema of a baked service, anonymous and logged in.

For each authentication option (with drf-spectacular): bake, migrate a fresh database on the
run's PostgreSQL, start the development server, and let schemathesis generate requests from
/api/schema/. It must find no server error (5xx) and no response that breaks the schema.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest

from tests import matrix

# Prints the header a logged-in client sends, for a fresh user, per authentication option.
CREDENTIAL = """
import django

django.setup()
from users.models import User

user = User.objects.create_user("fuzzer", password="fuzz-password-0123")
kind = "{kind}"
if kind == "token":
    from rest_framework.authtoken.models import Token

    print("Authorization: Token " + Token.objects.create(user=user).key)
elif kind == "jwt":
    from rest_framework_simplejwt.tokens import AccessToken

    print("Authorization: Bearer " + str(AccessToken.for_user(user)))
else:
    from django.test import Client

    client = Client()
    client.force_login(user)
    print("Cookie: sessionid=" + client.cookies["sessionid"].value)
"""
SCHEMATHESIS = Path(sys.executable).with_name("st")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.3)
    raise AssertionError(f"the service did not start:\n{server.communicate()[0][-3000:]}")


def fresh_database(database_url_for, name: str) -> str:
    """(Re)create database ``name`` on the run's server; its URL."""
    with psycopg.connect(database_url_for("postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return database_url_for(name)


@pytest.mark.parametrize("authentication", matrix.OPTIONS["authentication"])
def test_schemathesis_finds_no_server_error_or_schema_violation(
    bakery, database_url_for, authentication
):
    # Throttling off: fuzzing is a flood by design, and 429s would hide the answers.
    baked = bakery.bake(
        {"authentication": authentication, "api_docs": "drf-spectacular", "throttling": "no"}
    )
    project = baked.path
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "False",
        "DATABASE_URL": fresh_database(database_url_for, f"fuzz_{authentication}"),
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=project, env=env, check=True)
    header = subprocess.run(
        [sys.executable, "-c", CREDENTIAL.format(kind=authentication)],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()

    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/api/health/", server)
        for who, extra in (("anonymous", []), ("logged in", ["-H", header])):
            result = subprocess.run(
                [
                    str(SCHEMATHESIS),
                    "run",
                    f"{base}/api/schema/",
                    "--checks",
                    "not_a_server_error,response_schema_conformance",
                    "--phases",
                    "examples,fuzzing",
                    "--max-examples",
                    "10",
                    "--seed",
                    "1",
                    *extra,
                ],
                cwd=project,  # schemathesis keeps its example database (.hypothesis/) there
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            summary = [line for line in result.stdout.splitlines() if "generated" in line]
            print(f"schemathesis {authentication}, {who}: {summary}")
            assert result.returncode == 0, result.stdout[-5000:]
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=30)
