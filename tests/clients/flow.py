"""A client's whole day through the Python client openapi-python-client generated, unedited.

tests/test_clients.py generates the package ``service_client`` from a baked service's
/api/schema/, puts it on PYTHONPATH and runs this script with the service's address and two
users in CLIENT_* variables. Each step prints one line; the first that fails exits non-zero
with the step's name and what the service answered.

The user also creates an API key that may read notes, sends it as the schema's Api-Key
scheme says (the scheme listNotes lists and createApiKey does not), lists the notes with it,
is refused a create with it (403, the scope), revokes it and sees it refused (401).

With CLIENT_TENANCY=organizations the notes are an organization's: CLIENT_ORGANIZATION, where
the user is a member and the other user owns the other note. The flow then also reads its
memberships, creates an organization of its own (it is the owner: it renames it, lists its
members, makes its API key there, invites, lists and revokes the invitation, and deletes it
at the end), is refused an invitation where it is only a member, and finds nothing of
CLIENT_FOREIGN_ORGANIZATION, where it is no member, not even its note (CLIENT_FOREIGN_NOTE)
by id under its own one's path. Its API key, made in its own organization, finds nothing in
CLIENT_ORGANIZATION either.

The generated operations are found by name, through OPERATIONS alone: a rename in the
schema is a one-line change there. Request bodies are built from the model that the
generated function's signature names, so model names are never spelled here.
"""

import importlib
import inspect
import json
import os
import pkgutil
import re
import sys
import typing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

PACKAGE = "service_client"
# The flow's operations -> their modules under service_client.api (<tag>.<operationId>).
OPERATIONS = {
    "get_csrf_token": "authentication.get_csrf_token",
    "login": "authentication.login",
    "refresh_token": "authentication.refresh_token",
    "logout": "authentication.logout",
    "get_me": "account.get_me",
    "get_api_root": "service.get_api_root",
    "get_health": "service.get_health",
    "list_notes": "notes.list_notes",
    "create_note": "notes.create_note",
    "get_note": "notes.get_note",
    "update_note": "notes.update_note",
    "delete_note": "notes.delete_note",
    "create_api_key": "keys.create_api_key",
    "revoke_api_key": "keys.revoke_api_key",
}
# tenancy=organizations: the organizations' operations too (the notes' take a `slug`).
ORGANIZATION_OPERATIONS = {
    "list_organizations": "organizations.list_organizations",
    "create_organization": "organizations.create_organization",
    "get_organization": "organizations.get_organization",
    "update_organization": "organizations.update_organization",
    "delete_organization": "organizations.delete_organization",
    "list_members": "organizations.list_members",
    "list_invitations": "organizations.list_invitations",
    "create_invitation": "organizations.create_invitation",
    "revoke_invitation": "organizations.revoke_invitation",
}
OPERATIONS |= ORGANIZATION_OPERATIONS
# The operations an authentication option does not have.
NOT_IN = {
    "token": {"get_csrf_token", "refresh_token"},
    "jwt": {"get_csrf_token"},
    "session": {"refresh_token"},
}
# ... nor a tenancy option.
NOT_IN_TENANCY = {"none": set(ORGANIZATION_OPERATIONS), "organizations": set()}
ERROR_MODEL = "Error"  # the component every error response is documented with
# What goes before the credential in its header, per authentication option.
PREFIX = {"token": "Token", "jwt": "Bearer"}
# What goes before an API key in the Authorization header (the schema's scheme says it).
KEY_PREFIX = "Api-Key"
PAGE_SIZE = 2
NOTES = 5  # three pages of PAGE_SIZE

BASE = os.environ["CLIENT_BASE_URL"]
# Every client's address and patience: a login hashes a password, slow on a busy machine.
SERVICE = {"base_url": BASE, "timeout": httpx.Timeout(60)}
AUTHENTICATION = os.environ["CLIENT_AUTHENTICATION"]
OBJECT_ACCESS = os.environ["CLIENT_OBJECT_ACCESS"]
USER, PASSWORD = os.environ["CLIENT_USER"], os.environ["CLIENT_PASSWORD"]
OTHER_USER, OTHER_NOTE = os.environ["CLIENT_OTHER_USER"], int(os.environ["CLIENT_OTHER_NOTE"])
SCHEMA = json.loads(Path(os.environ["CLIENT_SCHEMA"]).read_text())
TENANCY = os.environ.get("CLIENT_TENANCY", "none")
if TENANCY == "organizations":
    ORGANIZATION = os.environ["CLIENT_ORGANIZATION"]
    FOREIGN_ORGANIZATION = os.environ["CLIENT_FOREIGN_ORGANIZATION"]
    FOREIGN_NOTE = int(os.environ["CLIENT_FOREIGN_NOTE"])
