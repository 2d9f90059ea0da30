"""Every distinct service passes Django's checks and its own test suite on real PostgreSQL.

A service is a combination of the options that change the code (see matrix.SERVICE_OPTIONS);
test_bake.py proves that the packaging options change nothing else, so each service is
tested once, here, in the template's virtualenv (a superset of every project's dependencies).
"""

import os
import re
import subprocess
import sys

import pytest

from tests import matrix

# Django checks in one process: the system checks with warnings as failures, migrations
# in step with the models, and (with drf-spectacular) a schema that validates cleanly.
CHECKS = """
import django
from django.conf import settings
from django.core.management import call_command

django.setup()
call_command("check", fail_level="WARNING")
call_command("makemigrations", check=True, dry_run=True)
if "drf_spectacular" in settings.INSTALLED_APPS:
    call_command("spectacular", validate=True, fail_on_warn=True, file="/dev/null")
"""


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
def test_service(bakery, database_url_for, service):
    baked = bakery.bake(service)
    assert baked.ok, baked.error
    project = baked.path
    database = "svc_" + re.sub(r"\W", "_", matrix.ident(service)).lower()

    checks = run(
        project,
        [sys.executable, "-c", CHECKS],
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=database_url_for("postgres"),
    )
    assert checks.returncode == 0, checks.stdout + checks.stderr

    suite = run(
        project,
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0"],
        DATABASE_URL=database_url_for(database),
    )
    summary = suite.stdout.strip().splitlines()[-1] if suite.stdout.strip() else ""
    print(f"{matrix.ident(service)}: {summary}")
    assert suite.returncode == 0, suite.stdout[-6000:] + suite.stderr[-3000:]
    assert re.search(r"\d+ passed", summary) and "skipped" not in summary, summary
