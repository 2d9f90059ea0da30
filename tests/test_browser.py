"""The baked service's web pages in a real browser: headless Chromium, offline, under gunicorn.

For a few representative combinations (each authentication option at least, and each tenancy
option): bake, migrate, collectstatic, serve with the production settings (DEBUG off,
WhiteNoise for static files) under gunicorn, then with Playwright: log in on the browsable
API's login page as alice, see her notes and only the forms the object rule allows, log out,
log in as bob and see the other side; open the docs pages and the admin login. Under
tenancy=organizations alice and bob are members of the organization "acme" and the notes are
its notes, at /api/orgs/acme/notes/: alice sees her organizations with her role, and nothing
of "globex", where she is no member (its notes are neither listed nor reachable: 404).
Every request must stay on loopback and every static file must load. Screenshots land in
artifacts/screenshots/<combination>/.
"""

import json
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests import matrix
from tests.serve import fresh_database, gunicorn, manage, production_env, serving

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = matrix.TEMPLATE / "artifacts" / "screenshots"
PASSWORD = "browser-test-password-0123"

# Flags that keep Chromium from calling home: this machine's network is closed, and the
# test must prove that the pages themselves need nothing beyond loopback.
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# What the Content-Security-Policy refuses, as it should: Redoc's sidebar shows its vendor's
# logo from a CDN. Anything else refused means a page needs something the policy forbids.
EXPECTED_CSP_REFUSALS = ("https://cdn.redoc.ly/",)

# alice and bob, one note each; both may create notes under every global policy
# (DjangoModelPermissions: the "editors" group the data migration creates).
SEED_FLAT = f"""
import json
from django.contrib.auth.models import Group
from api.models import Note
from users.models import User

notes = {{}}
for name in ("alice", "bob"):
    user = User.objects.create_user(name, password="{PASSWORD}")
    user.groups.add(*Group.objects.filter(name="editors"))
    notes[name] = Note.objects.create(title=f"{{name.title()}}'s note", body="", owner=user).pk
User.objects.create_superuser("admin", password="{PASSWORD}")
print(json.dumps(notes))
"""

# tenancy=organizations: alice and bob are members of "acme" (olga owns it), one note each
# there; carol owns "globex", where neither is a member, and its note must never show.
SEED_ORGANIZATIONS = f"""
import json
from django.contrib.auth.models import Group
from api.models import Note
from organizations.models import Membership, Organization
from organizations.roles import Role
from users.models import User

acme = Organization.objects.create(name="Acme", slug="acme")
globex = Organization.objects.create(name="Globex", slug="globex")
editors = Group.objects.filter(name="editors")
people = {{}}
for name in ("olga", "alice", "bob", "carol"):
    people[name] = User.objects.create_user(name, password="{PASSWORD}")
    people[name].groups.add(*editors)
Membership.objects.create(user=people["olga"], organization=acme, role=Role.OWNER)
Membership.objects.create(user=people["alice"], organization=acme, role=Role.MEMBER)
Membership.objects.create(user=people["bob"], organization=acme, role=Role.MEMBER)
Membership.objects.create(user=people["carol"], organization=globex, role=Role.OWNER)
notes = {{
    name: Note.objects.create(
        title=f"{{name.title()}}'s note", body="", owner=people[name], organization=acme
    ).pk
    for name in ("alice", "bob")
}}
notes["carol"] = Note.objects.create(
    title="Carol's note", body="", owner=people["carol"], organization=globex
).pk
User.objects.create_superuser("admin", password="{PASSWORD}")
print(json.dumps(notes))
"""
SEED = {"none": SEED_FLAT, "organizations": SEED_ORGANIZATIONS}
# Where the notes are: the flat routes, or the organization alice and bob belong to.
NOTES_PATH = {"none": "/api/notes/", "organizations": "/api/orgs/acme/notes/"}
OTHER_ORGANIZATION_NOTES = "/api/orgs/globex/notes/"

