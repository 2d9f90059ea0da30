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


def bake_seconds(template: Path, answers: list[str], output: Path) -> float:
    """One whole ``cookiecutter --no-input`` process, in seconds."""
    command = [sys.executable, "-m", "cookiecutter", "--no-input", str(template), "-o", str(output)]
    start = time.perf_counter()
    subprocess.run([*command, *answers], check=True, capture_output=True)
    return time.perf_counter() - start


def count_files(root: Path) -> int:
    return sum(1 for path in root.rglob("*") if path.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cases = {"floor (one-file template)": (one_file_template(root), [])}
        cases |= {name: (TEMPLATE, answers) for name, answers in CASES.items()}
        times = {name: [] for name in cases}
        # Round-robin, not one case after another: the machine's drift hits every case alike.
        for run in range(runs):
            for name, (template, answers) in cases.items():
                output = root / f"{len(times[name])}-{run}-{abs(hash(name))}"
                times[name].append(bake_seconds(template, answers, output))
        floor = statistics.median(times["floor (one-file template)"])
        print(f"| bake | median of {runs} | x floor | files |")
        print("|---|---|---|---|")
        for name in cases:
            seconds = statistics.median(times[name])
            files = count_files(next(root.glob(f"0-0-{abs(hash(name))}")))
            print(f"| {name} | {seconds:.3f} s | {seconds / floor:.2f} | {files} |")


if __name__ == "__main__":
    main()
