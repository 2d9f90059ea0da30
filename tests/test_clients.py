"""Clients generated from the live OpenAPI schema work, unedited, for a whole flow.

For each authentication option and each object rule (the status of another user's note
differs: 403 under owner_or_read_only, 404 under owner_only), with drf-spectacular, no
throttling and IsAuthenticated: bake, migrate a fresh database, create alice and bob (with a
note of bob's), serve with gunicorn and the production settings, fetch /api/schema/, and
with two clients built from that schema alone:

* Python: openapi-python-client generates a package (no hand edit; its ruff post-hooks
  run), which is imported and driven by tests/clients/flow.py;
* TypeScript: openapi-typescript generates the types, tests/clients/flow.ts (with
  common.ts and auth/<option>.ts) calls the service through openapi-fetch, tsc --strict
  type-checks and compiles it, and node runs it. The packages come from
  tests/clients/package-lock.json (`npm ci`, which scripts/test.sh runs); node is required.

Each flow logs alice in through the option's credential endpoint (the session option with
the cookie and CSRF header the schema describes), reads /api/me/, creates five notes and
follows every page's `next` at page_size=2, reads and updates a note, is refused on bob's
note with the object rule's status and an `Error` body the client parsed, deletes its notes,
logs out, and sees the old credential refused with a parsed `Error`. On the way it creates an
API key that may read notes and, sending it as the schema's Api-Key scheme says, lists the
notes with it, is refused a create (403), revokes it and sees it refused (401). The Python
flow first calls the public operations (API root, health) anonymously: their schema must not
ask for a credential.

With tenancy=organizations (per authentication option, owner_or_read_only, and owner_only
once) alice is a member of "acme", which bob owns, with his note; carol owns "globex" and its
note. The flows (tests/clients/flow.py, and flow_organizations.ts instead of flow.ts) work
on acme's notes at /api/orgs/acme/notes/, read alice's memberships, create an organization
of their own (rename it, list its members, make and use an API key there, invite, list and
revoke the invitation; delete it at the end), are refused an invitation in acme (a member's
role is too low) and find nothing of globex: not its notes, nor its note by id under acme's
path (404s, parsed `Error`s); the key finds nothing in acme either. Both clients run against
the same server; every failure (generator, import, tsc, the flow's step) is collected and
shown together. The flows' timings per step are recorded (record_property) and summed up at
the end of the run (tests/conftest.py).
"""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests import matrix
from tests.serve import fresh_database, gunicorn, manage, production_env, serving

CLIENTS = Path(__file__).with_name("clients")
NODE_MODULES = CLIENTS / "node_modules"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PASSWORD = "client-test-password-0123"
# The generated package's name, whatever the schema's title (tests/clients/flow.py imports it).
GENERATOR_CONFIG = "project_name_override: service-client\npackage_name_override: service_client\n"

SEED = f"""
import json
from api.models import Note
from users.models import User

alice = User.objects.create_user("alice", password="{PASSWORD}")
bob = User.objects.create_user("bob", password="{PASSWORD}")
print(json.dumps(Note.objects.create(title="Bob's note", body="", owner=bob).pk))
"""
# tenancy=organizations: alice is a member of acme, which bob owns (and his note is there);
# carol's organization, globex, and its note are out of alice's reach.
SEED_ORGANIZATIONS = f"""
import json
from api.models import Note
from organizations.models import Membership, Organization
from organizations.roles import Role
from users.models import User

alice, bob, carol = (
    User.objects.create_user(name, password="{PASSWORD}", email=f"{{name}}@example.com")
    for name in ("alice", "bob", "carol")
)
acme = Organization.objects.create(name="Acme", slug="acme")
globex = Organization.objects.create(name="Globex", slug="globex")
Membership.objects.create(user=bob, organization=acme, role=Role.OWNER)
Membership.objects.create(user=alice, organization=acme, role=Role.MEMBER)
Membership.objects.create(user=carol, organization=globex, role=Role.OWNER)
notes = {{
    "other": Note.objects.create(title="Bob's note", body="", owner=bob, organization=acme),
    "foreign": Note.objects.create(title="Carol's", body="", owner=carol, organization=globex),
}}
print(json.dumps({{name: note.pk for name, note in notes.items()}}))
"""

