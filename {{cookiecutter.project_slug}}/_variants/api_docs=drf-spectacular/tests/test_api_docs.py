"""OpenAPI schema and docs UI (drf-spectacular): valid, and honest about access.

What generated clients (openapi-python-client, openapi-typescript) and contract testers
(schemathesis) rely on is specified here: JSON request bodies, every error documented in
one shape with the status codes the API really answers, public operations said to be
public, the CSRF token a session needs, the API-key scheme and the scope each operation
asks of a key, response fields that are always there marked
required, validation limits in the types, and stable names for every operation.
"""

import base64
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.urls import get_resolver, reverse
from rest_framework.test import APIClient

from api.management.commands.permission_report import describe, routes
from api.note_access import NOTE_OBJECT_RULE
from api.serializers import NoteSerializer
from tests.access_policy import POLICY
from tests.actors import ACTORS, note_list_url
from tests.auth import ANONYMOUS_STATUS, CREDENTIALS_ROUTE, SECURITY_SCHEME

METHODS = ("get", "put", "post", "patch", "delete")
UNSAFE = {"put", "post", "patch", "delete"}
TAGS = {"notes", "authentication", "account", "service", "organizations", "keys"}
ERROR_REF = "#/components/schemas/Error"
SESSION = SECURITY_SCHEME == "cookieAuth"
THROTTLED = bool(settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_CLASSES"))
ORGANIZATIONS = apps.is_installed("organizations")
API_KEY_SCHEME = "apiKeyAuth"


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker) -> dict[str, Any]:
    """The schema as served, generated once for the module's tests, which only read it."""
    with django_db_blocker.unblock():
        response = APIClient().get(reverse("schema"))
    assert response.status_code == 200
    document: dict[str, Any] = yaml.safe_load(response.content)
    return document


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) for every operation of the schema."""
    return [
        (path, method, item[method])
        for path, item in schema["paths"].items()
        for method in METHODS
        if method in item
    ]


def operation(schema: dict[str, Any], operation_id: str) -> dict[str, Any]:
    (found,) = [op for _, _, op in operations(schema) if op["operationId"] == operation_id]
    return found


def codes(op: dict[str, Any]) -> set[int]:
    return {int(code) for code in op["responses"]}


def component(schema: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = schema["components"]["schemas"][name]
    return found


def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(tmp_path / "s.yml"))


# A parameter of a URL pattern, as in "notes/<int:pk>/", and its converter if it has one.
URL_PARAMETER = re.compile(r"<(?:\w+:)?(?P<name>\w+)>")


def schema_path(route: str) -> str:
    """The schema's path for a URL name: its pattern with each parameter in braces, as
    drf-spectacular writes them, and "pk" by the model's name for it: /api/notes/{id}/."""
    (path,) = [path for path, name, _ in routes(get_resolver().url_patterns) if name == route]
    return URL_PARAMETER.sub(in_braces, path)


def in_braces(parameter: re.Match[str]) -> str:
    name = parameter["name"]
    return "{" + ("id" if name == "pk" else name) + "}"


def test_schema_describes_the_api(schema):
    described = {schema_path(route) for route in ("note-list", "note-detail", "me", "vip")}

    assert schema["openapi"].startswith("3.")
    assert described <= set(schema["paths"])


# Request bodies -----------------------------------------------------------------------------


def test_request_bodies_are_json_only(schema):
    # Forms stay accepted for the browsable API, but a schema offering them made generated
    # clients send multipart, and openapi-python-client write a union it could not import.
    bodies = {
        (path, method): set(op["requestBody"]["content"])
        for path, method, op in operations(schema)
        if "requestBody" in op
    }

    assert bodies, "no operation documents a request body"
    assert {key: media for key, media in bodies.items() if media != {"application/json"}} == {}


# Errors -------------------------------------------------------------------------------------