# Where the notes are: the notes' operations take the organization's slug, or nothing.
WHERE = {"slug": ORGANIZATION} if TENANCY == "organizations" else {}


class FlowFailed(Exception):
    pass


def fail(message: str) -> typing.NoReturn:
    raise FlowFailed(message)


def generated_operations() -> str:
    """Every generated operation module with its method and path, for a failure message."""
    api = importlib.import_module(f"{PACKAGE}.api")
    found = []
    for module in pkgutil.walk_packages(api.__path__, f"{PACKAGE}.api."):
        if module.ispkg:
            continue
        try:
            kwargs = importlib.import_module(module.name)._get_kwargs
            source = inspect.getsource(kwargs)
        except Exception as error:  # a module that does not import is evidence
            found.append(f"{module.name.removeprefix(PACKAGE + '.api.')} ({error!r})")
            continue
        method = re.search(r'"method": "(\w+)"', source)
        url = re.search(r'"url": f?"([^"]*)"', source)
        described = f"{method[1].upper() if method else '?'} {url[1] if url else '?'}"
        found.append(f"{module.name.removeprefix(PACKAGE + '.api.')} = {described}")
    return "\n  ".join(sorted(found))


def operation(role: str):
    name = OPERATIONS[role]
    try:
        return importlib.import_module(f"{PACKAGE}.api.{name}")
    except ModuleNotFoundError:
        fail(f"no operation {name} in the generated client; it has:\n  {generated_operations()}")


def body_of(module, data: dict):
    """The request body ``data`` as the model the generated function takes."""
    annotation = inspect.signature(module.sync_detailed).parameters["body"].annotation
    models = [
        kind for kind in typing.get_args(annotation) or [annotation] if hasattr(kind, "from_dict")
    ]
    if len(models) != 1:
        fail(f"{module.__name__}: no single body model in {annotation!r}")
    return models[0].from_dict(data)


def call(role: str, client, expected: int, **kwargs):
    """Call operation ``role``; its response, which must have status ``expected``."""
    module = operation(role)
    if "body" in kwargs:
        kwargs["body"] = body_of(module, kwargs["body"])
    response = module.sync_detailed(client=client, **kwargs)
    if response.status_code != expected:
        fail(
            f"{OPERATIONS[role]}: status {response.status_code}, expected {expected}; "
            f"body {response.content[:500]!r}"
        )
    return response


def refused(role: str, client, expected: int, **kwargs):
    """Call ``role`` expecting ``expected`` and an error body the client parsed as Error."""
    response = call(role, client, expected, **kwargs)
    error_model = getattr(importlib.import_module(f"{PACKAGE}.models"), ERROR_MODEL, None)
    if error_model is None:
        fail(f"the schema has no component {ERROR_MODEL}: no model {PACKAGE}.models.{ERROR_MODEL}")
    if not isinstance(response.parsed, error_model):
        fail(
            f"{OPERATIONS[role]}: the {expected} was parsed as {type(response.parsed).__name__}, "
            f"not {ERROR_MODEL}: the schema documents no {ERROR_MODEL} body for status {expected}"
            f" (body {response.content[:300]!r})"
        )
    error = response.parsed
    if not (isinstance(error.detail, str) and isinstance(error.code, str)):
        fail(f"{OPERATIONS[role]}: {ERROR_MODEL} without a string detail and code: {error!r}")
    return error


def security_scheme(kind: str, location: str) -> str:
    """The name (header or cookie) of the schema's apiKey/http scheme of ``kind``."""
    schemes = SCHEMA.get("components", {}).get("securitySchemes", {})
    for scheme in schemes.values():
        if kind == "bearer" and scheme.get("type") == "http" and scheme.get("scheme") == "bearer":
            return "Authorization"
        if scheme.get("type") == "apiKey" and scheme.get("in") == location:
            name = scheme.get("name", "")
            is_authorization = name.lower() == "authorization"
            if (kind == "authorization") == is_authorization:
                return name
    fail(f"the schema describes no {kind} scheme in the {location}: {json.dumps(schemes)}")


