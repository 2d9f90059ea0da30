"""How long a baked project's own test suite takes: cold, warm, and on a running server.

* cold: a fresh bake (no bytecode yet); the suite starts its own embedded PostgreSQL.
* warm: the same project again (median of --runs); it still starts its own PostgreSQL.
* running server: warm, with DATABASE_URL pointing at a PostgreSQL that is already up.

Each is the whole `python -m pytest -n 2` process, as the baked README runs it.
Run: .venv/bin/python -m benchmarks.suite [--runs 3] [key=value ...]
"""

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from benchmarks.load import bake, database_url_for
from tests.serve import fresh_database


def run_suite(project: Path, env: dict) -> tuple[float, int]:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"the generated suite failed:\n{result.stdout[-3000:]}")
    return seconds, int(re.search(r"(\d+) passed", result.stdout).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("answers", nargs="*", help="cookiecutter answers, e.g. authentication=jwt")
    args = parser.parse_args()

    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        project = bake(args.answers, root / "bake")
        embedded = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        cold, tests = run_suite(project, embedded)
        warm = statistics.median(run_suite(project, embedded)[0] for _ in range(args.runs))
        server = {**embedded, "DATABASE_URL": fresh_database(database_url_for(stack, root), "x")}
        running = statistics.median(run_suite(project, server)[0] for _ in range(args.runs))

    answers = " ".join(args.answers) or "defaults"
    print(
        f"generated suite ({tests} tests, answers: {answers}), pytest -n 2, whole process; "
        f"{os.cpu_count()} cores, Python {platform.python_version()}\n"
    )
    print(f"| run | wall time (median of {args.runs} where repeated) |")
    print("|---|---|")
    print(f"| cold: fresh bake, embedded PostgreSQL started by the suite | {cold:.1f} s |")
    print(f"| warm: same project again, embedded PostgreSQL | {warm:.1f} s |")
    print(f"| warm, DATABASE_URL to a running PostgreSQL | {running:.1f} s |")


if __name__ == "__main__":
    main()