def test_errors_have_one_documented_shape(schema):
    error = component(schema, "Error")

    assert set(error["required"]) == {"detail", "code"}
    assert error["properties"]["detail"]["type"] == "string"
    assert error["properties"]["code"]["type"] == "string"
    fields = error["properties"]["fields"]  # 400 validation errors only: optional
    assert fields["type"] == "object"
    assert fields["additionalProperties"] == {"type": "array", "items": {"type": "string"}}


def test_every_operation_documents_success_and_errors_in_the_error_shape(schema):
    for path, method, op in operations(schema):
        responses = op["responses"]
        assert any(200 <= code < 300 for code in codes(op)), (path, method)
        errors = {code: responses[str(code)] for code in codes(op) if code >= 400}
        assert errors, (path, method)
        for code, response in errors.items():
            if (op["operationId"], code) == ("getHealth", 503):
                continue  # the health check answers its own body, {"status": "unavailable"}
            ref = response["content"]["application/json"]["schema"]["$ref"]
            assert ref == ERROR_REF, (path, method, code)
            assert response["description"], (path, method, code)


def test_anonymous_requests_are_refused_as_the_first_authentication_class_says(schema):
    me = operation(schema, "getMe")

    assert ANONYMOUS_STATUS in codes(me)
    if SESSION:  # no challenge to answer: DRF refuses with 403; a 401 is an API key's only
        unauthorized = [op["responses"]["401"] for *_, op in operations(schema) if 401 in codes(op)]
        assert unauthorized
        assert all("`Api-Key`" in response["description"] for response in unauthorized)
    else:
        assert "WWW-Authenticate" in me["responses"]["401"]["headers"]


def test_error_status_codes_follow_what_each_operation_does(schema):
    for path, method, op in operations(schema):
        documented = codes(op)
        reads_body = method in {"post", "put", "patch"}
        assert 400 in documented, (path, method)  # also: a NUL byte in a header
        assert (413 in documented) == reads_body, (path, method)
        assert (415 in documented) == reads_body, (path, method)
        assert 503 in documented, (path, method)
        if "{" in path:
            assert 404 in documented, (path, method)
        if THROTTLED and op["operationId"] != "getHealth":
            assert 429 in documented, (path, method)


def test_credential_endpoints_document_the_login_lockout(schema):
    # 429 with or without throttling: django-axes locks a username out after failures.
    assert 429 in codes(operation(schema, "login"))
    assert 429 in codes(operation(schema, "changePassword"))


def test_429_is_documented_exactly_where_it_can_happen(schema):
    # Throttled or not, the lockouts and sending invitations (where organizations exist);
    # with throttling, every operation but the health check.
    every = {op["operationId"] for _, _, op in operations(schema)}
    always = {"login", "changePassword", "createInvitation"} & every
    expected = every - {"getHealth"} if THROTTLED else always

    assert {op["operationId"] for _, _, op in operations(schema) if 429 in codes(op)} == expected


# The API's rows: not the browsable API's login pages, not the docs themselves.
API_ROWS = [
    pytest.param(route, method, statuses, id=f"{route}-{method}")
    for (route, method), statuses in POLICY.items()
    if not route.startswith("rest_framework:") and route not in {"schema", "docs", "redoc"}
]


@pytest.mark.parametrize(("route", "method", "statuses"), API_ROWS)
def test_every_status_the_access_policy_answers_is_documented(schema, route, method, statuses):
    # tests/test_access_policy.py plays these rows against the API: what they answer, the
    # schema says. A method the route does not have is no operation (405, once logged in).
    item = schema["paths"][schema_path(route)]
    if method.lower() not in item:
        assert 405 in statuses
        return

    assert set(statuses) - codes(item[method.lower()]) == set()


def test_a_body_that_is_not_json_is_refused_as_documented(schema, client_for):
    response = client_for("owner").post(note_list_url(), "title=x", content_type="text/plain")

    assert response.status_code == 415
    assert 415 in codes(operation(schema, "createNote"))


# Security -----------------------------------------------------------------------------------


def test_security_scheme_matches_the_authentication(schema):
    schemes = schema["components"]["securitySchemes"]

    assert SECURITY_SCHEME in schemes
    assert {SECURITY_SCHEME: []} in schema["paths"][schema_path("note-list")]["get"]["security"]