COMBINATIONS = [
    {
        "authentication": "token",
        "default_permission": "IsAuthenticated",
        "object_access": "owner_or_read_only",
        "tenancy": "none",
        "api_docs": "drf-spectacular",
        "throttling": "yes",
    },
    {
        "authentication": "jwt",
        "default_permission": "IsAuthenticatedOrReadOnly",
        "object_access": "owner_only",
        "tenancy": "none",
        "api_docs": "drf-spectacular",
        "throttling": "no",
    },
    {
        "authentication": "session",
        "default_permission": "DjangoModelPermissions",
        "object_access": "owner_or_read_only",
        "tenancy": "none",
        "api_docs": "drf-spectacular",
        "throttling": "yes",
    },
    {
        "authentication": "session",
        "default_permission": "IsAuthenticated",
        "object_access": "owner_only",
        "tenancy": "none",
        "api_docs": "none",
        "throttling": "no",
    },
    # Organizations: both object rules, both docs options, sessions and a token option.
    {
        "authentication": "token",
        "default_permission": "DjangoModelPermissions",
        "object_access": "owner_or_read_only",
        "tenancy": "organizations",
        "api_docs": "drf-spectacular",
        "throttling": "yes",
    },
    {
        "authentication": "session",
        "default_permission": "IsAuthenticatedOrReadOnly",
        "object_access": "owner_only",
        "tenancy": "organizations",
        "api_docs": "none",
        "throttling": "no",
    },
]


def label(answers: dict) -> str:
    return "-".join(matrix.full(answers)[key] for key in matrix.SERVICE_OPTIONS)


