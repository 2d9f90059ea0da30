"""Bad answers stop the bake with one plain ERROR line, exit 1, and no output folder."""

import subprocess
import sys

import pytest

from tests.matrix import TEMPLATE

BAD_ANSWERS = [
    ("project_slug", "Acme", "must be lowercase"),
    ("project_slug", "acme-service", "not a valid Python identifier"),
    ("project_slug", "2acme", "not a valid Python identifier"),
    ("project_slug", "acme service", "not a valid Python identifier"),
    ("project_slug", "café", "not a valid Python identifier"),
    ("project_slug", "class", "is a Python keyword"),
    ("project_slug", "django", "would shadow"),
    ("project_slug", "rest_framework", "would shadow"),
    ("project_slug", "api", "would shadow"),
    ("project_slug", "users", "would shadow"),
    ("project_slug", "audit", "would shadow"),
    ("project_slug", "config", "would shadow"),
    ("project_slug", "test", "would shadow"),
    ("author_email", "nobody", "is not an email address"),
    ("author_email", "dev@example", "is not an email address"),
    ("author_email", "a b@example.com", "is not an email address"),
    ("version", "v1.0", "is not a PEP 440 version"),
    ("version", "1.0-beta", "is not a PEP 440 version"),
    ("version", "latest", "is not a PEP 440 version"),
]


def bake_cli(tmp_path, *answers):
    """Run the cookiecutter command a user runs, with answers as key=value."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            str(TEMPLATE),
            "-o",
            str(tmp_path),
            *answers,
        ],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(("key", "value", "reason"), BAD_ANSWERS, ids=lambda v: str(v))
def test_bad_answer_is_refused(tmp_path, key, value, reason):
    result = bake_cli(tmp_path, f"{key}={value}")

    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR: ")]
    assert result.returncode != 0
    assert len(errors) == 1, result.stderr
    assert f"'{value}'" in errors[0]
    assert reason in errors[0]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("key", "value"),
    [("project_slug", "acme_api"), ("author_email", "a.b@c.co.uk"), ("version", "1.0.0rc1")],
)
def test_good_answer_is_accepted(tmp_path, key, value):
    result = bake_cli(tmp_path, f"{key}={value}")

    assert result.returncode == 0, result.stderr
    assert [path.name for path in tmp_path.iterdir()] == [
        value if key == "project_slug" else "acme_service"
    ]


def test_project_slug_is_derived_from_the_name(tmp_path):
    result = bake_cli(tmp_path, "project_name=Billing Gateway")

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "billing_gateway" / "api" / "utils" / "permission.py").is_file()
