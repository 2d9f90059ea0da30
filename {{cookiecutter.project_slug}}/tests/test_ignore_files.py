"""Secrets stay out of git and out of the Docker image: every .env file but .env.example.

``.env`` holds the checkout's SECRET_KEY, and people keep others beside it (.env.production,
.env.local); .env.example lists variable names and is committed. .dockerignore exists in
projects baked with Docker.
"""

from fnmatch import fnmatchcase
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
IGNORE_FILES = [name for name in (".gitignore", ".dockerignore") if (PROJECT / name).exists()]
SECRETS = [".env", ".env.local", ".env.production", ".env.prod.bak", ".envrc"]
# Where else a deployment keeps one: a folder's own .env is as secret as the root's.
NESTED_SECRETS = ["config/.env", "deploy/.env.production"]


def matches(path: str, rule: str, ignore_file: str) -> bool:
    """Whether ``rule`` matches ``path`` (relative to the project, "/"-separated).

    git matches a rule without a slash against the name at any depth; Docker matches every
    rule against the whole path, a leading "**/" standing for any number of folders.
    """
    rule = rule.removeprefix("/")
    if ignore_file == ".gitignore" and "/" not in rule:
        return fnmatchcase(path.rsplit("/", 1)[-1], rule)
    if rule.startswith("**/"):
        parts = path.split("/")
        tail = rule.removeprefix("**/")
        return any(fnmatchcase("/".join(parts[i:]), tail) for i in range(len(parts)))
    return fnmatchcase(path, rule)


def ignored(path: str, ignore_file: str) -> bool:
    """Whether ``ignore_file`` ignores ``path``: the last rule that matches decides, and a
    rule starting with "!" takes a path back in."""
    verdict = False
    for rule in (line.strip() for line in (PROJECT / ignore_file).read_text().splitlines()):
        if rule and not rule.startswith("#") and matches(path, rule.removeprefix("!"), ignore_file):
            verdict = not rule.startswith("!")
    return verdict


@pytest.mark.parametrize("ignore_file", IGNORE_FILES)
def test_every_env_file_is_ignored_but_the_example(ignore_file):
    assert [path for path in SECRETS + NESTED_SECRETS if not ignored(path, ignore_file)] == []
    assert not ignored(".env.example", ignore_file)
    assert (PROJECT / ".env.example").exists()
