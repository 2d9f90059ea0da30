"""Every distinct service passes its own test suite on real PostgreSQL.

A service is a combination of the options that change the code (see matrix.SERVICE_OPTIONS);
test_bake.py proves that the packaging options change nothing else, so each service is
tested once, here, in the template's virtualenv (a superset of every project's dependencies).

The suite includes Django's checks: `check --fail-level WARNING` and `makemigrations --check`
(tests/test_project_checks.py), `check --deploy --fail-level WARNING` under production
settings with the required variables (tests/test_production_settings.py), and with
drf-spectacular `spectacular --validate --fail-on-warn` (tests/test_api_docs.py). It
measures coverage and fails below the project's floor (`fail_under` in pyproject.toml).

Each service also type-checks clean with the project's own mypy configuration. Services with
the same INSTALLED_APPS (the same dependencies and tenancy: the Django plugin feeds the app
list into every module's cache entry, and a cache that saw other apps re-checks everything,
~15 s) share a mypy cache, used by one mypy at a time: the first service of a set pays for a
full check (~9 s), the others re-analyse only the modules that differ (~1 s).
"""

import fcntl
import hashlib
import importlib.metadata
import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import matrix

MYPY = Path(sys.executable).with_name("mypy")
INSTALLED = {
    matrix.normalized(dist.metadata["Name"]) for dist in importlib.metadata.distributions()
}


def run(project, command, **env):
    return subprocess.run(
        command,
        cwd=project,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def project_plugins(project: Path) -> list[str]:
    """``-p`` options that load the pytest plugins of the project's own dependencies, and no
    others: the template's virtualenv adds its own (hypothesis and schemathesis among them),
    which the project's virtualenv lacks and whose loading would cost every suite a second."""
    return [
        f"-p{entry_point.value}"
        for name in sorted(map(matrix.normalized, matrix.distributions(project)))
        if name in INSTALLED
        for entry_point in importlib.metadata.distribution(name).entry_points
        if entry_point.group == "pytest11"
    ]


def type_check(project: Path, service: dict, caches: Path) -> subprocess.CompletedProcess:
    """mypy over the project, with a cache of its set of apps that no other mypy is using.

    The first free cache of the set is taken (a lock file per cache): a worker never waits for
    another's check, and a set gets a second cache only when two workers needed it at once.
    """
    apps = matrix.ident({key: service[key] for key in matrix.INSTALLED_APPS_OPTIONS})
    for slot in itertools.count():
        cache = caches / f"mypy-cache-{apps}-{slot}"
        with open(f"{cache}.lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            return run(project, [str(MYPY), "--cache-dir", str(cache), "."])


@pytest.mark.parametrize("service", matrix.SERVICES, ids=matrix.ident)
def test_service(record_property, bakery, database_url_for, service):
    baked = bakery.bake(service)
    assert baked.ok, baked.error
    project = baked.path

    types = type_check(project, service, bakery.root)
    assert types.returncode == 0, types.stdout[-6000:] + types.stderr[-3000:]
    # PostgreSQL names stop at 63 bytes; "test_" + a short hash stays well inside.
    database = "svc_" + hashlib.sha256(matrix.ident(service).encode()).hexdigest()[:12]

    suite = run(
        project,
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *project_plugins(project)],
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        DATABASE_URL=database_url_for(database),
        # The bake is shared with other tests, which compare its files: coverage data elsewhere.
        COVERAGE_FILE=str(bakery.root / f"coverage-{database}"),
    )
    summary = suite.stdout.strip().splitlines()[-1] if suite.stdout.strip() else ""
    # "166 passed, 100 subtests passed": the policy table's cells are subtests of its rows.
    passed = [int(count) for count in re.findall(r"(\d+) (?:subtests )?passed", summary)]
    record_property("generated tests passed", sum(passed))
    assert suite.returncode == 0, suite.stdout[-6000:] + suite.stderr[-3000:]
    assert re.search(r"\d+ passed", summary) and "skipped" not in summary, summary
    coverage = re.search(
        r"Required test coverage of ([\d.]+)% reached. Total coverage: ([\d.]+)%", suite.stdout
    )
    assert coverage and float(coverage[1]) >= 95, suite.stdout[-3000:]
    record_property("coverage", float(coverage[2]))
