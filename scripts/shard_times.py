"""How many CI shards keep each one under a time budget, from a run's JUnit XML report.

    .venv/bin/python scripts/shard_times.py artifacts/junit.xml [--budget 480] [--max 24]

scripts/test.sh writes the report of every run to artifacts/junit.xml. Each test's time goes
to the shard tests/sharding.py assigns it for N shards; a shard's worker-seconds are the sum
of its tests' times (two workers share them, as `scripts/test.sh -n 2` runs a shard). The
table shows the slowest shard for each N, and the first N whose slowest shard fits the budget
is the one .github/workflows/template.yml should use.
"""

import argparse
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TEMPLATE))

from tests import sharding  # noqa: E402 -- after the template is on sys.path


def node_id(classname: str, name: str) -> str:
    """pytest's node id from JUnit's classname ("tests.test_x" or "tests.test_x.TestY")."""
    parts = classname.split(".")
    for cut in range(len(parts), 0, -1):
        module = Path(*parts[:cut]).with_suffix(".py")
        if (TEMPLATE / module).is_file():
            return "::".join([module.as_posix(), *parts[cut:], name])
    raise ValueError(f"no test module for {classname}")


def durations(report: Path) -> dict[str, float]:
    return {
        node_id(case.attrib["classname"], case.attrib["name"]): float(case.attrib["time"])
        for case in ET.parse(report).iter("testcase")
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("--budget", type=float, default=480, help="worker-seconds per shard")
    parser.add_argument("--max", type=int, default=24, help="the most shards to consider")
    args = parser.parse_args()
    times = durations(args.report)
    print(f"{len(times)} tests, {sum(times.values()):,.0f} worker-seconds in all\n")
    print("| shards | slowest shard (worker-seconds) | fastest |")
    print("|---|---|---|")
    chosen = None
    for count in range(1, args.max + 1):
        totals: Counter[int] = Counter()
        for nodeid, shard in sharding.assign(list(times), count).items():
            totals[shard] += times[nodeid]
        slowest, fastest = max(totals.values()), min(totals.values())
        print(f"| {count} | {slowest:,.0f} | {fastest:,.0f} |")
        if chosen is None and slowest < args.budget:
            chosen = count
    print(f"\nfewest shards under {args.budget:.0f} worker-seconds each: {chosen}")


if __name__ == "__main__":
    main()
