"""Bake speed: whole-process median of `cookiecutter --no-input`, against the floor.

The floor is the same command on a one-file template: what cookiecutter itself costs.
Run: .venv/bin/python benchmarks/bake.py [--runs N]
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent
# The default answers, and the answers that bake the most files (every optional file on).
CASES = {
    "default": [],
    "largest": ["default_permission=DjangoModelPermissions", "license=Apache-2.0"],
}


def one_file_template(root: Path) -> Path:
    template = root / "floor"
    (template / "{{cookiecutter.name}}").mkdir(parents=True)
    (template / "cookiecutter.json").write_text(json.dumps({"name": "floor"}))
    (template / "{{cookiecutter.name}}" / "README.md").write_text("# {{ cookiecutter.name }}\n")
    return template


def median_seconds(template: Path, answers: list[str], runs: int, root: Path) -> float:
    times = []
    for run in range(runs):
        output = root / f"out-{template.name}-{len(times)}-{run}-{time.monotonic_ns()}"
        command = [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            str(template),
            "-o",
            str(output),
            *answers,
        ]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def count_files(root: Path) -> int:
    return sum(1 for path in root.rglob("*") if path.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        floor = median_seconds(one_file_template(root), [], runs, root)
        print(f"| bake | median of {runs} | x floor | files |")
        print("|---|---|---|---|")
        print(f"| floor (one-file template) | {floor:.3f} s | 1.00 | 1 |")
        for name, answers in CASES.items():
            seconds = median_seconds(TEMPLATE, answers, runs, root)
            out = root / f"count-{name}"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "cookiecutter",
                    "--no-input",
                    str(TEMPLATE),
                    "-o",
                    str(out),
                    *answers,
                ],
                check=True,
                capture_output=True,
            )
            print(f"| {name} | {seconds:.3f} s | {seconds / floor:.2f} | {count_files(out)} |")


if __name__ == "__main__":
    main()
