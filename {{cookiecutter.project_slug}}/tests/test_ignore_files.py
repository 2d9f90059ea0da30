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


def ignored(name: str, rules: list[str]) -> bool:
    """Whether a file called ``name``, at the project's root, is ignored by ``rules``.

    As git and Docker read them, for names at the root: the last rule that matches decides,
    and a rule starting with "!" takes a name back in.
    """
    verdict = False
    for rule in (line.strip() for line in rules):
        if not rule or rule.startswith("#"):
            continue
        pattern = rule.removeprefix("!").removeprefix("/").removeprefix("**/")
        if fnmatchcase(name, pattern):
            verdict = not rule.startswith("!")
    return verdict


@pytest.mark.parametrize("ignore_file", IGNORE_FILES)
def test_every_env_file_is_ignored_but_the_example(ignore_file):
    rules = (PROJECT / ignore_file).read_text().splitlines()

    assert [name for name in SECRETS if not ignored(name, rules)] == []
    assert not ignored(".env.example", rules)
    assert (PROJECT / ".env.example").exists()