CASES = [
    {
        "authentication": authentication,
        "default_permission": "IsAuthenticated",
        "object_access": object_access,
        "api_docs": "drf-spectacular",
        "throttling": "no",  # the flows log in and write more than the credential rate allows
    }
    for authentication in matrix.OPTIONS["authentication"]
    for object_access in matrix.OPTIONS["object_access"]
] + [
    {
        "authentication": authentication,
        "default_permission": "IsAuthenticated",
        "object_access": object_access,
        "tenancy": "organizations",
        "api_docs": "drf-spectacular",
        "throttling": "no",
    }
    for authentication, object_access in (
        ("token", "owner_or_read_only"),
        ("jwt", "owner_or_read_only"),
        ("session", "owner_or_read_only"),
        ("jwt", "owner_only"),
    )
]
# The TypeScript flow, per tenancy option: its paths differ, and tsc checks them.
TYPESCRIPT_FLOW = {"none": "flow.ts", "organizations": "flow_organizations.ts"}


def tenancy(answers: dict) -> str:
    return answers.get("tenancy", "none")


def label(answers: dict) -> str:
    suffix = "" if tenancy(answers) == "none" else f"-{tenancy(answers)}"
    return f"{answers['authentication']}-{answers['object_access']}{suffix}"


def run(command: list, cwd: Path, env: dict | None = None, timeout: float = 300):
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def output(result: subprocess.CompletedProcess, limit: int = 6000) -> str:
    return (result.stdout + result.stderr).strip()[-limit:]


@pytest.fixture(scope="module")
def node() -> str:
    """node, and the packages of tests/clients/package-lock.json: missing is a failure."""
    found = shutil.which("node")
    if found is None:
        pytest.fail("node is missing: the TypeScript client needs Node.js 20 or later on PATH")
    if not (NODE_MODULES / "openapi-fetch").is_dir():
        pytest.fail(f"{NODE_MODULES} is missing: run `npm ci` in {CLIENTS} (scripts/test.sh does)")
    return found


def python_client(tmp: Path, schema: Path, flow_env: dict) -> tuple[list[str], dict]:
    """Generate, import and run the Python flow: (failures, timings)."""
    timings = {}
    (tmp / "generator.yaml").write_text(GENERATOR_CONFIG)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    started = time.monotonic()
    generated = run(
        [
            GENERATOR,
            "generate",
            "--path",
            schema,
            "--meta",
            "none",
            "--output-path",
            tmp / "python" / "service_client",
            "--config",
            tmp / "generator.yaml",
            "--fail-on-warning",
        ],
        cwd=tmp,
        env=env,
    )
    timings["generate"] = time.monotonic() - started
    if generated.returncode != 0:
        return [f"openapi-python-client generate failed:\n{output(generated)}"], timings
    started = time.monotonic()
    flow = run(
        [sys.executable, CLIENTS / "flow.py"],
        cwd=tmp,
        env={**env, **flow_env, "PYTHONPATH": str(tmp / "python")},
    )
    timings["flow"] = time.monotonic() - started
    print(flow.stdout, end="")
    if flow.returncode != 0:
        return [f"the Python client's flow failed:\n{output(flow)}"], timings
    return [], timings