def test_public_endpoints_are_documented_as_public(schema):
    health = schema["paths"]["/api/health/"]["get"]

    assert health.get("security", []) in ([], [{}])
    assert "Permissions: none: public." in health["description"]


@pytest.mark.parametrize(
    ("operation_id", "route"), [("getApiRoot", "api-root"), ("getHealth", "health")]
)
def test_operations_anyone_may_call_need_no_credentials(schema, db, operation_id, route):
    # security [] says "none", where no `security` would mean "as the document's default".
    assert operation(schema, operation_id)["security"] == []
    assert APIClient().get(reverse(route)).status_code == 200


def test_operations_say_whether_they_need_a_login(schema):
    # Public: no permission class, or a read under IsAuthenticatedOrReadOnly. Anyone may
    # call those ([], or {} among the alternatives); no other operation offers that.
    for path, method, op in operations(schema):
        requirements = op["security"]
        anyone = not requirements or any(set(r) <= {"csrfToken"} for r in requirements)
        public = "Permissions: none: public." in op["description"]
        # A member's read is never anonymous, whatever the global policy.
        open_read = (
            method == "get"
            and "IsAuthenticatedOrReadOnly" in op["description"]
            and "IsOrganizationMember" not in op["description"]
        )

        assert anyone == (public or open_read), (path, method)


def test_notes_are_readable_anonymously_exactly_when_the_policy_says(schema, db):
    list_notes = operation(schema, "listNotes")
    create = operation(schema, "createNote")
    open_reads = POLICY["note-list", "GET"][ACTORS.index("anonymous")] == 200

    assert ({} in list_notes["security"]) == open_reads  # optional: a login may see more
    assert {} not in create["security"]
    assert (APIClient().get(note_list_url()).status_code == 200) == open_reads


