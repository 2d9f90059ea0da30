"""Schemathesis against the live OpenAPI schema of a baked service, anonymous and logged in.

For each authentication option (with drf-spectacular): bake, migrate a fresh database on the
run's PostgreSQL, start the development server, and let schemathesis generate requests from
/api/schema/. It must find no server error (5xx), no response that breaks the schema, no status
code the schema does not document for its operation, and no operation whose documented
security the service ignores.

With tenancy=organizations (again per authentication option) the fuzzed user has a place in
a small world first: owner, admin, member and viewer of one organization each, with other
members and notes in them, and a fifth organization it does not belong to. Schemathesis
draws the path parameters mostly from that world (its dictionaries: the slugs, note and
invitation ids, user ids), so requests reach the organization routes' real answers (200s,
the 403 of a role too low, the 409 of the last owner, the 404 of an outsider) and not only
the 404 of a random slug; at least eight organization operations (reading the organization,
its members, its notes and a note among them) must have answered 2xx, or the world was not
used. A session sends its CSRF token there too, so writes get past the CSRF check to the
views.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests import matrix
from tests.serve import LOG_LINE, fresh_database, manage, runserver, serving

# Prints the header a logged-in client sends, for a fresh user, per authentication option
# (a session with {csrf}: also its CSRF cookie and header, one header a line).
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
elif {csrf}:
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    client = Client()
    client.force_login(user)
    token = _get_new_csrf_string()
    print(f"Cookie: sessionid={{client.cookies['sessionid'].value}}; csrftoken={{token}}")
    print("X-CSRFToken: " + token)
else:
    from django.test import Client

    client = Client()
    client.force_login(user)
    print("Cookie: sessionid=" + client.cookies["sessionid"].value)
"""
# tenancy=organizations: the fuzzer's organizations, one per role, each with its owner (the
# fuzzer, or boss), a colleague and a note of each; "elsewhere" is stranger's alone. Prints
# the values schemathesis draws path parameters from.
WORLD = """
import json
from datetime import timedelta

from django.utils import timezone

from api.models import Note
from organizations.models import Invitation, Membership, Organization
from organizations.roles import Role
from users.models import User

fuzzer = User.objects.get(username="fuzzer")
boss, colleague, stranger = (
    User.objects.create_user(name, email=f"{name}@example.com")
    for name in ("boss", "colleague", "stranger")
)
roles = {
    "fuzz-owner": Role.OWNER,
    "fuzz-admin": Role.ADMIN,
    "fuzz-member": Role.MEMBER,
    "fuzz-viewer": Role.VIEWER,
}
ids = []
for slug, role in roles.items():
    organization = Organization.objects.create(name=slug.title(), slug=slug)
    Membership.objects.create(user=fuzzer, organization=organization, role=role)
    if role != Role.OWNER:
        Membership.objects.create(user=boss, organization=organization, role=Role.OWNER)
    Membership.objects.create(user=colleague, organization=organization, role=Role.MEMBER)
    for author in (fuzzer, colleague):
        note = Note.objects.create(title="t", body="b", owner=author, organization=organization)
        ids.append(note.pk)
    invitation = Invitation.objects.create(
        organization=organization,
        email="newcomer@example.com",
        role=Role.VIEWER,
        token_hash=f"{slug:0<64}"[:64],
        invited_by=fuzzer if role == Role.OWNER else boss,
        expires_at=timezone.now() + timedelta(days=7),
    )
    ids.append(invitation.pk)
elsewhere = Organization.objects.create(name="Elsewhere", slug="elsewhere")
Membership.objects.create(user=stranger, organization=elsewhere, role=Role.OWNER)
ids.append(Note.objects.create(title="t", body="b", owner=stranger, organization=elsewhere).pk)
users = [fuzzer.pk, boss.pk, colleague.pk, stranger.pk]
print(json.dumps({"slugs": [*roles, "elsewhere"], "ids": ids, "users": users}))
"""
# Path parameter -> (the world's values it is drawn from, how often rather than generated).
DRAWN_FROM_WORLD = {"slug": ("slugs", 0.9), "id": ("ids", 0.7), "user_id": ("users", 0.7)}
SCHEMATHESIS = Path(sys.executable).with_name("st")