def typescript_client(
    tmp: Path, schema: Path, flow_env: dict, authentication: str, node: str, flow_file: str
) -> tuple[list[str], dict]:
    """Generate types, type-check and compile, run the TypeScript flow: (failures, timings)."""
    timings = {}
    work = tmp / "typescript"
    work.mkdir()
    for name in (flow_file, "common.ts"):
        shutil.copy(CLIENTS / name, work / name)
    shutil.copy(CLIENTS / "auth" / f"{authentication}.ts", work / "auth.ts")
    (work / "node_modules").symlink_to(NODE_MODULES)
    (work / "package.json").write_text('{"type": "module"}\n')
    (work / "tsconfig.json").write_text(
        json.dumps(
            {
                "extends": str(CLIENTS / "tsconfig.json"),
                "compilerOptions": {"outDir": "out"},
                "include": ["*.ts"],
            }
        )
    )
    started = time.monotonic()
    generated = run(
        [node, NODE_MODULES / "openapi-typescript" / "bin" / "cli.js", schema, "-o", "schema.ts"],
        cwd=work,
    )
    timings["generate"] = time.monotonic() - started
    if generated.returncode != 0:
        return [f"openapi-typescript failed:\n{output(generated)}"], timings
    # One pass: tsc --strict type-checks everything and, only when that is clean
    # (noEmitOnError), writes the JavaScript that node runs.
    started = time.monotonic()
    compiled = run([node, NODE_MODULES / "typescript" / "bin" / "tsc", "-p", ".", "--strict"], work)
    timings["tsc"] = time.monotonic() - started
    if compiled.returncode != 0:
        problem = f"tsc --strict rejects the flow against the generated types:\n{output(compiled)}"
        return [problem], timings
    started = time.monotonic()
    compiled_flow = work / "out" / Path(flow_file).with_suffix(".js").name
    flow = run([node, compiled_flow], cwd=work, env={**os.environ, **flow_env})
    timings["flow"] = time.monotonic() - started
    print(flow.stdout, end="")
    if flow.returncode != 0:
        return [f"the TypeScript client's flow failed:\n{output(flow)}"], timings
    return [], timings


@pytest.mark.parametrize("answers", CASES, ids=label)
def test_generated_clients_run_a_whole_flow(
    bakery, database_url_for, tmp_path, record_property, node, answers
):
    started = time.monotonic()
    project = bakery.private_copy(answers, tmp_path)
    env = production_env(fresh_database(database_url_for, f"clients_{CASES.index(answers)}"))
    manage(project, env, "migrate", "-v0")
    organizations = tenancy(answers) == "organizations"
    seeded = json.loads(
        manage(project, env, "shell", "-v0", "-c", SEED_ORGANIZATIONS if organizations else SEED)
    )
    timings = {"bake and migrate": time.monotonic() - started}

    failures = []
    with serving(gunicorn(), project, env, tmp_path / "gunicorn.log") as base:
        with urllib.request.urlopen(f"{base}/api/schema/?format=json", timeout=30) as response:
            schema = tmp_path / "schema.json"
            schema.write_bytes(response.read())
        timings["serve"] = time.monotonic() - started - timings["bake and migrate"]
        flow_env = {
            "CLIENT_BASE_URL": base,
            "CLIENT_AUTHENTICATION": answers["authentication"],
            "CLIENT_OBJECT_ACCESS": answers["object_access"],
            "CLIENT_USER": "alice",
            "CLIENT_PASSWORD": PASSWORD,
            "CLIENT_OTHER_USER": "bob",
            "CLIENT_OTHER_NOTE": str(seeded["other"] if organizations else seeded),
            "CLIENT_SCHEMA": str(schema),
            "CLIENT_TENANCY": tenancy(answers),
        }
        if organizations:
            flow_env |= {
                "CLIENT_ORGANIZATION": "acme",
                "CLIENT_FOREIGN_ORGANIZATION": "globex",
                "CLIENT_FOREIGN_NOTE": str(seeded["foreign"]),
            }
        python_failures, python_timings = python_client(tmp_path, schema, flow_env)
        typescript_failures, typescript_timings = typescript_client(
            tmp_path,
            schema,
            flow_env,
            answers["authentication"],
            node,
            TYPESCRIPT_FLOW[tenancy(answers)],
        )
        failures = python_failures + typescript_failures
    timings |= {f"python {step}": seconds for step, seconds in python_timings.items()}
    timings |= {f"typescript {step}": seconds for step, seconds in typescript_timings.items()}
    total = time.monotonic() - started
    summary = (
        f"{label(answers)}: {total:.1f} s ("
        + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in timings.items())
        + f"); {'passed' if not failures else f'{len(failures)} client(s) failed'}"
    )
    record_property("generated clients", summary)
    print(f"\ngenerated clients {summary}")
    assert not failures, "\n\n".join(failures)