def test_session_writes_name_the_csrf_token_they_need(schema):
    # SessionAuthentication is in every project (the browsable API), so every unsafe
    # operation a session may call needs the token: with the session cookie, never alone.
    scheme = schema["components"]["securitySchemes"]["csrfToken"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-CSRFToken")
    assert "csrftoken" in scheme["description"]

    for path, method, op in operations(schema):
        for requirement in op["security"]:
            with_session = "cookieAuth" in requirement
            if method in UNSAFE and with_session:
                assert "csrfToken" in requirement, (path, method)
            if method not in UNSAFE:
                assert "csrfToken" not in requirement, (path, method)


def test_login_asks_for_nothing_but_the_session_options_csrf_token(schema):
    # A session login needs the CSRF token that getCsrfToken hands out; a token login, nothing.
    login = operation(schema, "login")

    assert login["security"] == ([{"csrfToken": []}] if SESSION else [])
    if SESSION:  # without the token: 403
        assert 403 in codes(login)
        assert operation(schema, "getCsrfToken")["security"] == []


# API keys -----------------------------------------------------------------------------------


def test_api_keys_have_a_security_scheme_in_the_authorization_header(schema):
    scheme = schema["components"]["securitySchemes"][API_KEY_SCHEME]

    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert "`Authorization: Api-Key <key>`" in scheme["description"]
    assert "`Api-Key ` prefix" in scheme["description"]


# The scope an API key needs, operation by operation; None: the operation refuses keys. A key
# reads and writes notes (and, with organizations, reads the members) and nothing else: not
# the account, the credentials, the keys themselves, nor the organizations' management.
KEY_SCOPES = {
    "listNotes": "notes:read",
    "getNote": "notes:read",
    "createNote": "notes:write",
    "replaceNote": "notes:write",
    "updateNote": "notes:write",
    "deleteNote": "notes:write",
    "getMe": None,
    "getVip": None,
    "logoutAll": None,
    "changePassword": None,
    "listApiKeys": None,
    "createApiKey": None,
    "getApiKey": None,
    "revokeApiKey": None,
}
ORGANIZATION_KEY_SCOPES = {
    "listMembers": "members:read",
    "getMember": "members:read",
    "changeMemberRole": None,
    "removeMember": None,
    "listOrganizations": None,
    "createOrganization": None,
    "getOrganization": None,
    "updateOrganization": None,
    "deleteOrganization": None,
    "listInvitations": None,
    "createInvitation": None,
    "revokeInvitation": None,
    "acceptInvitation": None,
    "listOrganizationAuditEvents": None,
}
KEY_ROWS = KEY_SCOPES | (ORGANIZATION_KEY_SCOPES if ORGANIZATIONS else {})


@pytest.mark.parametrize(("operation_id", "scope"), KEY_ROWS.items(), ids=list(KEY_ROWS))
def test_each_operation_says_what_an_api_key_needs(schema, operation_id, scope):
    op = operation(schema, operation_id)
    description = op["description"]

    assert op.get("x-api-key-scope") == scope
    assert ({API_KEY_SCHEME: []} in op["security"]) == (scope is not None)
    if scope is None:
        assert "API keys are not accepted: use a person's credential." in description
        assert "does not accept" in op["responses"]["403"]["description"]
    else:
        assert f"An API key needs the `{scope}` scope" in description
        assert f"without the `{scope}` scope" in op["responses"]["403"]["description"]
    assert 401 in codes(op)  # a key that is not valid, revoked or expired


def test_only_operations_that_accept_keys_list_their_scheme(schema):
    # Public operations ignore a key, as they ignore any credential: nothing to say there.
    for path, method, op in operations(schema):
        lists_scheme = any(API_KEY_SCHEME in requirement for requirement in op["security"])
        assert lists_scheme == ("x-api-key-scope" in op), (path, method)
        if {API_KEY_SCHEME: []} in op["security"]:
            assert op["security"].count({API_KEY_SCHEME: []}) == 1, (path, method)
    assert any("x-api-key-scope" in op for _, _, op in operations(schema))


def test_a_key_gets_in_with_the_scope_the_schema_names_and_not_without(schema, client_for):
    # read_key holds notes:read (tests/actors.py): what listNotes asks, not what createNote does.
    reader = client_for("read_key")
    needed = operation(schema, "createNote")["x-api-key-scope"]

    assert operation(schema, "listNotes")["x-api-key-scope"] == "notes:read"
    assert reader.get(note_list_url()).status_code == 200
    refused = reader.post(note_list_url(), {"title": "From a key"}, format="json")
    assert refused.status_code == 403
    assert needed in refused.json()["detail"]


# Types --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Note", "Me"])
def test_response_fields_the_api_always_sends_are_required(schema, name):
    model = component(schema, name)

    assert set(model["required"]) == set(model["properties"])


def test_pages_always_carry_their_links(schema):
    assert set(component(schema, "PaginatedNoteList")["required"]) == {
        "next",
        "previous",
        "results",
    }


def test_usernames_carry_no_form_help_text(schema):
    assert "Required. 150 characters" not in yaml.safe_dump(schema)


# What the serializer accepts and refuses, at the edges: blank once trimmed (str.strip()'s
# whitespace, NBSP and the separators \x1c-\x1f included), NUL, the length limit.
TITLES = ["a", " a ", "a b", "", "   ", "\t\n", "\u00a0", "\x1c", "a\x00", "é" * 200, "é" * 201]


def test_note_limits_are_the_ones_validation_enforces(schema):
    request = component(schema, "NoteRequest")["properties"]
    title, body = request["title"], request["body"]

    assert (title["minLength"], title["maxLength"]) == (1, 200)
    assert body["maxLength"] == settings.NOTE_BODY_MAX_LENGTH
    assert not re.search(body["pattern"], "a\x00b")
    assert re.search(body["pattern"], "")


@pytest.mark.parametrize("title", TITLES)
def test_title_pattern_accepts_exactly_what_the_serializer_accepts(schema, title):
    rule = component(schema, "NoteRequest")["properties"]["title"]
    serializer = NoteSerializer(data={"title": title, "body": ""})
    fits_schema = (
        re.search(rule["pattern"], title) is not None
        and rule["minLength"] <= len(title) <= rule["maxLength"]
    )

    assert fits_schema == serializer.is_valid()


def test_pages_show_how_to_follow_them(schema):
    page = component(schema, "PaginatedNoteList")
    link = urlsplit(page["properties"]["next"]["example"])
    cursor = parse_qs(link.query)["cursor"][0]

    assert "until `next` is null" in page["description"]
    assert link.path == schema_path("note-list")
    assert '"' not in page["properties"]["next"]["example"]
    assert parse_qs(base64.b64decode(cursor).decode())["p"]  # a real cursor: a position
    assert urlsplit(page["properties"]["previous"]["example"]).path == schema_path("note-list")


# Names --------------------------------------------------------------------------------------


def test_operations_have_unique_readable_names(schema):
    ids = [op["operationId"] for _, _, op in operations(schema)]

    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]*)*", op_id) for op_id in ids), ids
    assert {
        "listNotes",
        "createNote",
        "getNote",
        "replaceNote",
        "updateNote",
        "deleteNote",
        "getApiRoot",
        "getHealth",
        "getMe",
        "getVip",
        "login",
        "logout",
        "logoutAll",
        "changePassword",
        "listApiKeys",
        "createApiKey",
        "getApiKey",
        "revokeApiKey",
    } <= set(ids)
    assert ("refreshToken" in ids) == (SECURITY_SCHEME == "jwtAuth")
    assert ("getCsrfToken" in ids) == SESSION