def credential(project: Path, env: dict, authentication: str, csrf: bool = False) -> list[str]:
    """The headers of a logged-in client of a fresh user, "fuzzer" (its login is an audit
    event, logged on stdout too: not a header)."""
    printed = subprocess.run(
        [sys.executable, "-c", CREDENTIAL.format(kind=authentication, csrf=csrf)],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    return [line for line in printed if not LOG_LINE.match(line)]


def dictionaries(world: dict) -> str:
    """schemathesis.toml: the path parameters drawn from ``world`` (JSON lists are TOML's)."""
    lines = []
    for values, _ in DRAWN_FROM_WORLD.values():
        lines += [f"[dictionaries.{values}]", f"values = {json.dumps(world[values])}"]
    lines.append("[parameters]")
    for parameter, (values, probability) in DRAWN_FROM_WORLD.items():
        lines.append(
            f'"path.{parameter}" = {{ dictionary = "{values}", probability = {probability} }}'
        )
    return "\n".join(lines) + "\n"


def fuzz(
    base: str,
    project: Path,
    what: str,
    headers: list[str],
    config: Path | None = None,
    har: Path | None = None,
):
    """Schemathesis anonymously, then logged in with ``headers``; each run must pass. With
    ``har``, the logged-in run's requests and answers are recorded there."""
    options = ["--config-file", str(config)] if config else []
    # Logged in, the logout routes stay out: they would end the credential mid-run.
    logged_in = [
        *(part for header in headers for part in ("-H", header)),
        "--exclude-path-regex",
        "/api/auth/logout",
    ]
    if har:
        logged_in += ["--report", "har", "--report-har-path", str(har)]
    for who, extra in (("anonymous", []), ("logged in", logged_in)):
        result = subprocess.run(
            [
                str(SCHEMATHESIS),
                *options,
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
        print(f"schemathesis {what}, {who}: {summary}")
        assert result.returncode == 0, result.stdout[-5000:]


def answered(har: Path, slugs: list[str]) -> set[str]:
    """The operations under /api/orgs/<one of ``slugs``>/ that answered 2xx in ``har``, as
    "GET /api/orgs/{slug}/notes/{id}/"."""
    found = set()
    for entry in json.loads(har.read_text())["log"]["entries"]:
        parts = urlsplit(entry["request"]["url"]).path.strip("/").split("/")
        if parts[:2] != ["api", "orgs"] or len(parts) < 3 or parts[2] not in slugs:
            continue
        if 200 <= entry["response"]["status"] < 300:
            rest = ["{id}" if part.isdigit() else part for part in parts[3:]]
            found.add(f"{entry['request']['method']} /{'/'.join(['api/orgs/{slug}', *rest])}/")
    return found


def served(bakery, database_url_for, tmp_path, answers: dict, database: str):
    """A private bake of ``answers`` (drf-spectacular, no throttling), migrated, and its env."""
    # Throttling off: fuzzing is a flood by design, and 429s would hide the answers.
    project = bakery.private_copy(
        {**answers, "api_docs": "drf-spectacular", "throttling": "no"}, tmp_path
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "False",
        "DATABASE_URL": fresh_database(database_url_for, database),
    }
    manage(project, env, "migrate", "-v0")
    return project, env


@pytest.mark.parametrize("authentication", matrix.OPTIONS["authentication"])
def test_schemathesis_finds_no_server_error_or_schema_violation(
    bakery, database_url_for, tmp_path, authentication
):
    project, env = served(
        bakery,
        database_url_for,
        tmp_path,
        {"authentication": authentication},
        f"fuzz_{authentication}",
    )
    headers = credential(project, env, authentication)
    with serving(runserver(), project, env, tmp_path / "server.log") as base:
        fuzz(base, project, authentication, headers)


# A header credential (token; a JWT is sent the same way) and a cookie with its CSRF token:
# the flat test above covers each authentication option, these the organizations with each way
# a credential travels.
@pytest.mark.parametrize("authentication", ["token", "session"])
def test_schemathesis_inside_organizations(bakery, database_url_for, tmp_path, authentication):
    answers = {"authentication": authentication, "tenancy": "organizations"}
    project, env = served(
        bakery, database_url_for, tmp_path, answers, f"fuzz_organizations_{authentication}"
    )
    # Invitations are mailed: kept in memory, not printed in the server's log.
    env["EMAIL_URL"] = "memorymail://"
    headers = credential(project, env, authentication, csrf=True)
    world = json.loads(manage(project, env, "shell", "-v0", "-c", WORLD))
    config = tmp_path / "schemathesis.toml"
    config.write_text(dictionaries(world))
    har = tmp_path / "logged-in.har"
    with serving(runserver(), project, env, tmp_path / "server.log") as base:
        fuzz(base, project, f"{authentication}, organizations", headers, config, har)
    # The world worked: the organization routes answered, not only the 404 of a random slug.
    reached = answered(har, world["slugs"])
    print(f"organization operations that answered 2xx: {len(reached)}: {sorted(reached)}")
    assert {
        "GET /api/orgs/{slug}/",
        "GET /api/orgs/{slug}/members/",
        "GET /api/orgs/{slug}/notes/",
        "GET /api/orgs/{slug}/notes/{id}/",
    } <= reached
    assert len(reached) >= 8, sorted(reached)
