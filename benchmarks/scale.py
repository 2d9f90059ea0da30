"""The note API as its table grows: 10^2, 10^4 and 10^6 notes, under gunicorn on PostgreSQL.

One baked project, production settings, one gunicorn worker (wrk and PostgreSQL keep the
other core). The notes table is filled with SQL (`generate_series`, one statement per size,
then ANALYZE), half the notes the requester's and half another user's, with distinct
creation times. At each size wrk loads, from a separate process on loopback:

- the list's first page, `GET /api/notes/`;
- a deep page: the page that starts halfway down the list (its cursor, as a client following
  `next` links would eventually hold it);
- one note, `GET /api/notes/<id>/`;
- `POST /api/notes/`.

The table shows medians over interleaved rounds, and the gunicorn worker's resident memory
after each size. Goal: the first page at 10^6 notes within 1.5x of its latency at 10^2, and
memory flat.

With ``tenancy=organizations`` the same run is organization-scoped: 1,000 organizations,
the requester a member of one, "acme", which holds half the notes (the requester's and the
other user's, alternately); the other half is spread over the other 999. The routes are
/api/orgs/acme/notes/...: the first page must stay as flat while the table and acme grow.

Run: .venv/bin/python -m benchmarks.scale [--duration 5] [--rounds 3] [key=value ...]
Needs wrk (Debian: apt-get install wrk). DATABASE_URL, when set, names the server to use.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import tempfile
from contextlib import ExitStack
from pathlib import Path

import psycopg

from benchmarks.load import OWNER_HEADERS, bake, database_url_for, wrk
from tests.serve import fresh_database, gunicorn, manage, production_env, serving

SIZES = (100, 10_000, 1_000_000)

# Two users (in the "editors" group, which DjangoModelPermissions needs), the owner's
# credential header and both ids.
USERS = (
    """
import json
from django.contrib.auth.models import Group
from users.models import User

for name in ("owner", "other"):
    user = User.objects.create_user(name, password="bench-password-0123")
    user.groups.add(*Group.objects.filter(name="editors"))
owner = User.objects.get(username="owner")
other = User.objects.get(username="other")
"""
    + OWNER_HEADERS
    + """
print(json.dumps({"headers": headers, "owner": owner.pk, "other": other.pk}))
"""
)

# With organizations: 1,000 of them, both users members of the first, "acme".
ORGANIZATIONS = """
from organizations.models import Membership, Organization
from organizations.roles import Role

Organization.objects.bulk_create(
    Organization(name=f"Organization {n}", slug="acme" if n == 0 else f"org-{n}")
    for n in range(1000)
)
acme = Organization.objects.get(slug="acme")
for name in ("owner", "other"):
    user = User.objects.get(username=name)
    Membership.objects.create(user=user, organization=acme, role=Role.MEMBER)
"""

# Notes numbered from `start` to `stop`, alternately the owner's and the other user's, one
# second apart in creation time, newest last.
FILL = """
INSERT INTO api_note (title, body, owner_id, created_at, updated_at)
SELECT 'Note ' || n, repeat('x', 200),
       CASE WHEN n %% 2 = 0 THEN %(owner)s ELSE %(other)s END,
       timestamptz '2026-01-01' + n * interval '1 second',
       timestamptz '2026-01-01' + n * interval '1 second'
FROM generate_series(%(start)s::bigint, %(stop)s::bigint) AS n
"""

# With organizations: half the notes in acme (the owner's and the other user's, alternately),
# the other half spread over the other 999 organizations.
FILL_ORGANIZATIONS = """
INSERT INTO api_note (title, body, owner_id, organization_id, created_at, updated_at)
SELECT 'Note ' || n, repeat('x', 200),
       CASE WHEN n %% 4 = 0 THEN %(owner)s ELSE %(other)s END,
       CASE WHEN n %% 2 = 0 THEN acme.id ELSE acme.id + 1 + n %% 999 END,
       timestamptz '2026-01-01' + n * interval '1 second',
       timestamptz '2026-01-01' + n * interval '1 second'
FROM generate_series(%(start)s::bigint, %(stop)s::bigint) AS n,
     (SELECT id FROM organizations_organization WHERE slug = 'acme') AS acme
"""

# A note halfway down the owner's view of the list, and the cursor of the page that starts
# there: what CursorPagination writes into a `next` link (base64 of "p=<created_at>").
DEEP_CURSOR = """
import json
from base64 import b64encode
from urllib.parse import quote, urlencode
from api.note_access import visible_notes
from users.models import User

requester = User.objects.get(username="owner")
try:
    from organizations.models import Membership
except ImportError:  # no organizations: the flat list
    notes = visible_notes(requester)
else:
    notes = visible_notes(Membership.objects.get(user=requester, organization__slug="acme"))