def test_every_operation_has_a_summary_and_a_known_tag(schema):
    for path, method, op in operations(schema):
        assert op.get("summary") and "\n" not in op["summary"], (path, method)
        assert op.get("tags") and set(op["tags"]) <= TAGS, (path, method)
    assert "default" not in yaml.safe_dump([op.get("tags") for _, _, op in operations(schema)])


def test_descriptions_speak_to_the_api_users(schema):
    # Internal names belong in code comments, not in what the API's users read.
    internal = ["NOTES_PER_USER", "_MAX_LENGTH", "get_object", "throttle", "simplejwt", "->"]
    internal += ["serializer", "api/", "SECURITY.md", "AUTH_PASSWORD_VALIDATORS"]
    described = {f"{method} {path}": op["description"] for path, method, op in operations(schema)}
    described |= {
        name: model.get("description", "")
        for name, model in schema["components"]["schemas"].items()
    }
    described["info"] = schema["info"]["description"].replace("/api/", "")
    leaked = {
        where: [word for word in internal if word in text]
        for where, text in described.items()
        if any(word in text for word in internal)
    }

    assert leaked == {}


def test_each_operation_names_its_permission_classes(schema):
    assert "Permissions: IsVIP." in schema["paths"]["/api/vip/"]["get"]["description"]
    detail = schema["paths"][schema_path("note-detail")]["put"]["description"]
    assert "Permissions: " in detail
    assert describe(NOTE_OBJECT_RULE) in detail


# Docs pages ---------------------------------------------------------------------------------


def test_docs_page_is_served(db):
    response = APIClient().get(reverse("docs"))

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


@pytest.mark.parametrize("page", ["docs", "redoc"])
def test_docs_pages_load_their_assets_from_our_static_files(db, page):
    response = APIClient().get(reverse(page))
    html = response.content.decode()

    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn.jsdelivr.net" not in html
    assert "https://" not in html
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_schema_tells_readers_how_to_authenticate(schema):
    description = schema["info"]["description"]

    assert "## Authentication" in description
    assert reverse(CREDENTIALS_ROUTE) in description


def test_swagger_ui_starts_from_a_script_url_and_forgets_pasted_credentials(db):
    page = APIClient().get(reverse("docs")).content.decode()
    script = APIClient().get(reverse("docs"), {"script": ""})

    assert "<script>" not in page  # the start-up script comes from ?script, not inline
    assert script["Content-Type"].startswith("application/javascript")
    assert '"persistAuthorization": false' in script.content.decode()
