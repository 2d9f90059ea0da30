"""Every distinct service passes its own test suite on real PostgreSQL.

A service is a combination of the options that change the code (see matrix.SERVICE_OPTIONS);
test_bake.py proves that the packaging options change nothing else, so each service is
tested once, here, in the template's virtualenv (a superset of every project's dependencies).

The suite includes Django's checks: `check --fail-level WARNING` and `makemigrations --check`
(tests/test_project_checks.py), `check --deploy --fail-level WARNING` under production
settings with the required variables (tests/test_production_settings.py), and with
drf-spectacular `spectacular --validate --fail-on-warn` (tests/test_api_docs.py).
"""

import hashlib
import os
import re
import subprocess
import sys

import pytest

from tests import matrix


def run(project, command, **env):
    return subprocess.run(
        command,
        cwd=project,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("service", matrix.SERVICES, ids=matrix.ident)
def test_service(record_property, bakery, database_url_for, service):
    baked = bakery.bake(service)
    assert baked.ok, baked.error
    project = baked.path
    # PostgreSQL names stop at 63 bytes; "test_" + a short hash stays well inside.
    database = "svc_" + hashlib.sha256(matrix.ident(service).encode()).hexdigest()[:12]

    suite = run(
        project,
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0"],
        DATABASE_URL=database_url_for(database),
    )
    summary = suite.stdout.strip().splitlines()[-1] if suite.stdout.strip() else ""
    record_property(
        "generated tests passed", int(re.search(r"(\d+) passed", summary or "0 passed")[1])
    )
    assert suite.returncode == 0, suite.stdout[-6000:] + suite.stderr[-3000:]
    assert re.search(r"\d+ passed", summary) and "skipped" not in summary, summary
