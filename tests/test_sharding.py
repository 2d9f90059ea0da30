"""The CI shards partition the template suite: every test in exactly one, nothing lost.

The template's GitHub workflow (.github/workflows/template.yml) runs `scripts/test.sh
--shard K/N` on N runners. Here the suite is collected once whole and once as a shard, and
the assignment is checked for the workflow's N: disjoint shards whose union is the suite,
each service's bake test and generated suite together, so that every option combination
(baked by its service's bake test) and every distinct service is in exactly one shard.
"""

import re
import subprocess
import sys
from collections import Counter

import pytest
import yaml

from tests import matrix, sharding

WORKFLOW = matrix.TEMPLATE / ".github" / "workflows" / "template.yml"


def collect(*options: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist", *options],
        cwd=matrix.TEMPLATE,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return [line for line in done.stdout.splitlines() if re.match(r"tests/\S+::", line)]


@pytest.fixture(scope="module")
def suite() -> list[str]:
    return collect()


@pytest.fixture(scope="module")
def shard_count() -> int:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    shards = workflow["jobs"]["test"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1))
    command = f"bash scripts/test.sh --shard ${{{{ matrix.shard }}}}/{len(shards)}"
    assert command in [step.get("run") for step in workflow["jobs"]["test"]["steps"]]
    return len(shards)


def test_shards_partition_the_suite(suite, shard_count):
    shards = sharding.assign(suite, shard_count)
    assert set(shards) == set(suite) and len(suite) == len(set(suite))
    sizes = Counter(shards.values())
    assert set(sizes) == set(range(1, shard_count + 1))  # no runner idles
    assert max(sizes.values()) - min(sizes.values()) <= 3

    # Each service, with its bake test (24 combinations) and its generated suite, in one shard.
    for service in matrix.SERVICES:
        ident = matrix.ident(service)
        homes = {shards[nodeid] for nodeid in suite if sharding.service_of(nodeid) == ident}
        assert len(homes) == 1, ident
        assert f"tests/test_bake.py::test_bake[{ident}]" in suite
        assert f"tests/test_services.py::test_service[{ident}]" in suite
    combinations = Counter(
        shards[f"tests/test_bake.py::test_bake[{matrix.ident(matrix.service_of(combination))}]"]
        for combination in matrix.COMBINATIONS
    )
    assert sum(combinations.values()) == len(matrix.COMBINATIONS)


def test_a_shard_runs_its_share(suite, shard_count):
    """`--shard K/N` selects exactly what the assignment gives shard K."""
    shards = sharding.assign(suite, shard_count)
    selected = collect("--shard", f"2/{shard_count}")
    assert selected == [nodeid for nodeid in suite if shards[nodeid] == 2]


@pytest.mark.parametrize("value", ["0/8", "9/8", "3", "a/b", "1/0"])
def test_bad_shard_values_are_refused(value):
    with pytest.raises(ValueError, match="K/N"):
        sharding.parse(value)
