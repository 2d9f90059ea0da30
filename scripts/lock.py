"""Refresh the uv.lock files the template ships: ``python scripts/lock.py [--upgrade]``.

A baked project installs from a lock, and baking is offline, so the template carries one
lock per dependency set (the options in tests/matrix.DEPENDENCY_OPTIONS change the
dependencies), resolved ahead of time, in
``{{cookiecutter.project_slug}}/_variants/authentication=<a>/api_docs=<d>/uv.lock``.

For each set this bakes a project, lets ``uv lock`` bring that project's lock (the template's
current one, rendered) in line with its pyproject.toml, and stores the result with the
project's own name and version turned back into Jinja expressions. Without ``--upgrade``, uv
keeps every pin it can and resolves only what the pyproject changed; with it, every package
moves to its newest allowed version. Needs the network (the package index); uv comes from
the template's virtualenv (requirements.txt). tests/test_locks.py fails when a lock no
longer matches its pyproject.toml, and says to run this.
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TEMPLATE))

from tests import matrix  # noqa: E402

UV = Path(sys.executable).with_name("uv")
VARIANTS = TEMPLATE / "{{cookiecutter.project_slug}}" / "_variants"
# The baked project's own entry: `uv lock` writes the normalized name and the version.
PROJECT_ENTRY = re.compile(
    r'^\[\[package\]\]\nname = "(?P<name>[^"]+)"\nversion = "(?P<version>[^"]+)"\n'
    r'source = \{ editable = "\." \}\n',
    re.M,
)
PROJECT_NAME = "{{ cookiecutter.project_slug | replace('_', '-') }}"
PROJECT_VERSION = "{{ cookiecutter.version }}"


def lock_path(choice: dict[str, str]) -> Path:
    """Where the template keeps the lock of one dependency set."""
    return VARIANTS.joinpath(*(f"{key}={value}" for key, value in choice.items()), "uv.lock")


def as_template(lock: str) -> str:
    """The lock with the project's name and version as the Jinja expressions that render them."""
    if "{{" in lock or "{%" in lock or "{#" in lock:
        raise SystemExit("ERROR: the lock contains Jinja syntax; it cannot be a template")
    entries = list(PROJECT_ENTRY.finditer(lock))
    if len(entries) != 1:
        raise SystemExit(f"ERROR: expected the project's own entry once, found {len(entries)}")
    entry = entries[0]
    replacement = (
        entry[0]
        .replace(f'name = "{entry["name"]}"', f'name = "{PROJECT_NAME}"')
        .replace(f'version = "{entry["version"]}"', f'version = "{PROJECT_VERSION}"')
    )
    return lock[: entry.start()] + replacement + lock[entry.end() :]


def refresh(choice: dict[str, str], work: Path, upgrade: bool) -> bool:
    """Re-lock one dependency set; True when its lock changed."""
    output = work / matrix.ident(choice)
    cookiecutter(str(TEMPLATE), no_input=True, extra_context=choice, output_dir=str(output))
    project = output / matrix.DEFAULT_SLUG
    command = [str(UV), "lock", "--quiet", *(["--upgrade"] if upgrade else [])]
    subprocess.run(command, cwd=project, check=True)
    new = as_template((project / "uv.lock").read_text())
    path = lock_path(choice)
    if path.exists() and path.read_text() == new:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upgrade", action="store_true", help="move every pin to its newest")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="drf-perm-template-lock-"))
    try:
        for choice in matrix.product(matrix.DEPENDENCY_OPTIONS):
            changed = refresh(choice, work, args.upgrade)
            print(f"{lock_path(choice).relative_to(TEMPLATE)}: {'updated' if changed else 'ok'}")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
