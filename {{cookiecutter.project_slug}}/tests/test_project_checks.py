"""Django's own checks: a clean bill of health, and migrations in step with the models."""

import pytest
from django.core.management import call_command


def test_system_checks_pass_without_warnings():
    call_command("check", fail_level="WARNING")


@pytest.mark.django_db
def test_migrations_match_the_models():
    try:
        call_command("makemigrations", check=True, dry_run=True, verbosity=0)
    except SystemExit as exit_:
        pytest.fail(f"models changed without a migration (exit {exit_.code}): makemigrations")
