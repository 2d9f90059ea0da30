"""The uv.lock a project is baked with matches its pyproject.toml, for every dependency set.

The template carries one lock per dependency set, resolved ahead of time so that baking stays
offline (scripts/lock.py writes them). A lock that no longer matches its pyproject.toml would
make the README's `uv sync --locked` fail, so each is checked here, offline, in a project with
a name and version other than the defaults (the lock names the project itself).
"""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from cookiecutter.main import cookiecutter
from pre_commit.clientlib import load_config

from tests import matrix

UV = Path(sys.executable).with_name("uv")
# Hooks in .pre-commit-config.yaml that run a tool uv.lock also pins: repository -> package.
LOCKED_HOOKS = {
    "https://github.com/astral-sh/ruff-pre-commit": "ruff",
    "https://github.com/adamchainz/django-upgrade": "django-upgrade",
}
DEPENDENCY_SETS = matrix.product(matrix.DEPENDENCY_OPTIONS)


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    """One bake per dependency set, named "Lock Check", version 2.3.4."""
    root = tmp_path_factory.mktemp("locks")
    baked = {}
    for choice in DEPENDENCY_SETS:
        output = root / matrix.ident(choice)
        answers = {**choice, "project_name": "Lock Check", "version": "2.3.4"}
        cookiecutter(str(matrix.TEMPLATE), no_input=True, extra_context=answers, output_dir=output)
        baked[matrix.ident(choice)] = output / "lock_check"
    return baked


def locked_versions(project: Path, name: str) -> dict[str, str]:
    """Version of package ``name`` in the lock, per resolution marker ("" when unforked)."""
    lock = tomllib.loads((project / "uv.lock").read_text())
    packages = [package for package in lock["package"] if package["name"] == name]
    return {
        " or ".join(package.get("resolution-markers", [])): package["version"]
        for package in packages
    }


@pytest.mark.parametrize("choice", DEPENDENCY_SETS, ids=matrix.ident)
def test_lock_matches_pyproject(projects, choice):
    project = projects[matrix.ident(choice)]
    check = subprocess.run(
        [UV, "lock", "--check", "--offline"], cwd=project, capture_output=True, text=True
    )
    assert check.returncode == 0, (
        f"{check.stderr}\nuv.lock is stale for {choice}: run `python scripts/lock.py`"
    )
    lock = tomllib.loads((project / "uv.lock").read_text())
    (own,) = [package for package in lock["package"] if package["source"].get("editable") == "."]
    assert (own["name"], own["version"]) == ("lock-check", "2.3.4")


@pytest.mark.parametrize("choice", DEPENDENCY_SETS, ids=matrix.ident)
def test_lock_forks_django_by_python(projects, choice):
    """One lock, two Djangos: 5.2 LTS where Python is older than 3.12, 6.x from 3.12 on."""
    django = locked_versions(projects[matrix.ident(choice)], "django")
    assert len(django) == 2, django
    for markers, version in django.items():
        expected = "5.2." if "< '3.12'" in markers else "6."
        assert version.startswith(expected), (markers, version)


@pytest.mark.parametrize("choice", DEPENDENCY_SETS, ids=matrix.ident)
def test_pre_commit_hooks_match_the_lock(projects, choice):
    """A hook and `uv run <tool>` are the same version, so they never disagree on a file."""
    project = projects[matrix.ident(choice)]
    load_config(project / ".pre-commit-config.yaml")  # pre-commit's own schema check
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    revs = {repo["repo"]: repo["rev"] for repo in config["repos"] if repo["repo"] != "local"}
    for repo, package in LOCKED_HOOKS.items():
        (version,) = set(locked_versions(project, package).values())
        assert revs[repo].removeprefix("v") == version, repo
