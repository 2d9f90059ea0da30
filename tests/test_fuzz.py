"""Schemathesis against the live OpenAPI schema of a baked service, anonymous and logged in.

For each authentication option (with drf-spectacular): bake, migrate a fresh database on the
run's PostgreSQL, start the development server, and let schemathesis generate requests from
/api/schema/. It must find no server error (5xx), no response that breaks the schema, no status
code the schema does not document for its operation, and no operation whose documented
security the service ignores.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import matrix
from tests.serve import fresh_database, manage, runserver, serving

# Prints the header a logged-in client sends, for a fresh user, per authentication option.
CREDENTIAL = """
import django

django.setup()
from users.models import User

user = User.objects.create_user("fuzzer", password="fuzz-password-0123")
kind = "{kind}"
if kind == "token":
    from knox.models import AuthToken

    _, key = AuthToken.objects.create(user)
    print("Authorization: Token " + key)
elif kind == "jwt":
    from api.authentication import RefreshToken  # its tokens carry the user's security stamp

    print("Authorization: Bearer " + str(RefreshToken.for_user(user).access_token))
else:
    from django.test import Client

    client = Client()
    client.force_login(user)
    print("Cookie: sessionid=" + client.cookies["sessionid"].value)
"""
SCHEMATHESIS = Path(sys.executable).with_name("st")


@pytest.mark.parametrize("authentication", matrix.OPTIONS["authentication"])
def test_schemathesis_finds_no_server_error_or_schema_violation(
    bakery, database_url_for, tmp_path, authentication
):
    # Throttling off: fuzzing is a flood by design, and 429s would hide the answers.
    project = bakery.private_copy(
        {"authentication": authentication, "api_docs": "drf-spectacular", "throttling": "no"},
        tmp_path,
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "False",
        "DATABASE_URL": fresh_database(database_url_for, f"fuzz_{authentication}"),
    }
    manage(project, env, "migrate", "-v0")
    header = subprocess.run(
        [sys.executable, "-c", CREDENTIAL.format(kind=authentication)],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()

    with serving(runserver(), project, env, tmp_path / "server.log") as base:
        # Logged in, the logout routes stay out: they would end the credential mid-run.
        logged_in = ["-H", header, "--exclude-path-regex", "/api/auth/logout"]
        for who, extra in (("anonymous", []), ("logged in", logged_in)):
            result = subprocess.run(
                [
                    str(SCHEMATHESIS),
                    "run",
                    f"{base}/api/schema/",
                    "--checks",
                    "not_a_server_error,response_schema_conformance,"
                    "status_code_conformance,ignored_auth",
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