def described(operation_id: str) -> dict:
    """The schema's operation ``operation_id``."""
    for item in SCHEMA["paths"].values():
        for found in item.values():
            if isinstance(found, dict) and found.get("operationId") == operation_id:
                return found
    fail(f"the schema has no operation {operation_id}")


def api_key_header() -> str:
    """The header of the API keys' scheme: the one listNotes accepts and createApiKey, which
    needs a person's credential, does not."""
    accepts = {name for need in described("listNotes")["security"] for name in need}
    refuses = {name for need in described("createApiKey")["security"] for name in need}
    if len(accepts - refuses) != 1:
        fail(f"no single API-key scheme: listNotes takes {accepts}, createApiKey {refuses}")
    scheme = SCHEMA["components"]["securitySchemes"][(accepts - refuses).pop()]
    if scheme.get("type") != "apiKey" or f"`{KEY_PREFIX} `" not in scheme.get("description", ""):
        fail(f"the API keys' scheme does not say the {KEY_PREFIX} prefix: {scheme}")
    return scheme["name"]


def cookies_of(client) -> dict:
    """A client's cookies by name: those the server set win over those it was built with
    (httpx keeps both when the server sets a cookie of the same name, with its domain)."""
    jar = client.get_httpx_client().cookies.jar
    return {
        cookie.name: cookie.value for cookie in sorted(jar, key=lambda cookie: bool(cookie.domain))
    }


class Steps:
    def __init__(self):
        self.current = "start"

    def __call__(self, name: str):
        self.current = name
        print(f"python client: {name}", flush=True)


def main() -> None:
    step = Steps()
    try:
        flow(step)
    except FlowFailed as failure:
        print(f"FAILED at step '{step.current}': {failure}", flush=True)
        sys.exit(1)
    except Exception as error:
        print(f"FAILED at step '{step.current}': {error!r}", flush=True)
        raise


