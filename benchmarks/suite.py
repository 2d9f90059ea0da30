"""How long a baked project's own test suite takes, against a run of one test.

The README's test command (`uv run pytest`: the whole suite in one process, coverage on), in
the project's own virtualenv (`uv sync --locked`, as the README installs it), is set against
`uv run pytest -n 2` and against a run of a single database test, which pays the whole set-up
(interpreter, Django, PostgreSQL, migrations, coverage) for one test. Goal: the suite within
1.5x of the single test. Every figure is the whole process, warm (bytecode cached by a first
run, as on a developer's machine), median of --runs, embedded PostgreSQL started by each run
as in a fresh checkout; one more row uses DATABASE_URL to a server that is already up.

Run: .venv/bin/python -m benchmarks.suite [--runs 5] [key=value ...]
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

UV = Path(sys.executable).with_name("uv")
ONE_TEST = ["tests/test_notes.py::test_owner_always_sees_own_notes", "--cov-fail-under=0"]
# A developer's shell: no virtualenv of ours active, and Python caches bytecode.
NOT_IN_A_DEVELOPERS_SHELL = {"VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE", "DATABASE_URL"}


def run_suite(project: Path, env: dict, *args: str) -> tuple[float, str]:
    """Seconds of ``uv run pytest *args``, and its summary ("166 passed, 100 subtests passed")."""
    start = time.perf_counter()
    result = subprocess.run(
        [str(UV), "run", "pytest", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"the generated suite failed:\n{result.stdout[-3000:]}")
    summary = result.stdout.strip().splitlines()[-1]
    return seconds, ", ".join(re.findall(r"\d+ (?:subtests )?passed", summary))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("answers", nargs="*", help="cookiecutter answers, e.g. authentication=jwt")
    args = parser.parse_args()

    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        project = bake(args.answers, root / "bake")
        embedded = {k: v for k, v in os.environ.items() if k not in NOT_IN_A_DEVELOPERS_SHELL}
        subprocess.run([str(UV), "sync", "--locked", "-q"], cwd=project, env=embedded, check=True)
        server = {**embedded, "DATABASE_URL": fresh_database(database_url_for(stack, root), "x")}
        cases = {
            "README: `uv run pytest`": (embedded, []),
            "`uv run pytest -n 2`": (embedded, ["-n", "2"]),
            "one test": (embedded, ONE_TEST),
            "README command, DATABASE_URL to a running server": (server, []),
        }
        _, tests = run_suite(project, embedded)  # caches the bytecode
        _, selected = run_suite(project, embedded, *ONE_TEST)
        assert selected == "1 passed", f"the one-test run ran {selected}"
        times = {name: [] for name in cases}
        for _ in range(args.runs):  # round-robin, so drift hits every case alike
            for name, (env, extra) in cases.items():
                times[name].append(run_suite(project, env, *extra)[0])
        python = subprocess.run(
            [str(UV), "run", "python", "-c", "import platform; print(platform.python_version())"],
            cwd=project,
            env=embedded,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    medians = {name: statistics.median(values) for name, values in times.items()}

    answers = " ".join(args.answers) or "defaults"
    print(
        f"generated suite ({tests}, answers: {answers}), whole process, warm, median of "
        f"{args.runs}; {os.cpu_count()} cores, Python {python} ({platform.python_version()} "
        "runs the benchmark)\n"
    )
    one = medians["one test"]
    print("| run | wall time | / one test |")
    print("|---|---|---|")
    for name, seconds in medians.items():
        print(f"| {name} | {seconds:.1f} s | {seconds / one:.2f} |")
    ratio = medians["README: `uv run pytest`"] / one
    print(f"\ngoal: the README's command within 1.5x of one test: {ratio:.2f}")


if __name__ == "__main__":
    main()
