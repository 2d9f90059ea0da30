#!/usr/bin/env bash
# Run the template's whole test suite from a fresh clone: sets up .venv, then pytest on 2 workers.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k hooks`.
set -euo pipefail
cd "$(dirname "$0")/.."

# The browser tests drive Debian's chromium through Playwright: Playwright's own browser
# download needs the open internet, the distribution package does not.
if [ ! -x /usr/bin/chromium ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

# The client tests (tests/test_clients.py) generate TypeScript types and run a flow through
# openapi-fetch under tsc and node: their packages come from the npm registry, exactly as
# tests/clients/package-lock.json pins them, installed again only when that lock changed.
# Without node the client tests fail, saying so.
clients=tests/clients
if ! command -v npm >/dev/null; then
    echo "scripts/test.sh: node and npm are missing: tests/test_clients.py will fail" >&2
elif ! cmp -s "$clients/package-lock.json" "$clients/node_modules/.installed-package-lock.json"; then
    (cd "$clients" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$clients/package-lock.json" "$clients/node_modules/.installed-package-lock.json"
fi

# pip fetches uv alone; uv installs the requirements, several times faster than pip would.
# Bytecode is compiled at install: the suite starts a Python process per generated suite,
# server and bake, and none of them should compile Django from source again (nor would
# they cache it where PYTHONDONTWRITEBYTECODE is set, as on some CI machines).
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check "uv>=0.13,<0.14"
.venv/bin/uv pip install --quiet --compile-bytecode --python .venv/bin/python -r requirements.txt

# Two workers; one that runs out of tests takes half of what the other has queued, so the
# long tests (fresh installs, browsers) do not leave a core idle at the end. Each test's time
# goes to artifacts/junit.xml, from which scripts/shard_times.py sizes the CI shards.
exec .venv/bin/python -m pytest -n 2 --dist worksteal --junitxml=artifacts/junit.xml "$@"