def flow(step: Steps) -> None:
    step("import the generated client")
    client_module = importlib.import_module(f"{PACKAGE}.client")
    Client, AuthenticatedClient = client_module.Client, client_module.AuthenticatedClient
    for role in OPERATIONS.keys() - NOT_IN[AUTHENTICATION] - NOT_IN_TENANCY[TENANCY]:
        operation(role)
    anonymous = Client(**SERVICE)
    credentials = {"username": USER, "password": PASSWORD}

    step("public operations, anonymously")
    for role in ("get_api_root", "get_health"):
        call(role, anonymous, 200)
        request = operation(role)._get_kwargs()
        described = SCHEMA["paths"][request["url"]][request["method"]]
        security = described.get("security", SCHEMA.get("security"))
        if not (security is None or security == [] or {} in security):
            fail(f"{OPERATIONS[role]} answers anonymously, yet its schema asks for {security}")

    step("log in")
    if AUTHENTICATION == "session":
        csrf_header = security_scheme("csrf", "header")
        session_cookie = security_scheme("session", "cookie")
        csrf = call("get_csrf_token", anonymous, 200).parsed.csrftoken
        cookies = cookies_of(anonymous)
        login_client = Client(**SERVICE, cookies=cookies, headers={csrf_header: csrf})
        csrf = call("login", login_client, 200, body=credentials).parsed.csrftoken
        cookies = cookies_of(login_client)
        if session_cookie not in cookies:
            fail(f"no {session_cookie} cookie (the schema's) after login: {sorted(cookies)}")
        # The session cookie (and the CSRF cookie) on every request, the token in its header.
        client = AuthenticatedClient(
            **SERVICE, cookies=cookies, token=csrf, prefix="", auth_header_name=csrf_header
        )
    else:
        header = security_scheme("bearer" if AUTHENTICATION == "jwt" else "authorization", "header")
        login = call("login", anonymous, 200, body=credentials).parsed
        if AUTHENTICATION == "token":
            if not (login.token and login.expiry):
                fail(f"login answered no token and expiry: {login!r}")
            key = login.token
        else:
            key, refresh = login.access, login.refresh
            step("refresh the JWT pair")
            pair = call("refresh_token", anonymous, 200, body={"refresh": refresh}).parsed
            old_refresh, key, refresh = refresh, pair.access, pair.refresh
            if refresh == old_refresh:
                fail("the refresh token was not rotated")
        client = AuthenticatedClient(
            **SERVICE, token=key, prefix=PREFIX[AUTHENTICATION], auth_header_name=header
        )

    step("read /api/me/")
    me = call("get_me", client, 200).parsed
    if me.username != USER:
        fail(f"/api/me/ says {me.username!r}, not {USER!r}")
    own_organization = organizations(step, client, me) if TENANCY == "organizations" else None

    step(f"create {NOTES} notes")
    created = []
    for number in range(NOTES):
        body = {"title": f"py {number}", "body": "b"}
        note = call("create_note", client, 201, **WHERE, body=body).parsed
        if note.owner != USER or note.title != f"py {number}":
            fail(f"created note {note!r}")
        created.append(note.id)

    step(f"follow every page's next (page_size={PAGE_SIZE})")
    seen, pages, cursor = [], 0, None
    while True:
        arguments = (
            {"page_size": PAGE_SIZE}
            if cursor is None
            else {"cursor": cursor, "page_size": PAGE_SIZE}
        )
        page = call("list_notes", client, 200, **WHERE, **arguments).parsed
        pages += 1
        if len(page.results) > PAGE_SIZE:
            fail(f"page {pages} has {len(page.results)} notes, page_size is {PAGE_SIZE}")
        seen += [(note.id, note.owner) for note in page.results]
        if not isinstance(page.next_, str):
            break
        query = parse_qs(urlsplit(page.next_).query)
        cursor = query["cursor"][0]
        if pages > 100:
            fail("more than 100 pages")
    ids = [note for note, _ in seen]
    if len(ids) != len(set(ids)) or not set(created) <= set(ids) or pages < 3:
        fail(f"{pages} pages of {ids}, created {created}")
    owners = {owner for _, owner in seen}
    if OBJECT_ACCESS == "owner_only" and owners != {USER}:
        fail(f"owner_only, yet the list shows notes of {owners}")
    if OBJECT_ACCESS == "owner_or_read_only" and OTHER_NOTE not in ids:
        fail(f"owner_or_read_only, yet {OTHER_USER}'s note {OTHER_NOTE} is not listed")

    if TENANCY == "none":  # with organizations, in its own organization (organizations())
        api_key(step, client, WHERE, newest=created[-1])

    step("read one note")
    note = call("get_note", client, 200, **WHERE, id=created[0]).parsed
    if note.id != created[0] or note.title != "py 0":
        fail(f"read {note!r}")

    step("update it")
    renamed = {"title": "py renamed"}
    note = call("update_note", client, 200, **WHERE, id=created[0], body=renamed).parsed
    if (
        note.title != "py renamed"
        or call("get_note", client, 200, **WHERE, id=created[0]).parsed.title != "py renamed"
    ):
        fail(f"the update did not take: {note!r}")

    step(f"be refused on {OTHER_USER}'s note")
    theirs = {**WHERE, "id": OTHER_NOTE}
    if OBJECT_ACCESS == "owner_only":
        refused("get_note", client, 404, **theirs)
        refused("update_note", client, 404, **theirs, body={"title": "mine now"})
    else:
        other = call("get_note", client, 200, **theirs).parsed
        if other.owner != OTHER_USER:
            fail(f"{OTHER_USER}'s note reads {other!r}")
        refused("update_note", client, 403, **theirs, body={"title": "mine now"})

    if TENANCY == "organizations":
        step(f"find nothing of {FOREIGN_ORGANIZATION}, where it is no member")
        refused("get_note", client, 404, slug=ORGANIZATION, id=FOREIGN_NOTE)
        refused("get_note", client, 404, slug=FOREIGN_ORGANIZATION, id=FOREIGN_NOTE)
        refused("list_notes", client, 404, slug=FOREIGN_ORGANIZATION)
        refused("get_organization", client, 404, slug=FOREIGN_ORGANIZATION)

    step("delete the notes it created")
    for identifier in created:
        call("delete_note", client, 204, **WHERE, id=identifier)
    refused("get_note", client, 404, **WHERE, id=created[0])

    if own_organization is not None:
        step("delete the organization it created")
        call("delete_organization", client, 204, slug=own_organization)
        refused("get_organization", client, 404, slug=own_organization)

    step("log out")
    if AUTHENTICATION == "jwt":
        call("logout", anonymous, 204, body={"refresh": refresh})
    else:
        call("logout", client, 204)

    step("the old credential is refused")
    if AUTHENTICATION == "jwt":
        refused("refresh_token", anonymous, 401, body={"refresh": refresh})
    elif AUTHENTICATION == "token":
        refused("get_me", client, 401)
    else:
        # The session ended on the server: the cookies from before the logout, sent again.
        old = AuthenticatedClient(
            **SERVICE, cookies=cookies, token=csrf, prefix="", auth_header_name=csrf_header
        )
        refused("get_me", old, 403)
    print("python client: flow complete", flush=True)