class Browser:
    """One page in a fresh Chromium context that refuses, and records, non-loopback requests."""

    def __init__(self, context, base: str, shots: Path):
        self.base = base
        self.shots = shots
        self.left_loopback: list[str] = []
        self.failed_assets: list[str] = []
        self.page_errors: list[str] = []
        self.csp_violations: list[str] = []
        context.route("**/*", self._only_loopback)
        self.page = context.new_page()
        self.page.on("response", self._record_failed_asset)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        self.page.on("console", self._record_csp_violation)

    def _only_loopback(self, route):
        if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.left_loopback.append(route.request.url)
            route.abort()

    def _record_failed_asset(self, response):
        if "/static/" in response.url and response.status != 200:
            self.failed_assets.append(f"{response.status} {response.url}")

    def _record_csp_violation(self, message):
        refused = "Content Security Policy" in message.text
        if refused and not any(url in message.text for url in EXPECTED_CSP_REFUSALS):
            self.csp_violations.append(f"{self.page.url}: {message.text}")

    def open(self, path: str):
        return self.page.goto(self.base + path)

    def shot(self, name: str) -> None:
        self.page.screenshot(path=self.shots / f"{name}.png", full_page=True)

    def log_in(self, username: str, landing: str) -> None:
        self.open(f"/api-auth/login/?next={landing}")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("[type=submit]")
        self.page.wait_for_url(f"**{landing}")

    def log_out(self) -> None:
        # Bootstrap's dropdown (static JS) opens the menu; logout is a POST with CSRF.
        self.page.click(".navbar .dropdown-toggle")
        with self.page.expect_response(lambda r: "/api-auth/logout/" in r.url) as logout:
            self.page.click("text=Log out")
        assert logout.value.request.method == "POST"
        # Back on the page it came from, now anonymous: the navbar offers "Log in".
        self.page.locator(".navbar").get_by_text("Log in").wait_for()

    def has_delete_button(self) -> bool:
        return self.page.locator("button.btn-danger", has_text="DELETE").count() > 0

    def has_edit_form(self) -> bool:
        return self.page.locator("#put-object-form, #put-generic-content-form").count() > 0


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test.sh installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.mark.parametrize("answers", COMBINATIONS, ids=label)
def test_pages_work_in_a_browser_offline(bakery, database_url_for, chromium, tmp_path, answers):
    project = bakery.private_copy(answers, tmp_path)
    database = fresh_database(database_url_for, f"browser_{COMBINATIONS.index(answers)}")
    env = production_env(database)
    manage(project, env, "migrate", "-v0")
    manage(project, env, "collectstatic", "--noinput", "-v0")
    tenancy = answers["tenancy"]
    notes = json.loads(manage(project, env, "shell", "-v0", "-c", SEED[tenancy]))
    notes_path = NOTES_PATH[tenancy]
    others_visible = answers["object_access"] == "owner_or_read_only"

    shots = SCREENSHOTS / label(answers)
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)

    with serving(gunicorn(), project, env, tmp_path / "gunicorn.log") as base:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        browser = Browser(context, base, shots)
        page = browser.page

        browser.open("/api-auth/login/")
        browser.shot("login")
        # Without ?next= the login lands on the API root, not Django's /accounts/profile/.
        page.fill("#id_username", "alice")
        page.fill("#id_password", PASSWORD)
        page.click("[type=submit]")
        page.wait_for_url(f"{base}/api/")
        browser.log_out()

        # alice: her note and its forms; bob's note read-only, or not there at all.
        browser.log_in("alice", notes_path)
        assert page.locator(".navbar .dropdown-toggle").inner_text().strip() == "alice"
        listing = page.locator(".response-info").inner_text()
        assert "Alice's note" in listing
        assert ("Bob's note" in listing) is others_visible
        assert "Carol's note" not in listing
        assert page.locator("#post-object-form").count() == 1, "alice may create notes"
        browser.shot("notes-as-alice")

        browser.open(f"{notes_path}{notes['alice']}/")
        assert browser.has_delete_button() and browser.has_edit_form()
        browser.shot("own-note-as-alice")

        response = browser.open(f"{notes_path}{notes['bob']}/")
        if others_visible:
            assert response.status == 200
            assert "Bob's note" in page.locator(".response-info").inner_text()
        else:
            assert response.status == 404
        assert not browser.has_delete_button() and not browser.has_edit_form()
        browser.shot("others-note-as-alice")

        if tenancy == "organizations":
            # Her organizations, with her role; another organization does not exist for her,
            # nor its note, not even by its id under her organization's path.
            assert browser.open("/api/orgs/").status == 200
            listing = page.locator(".response-info").inner_text()
            assert '"slug": "acme"' in listing and '"role": "member"' in listing
            assert "globex" not in listing.lower()
            browser.shot("organizations-as-alice")
            for path in (OTHER_ORGANIZATION_NOTES, f"{OTHER_ORGANIZATION_NOTES}{notes['carol']}/"):
                response = browser.open(path)
                assert response.status == 404, path
                assert "Carol" not in page.content()
                assert page.locator("#post-object-form").count() == 0
            browser.shot("other-organization-as-alice")
            assert browser.open(f"{notes_path}{notes['carol']}/").status == 404

        browser.log_out()

        # bob: the mirror image.
        browser.log_in("bob", notes_path)
        listing = page.locator(".response-info").inner_text()
        assert "Bob's note" in listing
        assert ("Alice's note" in listing) is others_visible
        assert "Carol's note" not in listing
        browser.open(f"{notes_path}{notes['alice']}/")
        assert not browser.has_delete_button() and not browser.has_edit_form()
        browser.open(f"{notes_path}{notes['bob']}/")
        assert browser.has_delete_button()
        browser.shot("own-note-as-bob")
        browser.log_out()

        if answers["api_docs"] == "drf-spectacular":
            browser.open("/api/docs/")
            page.wait_for_selector(".opblock")
            operations = page.locator(".opblock").count()
            assert operations >= 10, f"Swagger UI rendered only {operations} operations"
            assert page.locator("button.authorize").count() == 1
            assert page.get_by_text("Authentication", exact=True).count() >= 1
            browser.shot("docs")

            browser.open("/api/redoc/")
            page.wait_for_selector("h1")
            documented = {"none": "/api/notes/", "organizations": "/api/orgs/{slug}/notes/"}
            assert page.get_by_text(documented[tenancy]).count() >= 1
            browser.shot("redoc")
        else:
            assert browser.open("/api/docs/").status == 404

        browser.open("/admin/")
        page.wait_for_selector("#login-form")
        # The admin's stylesheet loaded: its header is not the browser's default white.
        header = page.eval_on_selector("#header", "e => getComputedStyle(e).backgroundColor")
        assert header not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
        browser.shot("admin-login")
        context.close()

    assert browser.left_loopback == []
    assert browser.failed_assets == []
    assert browser.page_errors == []
    assert browser.csp_violations == []
    assert {path.name for path in shots.iterdir()} >= {"notes-as-alice.png", "login.png"}
