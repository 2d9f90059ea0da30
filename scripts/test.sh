#!/usr/bin/env bash
# Run the template's whole test suite from a fresh clone: sets up .venv, then pytest on 2 workers.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k hooks`.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt

exec .venv/bin/python -m pytest -n 2 "$@"
