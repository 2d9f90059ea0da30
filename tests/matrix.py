"""The option matrix, read from cookiecutter.json, and what each option must change.

Every list-valued key of cookiecutter.json (but private ones like ``_copy_without_render``)
is a choice; the matrix is their full
cartesian product, so a new option or value is tested without editing the tests.
"""

import itertools
import json
import re
import tomllib
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent
_CONTEXT = json.loads((TEMPLATE / "cookiecutter.json").read_text())

OPTIONS: dict[str, list[str]] = {
    key: values
    for key, values in _CONTEXT.items()
    if isinstance(values, list) and not key.startswith("_")  # _copy_without_render is no choice
}

# Options that only change how the service is packaged, never the service itself.
# Their files are listed in PACKAGING_FILES; the bake tests prove that every other
# file is byte-for-byte the same whatever these options say.
PACKAGING_OPTIONS = ("docker", "ci", "license")
SERVICE_OPTIONS = tuple(key for key in OPTIONS if key not in PACKAGING_OPTIONS)
PACKAGING_FILES = frozenset(
    {
        "Dockerfile",
        "compose.yaml",
        ".dockerignore",
        ".github/workflows/ci.yml",
        ".github/dependabot.yml",
        ".gitlab-ci.yml",
        "renovate.json",
        "LICENSE",
        "README.md",  # lists the options the project was baked with
        ".cookiecutter.json",  # the answers themselves
    }
)
# Files each bake writes afresh (git-ignored): .env holds the bake's own SECRET_KEY.
PER_BAKE_FILES = frozenset({".env"})
# pyproject.toml carries the license too; the service comparison ignores that one key.
PYPROJECT_PACKAGING_KEYS = ("license",)

# Options that decide the generated project's dependencies (checked for every bake).
DEPENDENCY_OPTIONS = ("authentication", "api_docs")
# Options that decide INSTALLED_APPS: django-stubs' mypy plugin feeds the app list into every
# module's cache entry, so a mypy cache serves only services that agree on these.
INSTALLED_APPS_OPTIONS = (*DEPENDENCY_OPTIONS, "tenancy")


def product(keys) -> list[dict[str, str]]:
    """Every combination of the values of ``keys``."""
    keys = list(keys)
    value_lists = [OPTIONS[key] for key in keys]
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*value_lists)]


# The folder a default bake creates (project_name "Acme Service").
DEFAULT_SLUG = "acme_service"

COMBINATIONS = product(OPTIONS)
SERVICES = product(SERVICE_OPTIONS)


def defaults() -> dict[str, str]:
    return {key: values[0] for key, values in OPTIONS.items()}


def full(choice: dict[str, str]) -> dict[str, str]:
    """A complete set of answers: ``choice`` over the defaults."""
    return {**defaults(), **choice}


def ident(choice: dict[str, str]) -> str:
    """A short, readable id: token-IsAuthenticated-owner_only-..."""
    return "-".join(choice.values())


def requirements(project: Path) -> list[str]:
    """The requirements in a bake's [project.dependencies] and its dev dependency group."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    return pyproject["project"]["dependencies"] + pyproject["dependency-groups"]["dev"]


def distributions(project: Path) -> set[str]:
    """The distribution names of a bake's requirements."""
    return {re.split(r"[\[<>=;! ]", spec, maxsplit=1)[0] for spec in requirements(project)}


def normalized(distribution: str) -> str:
    """A distribution's name as PEP 503 compares them: pytest_cov and Pytest-Cov are one."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def service_of(combination: dict[str, str]) -> dict[str, str]:
    return {key: combination[key] for key in SERVICE_OPTIONS}


# Files that exist exactly when an option has a value (absent otherwise).
FILES_PRESENT_WHEN = {
    ("docker", "yes"): ["Dockerfile", "compose.yaml", ".dockerignore"],
    ("ci", "github"): [".github/workflows/ci.yml", ".github/dependabot.yml"],
    ("ci", "gitlab"): [".gitlab-ci.yml", "renovate.json"],
    ("api_docs", "drf-spectacular"): [
        "api/schema.py",
        "api/openapi.py",
        "api/credentials_schema.py",
        "api/templates/api/redoc.html",
        "tests/test_api_docs.py",
    ],
    ("throttling", "yes"): ["tests/test_throttling.py", "api/throttling.py"],
    ("default_permission", "DjangoModelPermissions"): [
        "api/migrations/0004_permission_groups.py",
        "tests/test_groups.py",
    ],
    ("tenancy", "organizations"): [
        "organizations/models.py",
        "organizations/roles.py",
        "organizations/scoping.py",
        "organizations/views.py",
        "organizations/invitations.py",
        "organizations/migrations/0001_initial.py",
        "api/migrations/0005_note_organization.py",
        "tests/tenant_policy.py",
    ],
}

# Files that exist exactly when an option does not have a value (present otherwise).
FILES_ABSENT_WHEN = {
    # The token and JWT options' own authentication classes; sessions use DRF's.
    ("authentication", "session"): ["api/authentication.py"],
}

# Files every bake has.
ALWAYS_PRESENT = [
    "manage.py",
    ".env",
    "pyproject.toml",
    "uv.lock",
    ".pre-commit-config.yaml",
    "README.md",
    "SECURITY.md",
    "LICENSE",
    ".env.example",
    ".gitignore",
    ".cookiecutter.json",
    "gunicorn.conf.py",
    "api/utils/permission.py",
    "api/credentials.py",
    "api/password.py",
    "api/admin_site.py",
    "api/lockouts.py",
    "users/signals.py",
    "users/migrations/0002_security_stamp.py",
    "api/note_access.py",
    "api/management/commands/permission_report.py",
    "api_keys/authentication.py",
    "api_keys/migrations/0001_initial.py",
    "api_keys/owners.py",
    "audit/events.py",
    "audit/migrations/0001_initial.py",
    "audit/management/commands/prune_audit_events.py",
    "config/settings/base.py",
    "config/settings/production.py",
    "users/models.py",
    "tests/access_policy.py",
    "tests/actors.py",
    "tests/note_policy.py",
    "tests/auth.py",
    "tests/test_access_policy.py",
    "tests/test_authentication.py",
    "tests/test_permission_report.py",
    "tests/test_client_address.py",
    "tests/api_docs_policy.py",
]

# Distribution names that appear in [project.dependencies] or the dev dependency group
# exactly when an option has a value.
DEPENDENCY_PRESENT_WHEN = {
    ("authentication", "token"): ["django-rest-knox"],
    ("authentication", "jwt"): ["djangorestframework-simplejwt"],
    ("api_docs", "drf-spectacular"): ["drf-spectacular", "drf-spectacular-sidecar", "pyyaml"],
}

# The first line of LICENSE that says which license it is.
LICENSE_MARKERS = {
    "MIT": "MIT License",
    "BSD-3-Clause": "BSD 3-Clause License",
    "Apache-2.0": "Apache License",
    "Proprietary": "All rights reserved.",
}