def api_key(step: Steps, client, where: dict, newest: int | None) -> None:
    """Create an API key that reads notes, list the notes with it (``newest`` first, if any),
    be refused a create with it (and, with organizations, find no other organization with
    it), revoke it and see it refused."""
    step("create an API key that may read notes")
    expires_at = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    body = {"name": "Python flow", "scopes": ["notes:read"], "expires_at": expires_at}
    created = call("create_api_key", client, 201, **where, body=body).parsed
    if not created.key or [role_of(scope) for scope in created.scopes] != ["notes:read"]:
        fail(f"created {created!r}")

    step("list the notes with the key alone")
    header = api_key_header()
    machine = importlib.import_module(f"{PACKAGE}.client").AuthenticatedClient(
        **SERVICE, token=created.key, prefix=KEY_PREFIX, auth_header_name=header
    )
    page = call("list_notes", machine, 200, **where, page_size=PAGE_SIZE).parsed
    if newest is not None and [note.id for note in page.results][:1] != [newest]:
        fail(f"the key lists {page.results!r}, not note {newest} first")
    refused("create_note", machine, 403, **where, body={"title": "from a key", "body": ""})
    if TENANCY == "organizations":  # a key acts inside its own organization only
        refused("list_notes", machine, 404, slug=ORGANIZATION)

    step("revoke the key; it is refused")
    call("revoke_api_key", client, 204, **where, id=created.id)
    refused("list_notes", machine, 401, **where)


def role_of(value) -> str:
    """A role as its name, whether the client parsed it into an enum or not."""
    return getattr(value, "value", value)


def organizations(step: Steps, client, me) -> str:
    """The organization steps before the notes: the slug of the organization it created."""
    step("read its memberships in /api/me/")
    mine = {membership.organization: role_of(membership.role) for membership in me.memberships}
    if mine.get(ORGANIZATION) != "member" or FOREIGN_ORGANIZATION in mine:
        fail(f"/api/me/ lists memberships {mine}, not a member of {ORGANIZATION} alone")

    step("list its organizations")
    listed = call("list_organizations", client, 200).parsed
    roles = {organization.slug: role_of(organization.role) for organization in listed.results}
    if roles.get(ORGANIZATION) != "member" or FOREIGN_ORGANIZATION in roles:
        fail(f"listOrganizations lists {roles}")

    step("create an organization, and own it")
    created = call("create_organization", client, 201, body={"name": "Python Flow"}).parsed
    if role_of(created.role) != "owner" or created.name != "Python Flow" or not created.slug:
        fail(f"created {created!r}")
    slug = created.slug
    if role_of(call("get_organization", client, 200, slug=slug).parsed.role) != "owner":
        fail(f"getOrganization: not the owner of {slug}")

    step("rename it")
    body = {"name": "Python Flow, renamed"}
    renamed = call("update_organization", client, 200, slug=slug, body=body).parsed
    if renamed.name != body["name"] or renamed.slug != slug:
        fail(f"renamed {renamed!r}")

    step("list the members")
    members = call("list_members", client, 200, slug=slug).parsed
    found = [(member.username, role_of(member.role)) for member in members.results]
    if found != [(USER, "owner")]:
        fail(f"the members of {slug}: {found}")
    members = call("list_members", client, 200, slug=ORGANIZATION).parsed
    found = {member.username: role_of(member.role) for member in members.results}
    if found.get(USER) != "member" or OTHER_USER not in found:
        fail(f"the members of {ORGANIZATION}: {found}")

    api_key(step, client, {"slug": slug}, newest=None)  # an owner's key for its organization

    step("invite someone, list the invitation, revoke it")
    body = {"email": "newcomer@example.com", "role": "member"}
    invitation = call("create_invitation", client, 201, slug=slug, body=body).parsed
    if invitation.email != body["email"] or role_of(invitation.status) != "pending":
        fail(f"invited {invitation!r}")
    pending = call("list_invitations", client, 200, slug=slug).parsed
    if invitation.id not in [item.id for item in pending.results]:
        fail(f"invitation {invitation.id} is not listed: {pending!r}")
    call("revoke_invitation", client, 204, slug=slug, id=invitation.id)

    step(f"be refused an invitation in {ORGANIZATION}, as a member")
    refused("create_invitation", client, 403, slug=ORGANIZATION, body=body)
    return slug


if __name__ == "__main__":
    main()