middle = notes[notes.count() // 2]
cursor = b64encode(urlencode({"p": str(middle.created_at)}).encode()).decode()
print(json.dumps({"cursor": quote(cursor), "note": middle.pk}))
"""

CREATE_SCRIPT = """
wrk.method = "POST"
wrk.body = '{"title": "created by wrk", "body": "load"}'
wrk.headers["Content-Type"] = "application/json"
"""


def worker_resident_kib(log: Path) -> int:
    """VmRSS of the gunicorn worker (the last one booted, as its log says)."""
    pid = re.findall(r"Booting worker with pid: (\d+)", log.read_text())[-1]
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])


def measure(base: str, endpoints: dict, headers: dict, args) -> dict:
    """Median p50 latency (ms) and requests/s per endpoint over interleaved rounds."""
    runs = {name: [] for name in endpoints}
    for path, script in endpoints.values():  # warm up: connections, caches, the worker's imports
        wrk(base + path, headers, 1, args.connections, script)
    for _ in range(args.rounds):
        for name, (path, script) in endpoints.items():
            runs[name].append(wrk(base + path, headers, args.duration, args.connections, script))
    return {
        name: {
            "p50": statistics.median(run["p50"] for run in results),
            "rps": statistics.median(run["rps"] for run in results),
        }
        for name, results in runs.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=SIZES, help="table sizes, ascending"
    )
    parser.add_argument("answers", nargs="*", help="cookiecutter answers, e.g. authentication=jwt")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("ERROR: wrk is not installed (Debian: apt-get install wrk)")
    sizes = sorted(args.sizes)

    results, memory = {}, {}
    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        project = bake(args.answers, root / "bake")
        database = fresh_database(database_url_for(stack, root), "scale_benchmark")
        # Limits far above what a benchmark sends: a 429 would measure the throttle instead.
        env = production_env(database) | {
            "THROTTLE_USER": "1000000/s",
            "THROTTLE_ANON": "1000000/s",
            "JWT_ACCESS_MINUTES": "1440",
            # The requester holds up to half a million notes: creates must not meet the quota.
            "NOTES_PER_USER": "100000000",
        }
        manage(project, env, "migrate", "-v0")
        tenancy = "tenancy=organizations" in args.answers
        seed = USERS + ORGANIZATIONS if tenancy else USERS
        seeded = json.loads(manage(project, env, "shell", "-v0", "-c", seed))
        fill = FILL_ORGANIZATIONS if tenancy else FILL
        notes = "/api/orgs/acme/notes/" if tenancy else "/api/notes/"
        create = root / "create.lua"
        create.write_text(CREATE_SCRIPT)
        log = root / "gunicorn.log"
        base = stack.enter_context(serving(gunicorn(1), project, env, log))
        filled = 0
        for size in sizes:
            with psycopg.connect(database, autocommit=True) as connection:
                owners = {"owner": seeded["owner"], "other": seeded["other"]}
                connection.execute(fill, {**owners, "start": filled + 1, "stop": size})
                connection.execute("ANALYZE api_note")
            filled = size
            deep = json.loads(manage(project, env, "shell", "-v0", "-c", DEEP_CURSOR))
            endpoints = {
                "first page": (notes, None),
                "deep page": (f"{notes}?cursor={deep['cursor']}", None),
                "detail": (f"{notes}{deep['note']}/", None),
                "create": (notes, create),
            }
            results[size] = measure(base, endpoints, seeded["headers"], args)
            memory[size] = worker_resident_kib(log)

    answers = " ".join(args.answers) or "defaults"
    print(
        f"gunicorn 1 worker, production settings, PostgreSQL 18; wrk 1 thread, "
        f"{args.connections} connections, {args.duration} s x {args.rounds} rounds (medians); "
        f"answers: {answers}; {os.cpu_count()} cores, Python {platform.python_version()}\n"
    )
    names = list(results[sizes[0]])
    print("| notes | " + " | ".join(f"{name} p50 / req/s" for name in names) + " | worker RSS |")
    print("|---" * (len(names) + 2) + "|")
    for size in sizes:
        cells = [f"{results[size][n]['p50']:.1f} ms / {results[size][n]['rps']:.0f}" for n in names]
        print(f"| {size:,} | " + " | ".join(cells) + f" | {memory[size] / 1024:.0f} MiB |")
    small, large = sizes[0], sizes[-1]
    ratio = results[large]["first page"]["p50"] / results[small]["first page"]["p50"]
    print(f"\nfirst page p50 at {large:,} / at {small:,} notes: {ratio:.2f} (goal: <= 1.5)")
    print(f"worker RSS at {large:,} / at {small:,} notes: {memory[large] / memory[small]:.2f}")


if __name__ == "__main__":
    main()
