"""Split the template suite into N shards for CI runners: ``pytest --shard K/N``.

Every test lands in exactly one shard, chosen from its node id alone, so each runner can
compute its share without talking to the others. A service's bake test (its 24 packaging
combinations) and its generated suite share a shard, so a runner bakes a service group once.
Services are dealt round-robin in the order of a hash of their ids: matrix order would give a
shard the same docs and throttling options every time, and their suites differ in length. The
other tests are dealt in node-id order, each to the shard with the fewest tests so far, which
spreads each module's heavy cases (fresh installs, browsers) across the runners and evens out
the counts.
"""

import hashlib
import re

from tests import matrix

SERVICE_INDEX = {
    ident: index
    for index, ident in enumerate(
        sorted(
            (matrix.ident(service) for service in matrix.SERVICES),
            key=lambda ident: hashlib.sha256(ident.encode()).hexdigest(),
        )
    )
}
PARAMETERS = re.compile(r"\[(?P<id>[^\]]+)\]$")


def parse(value: str) -> tuple[int, int]:
    """ "K/N" -> (K, N), 1 <= K <= N."""
    match = re.fullmatch(r"(\d+)/(\d+)", value)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise ValueError(f"--shard takes K/N with 1 <= K <= N, not {value!r}")
    return int(match[1]), int(match[2])


def service_of(nodeid: str) -> str | None:
    """The service a test is parametrized with, if any (its id is the service's)."""
    match = PARAMETERS.search(nodeid)
    return match["id"] if match and match["id"] in SERVICE_INDEX else None


def assign(nodeids: list[str], count: int) -> dict[str, int]:
    """Node id -> shard number, 1..count."""
    shards = {}
    sizes = dict.fromkeys(range(1, count + 1), 0)
    for nodeid in nodeids:
        service = service_of(nodeid)
        if service is not None:
            shards[nodeid] = SERVICE_INDEX[service] % count + 1
            sizes[shards[nodeid]] += 1
    # The rest in node-id order, each to the shard with the fewest tests so far (the first of
    # them on a tie): the services' tests come in pairs or more, and this evens the counts out.
    for nodeid in sorted(nodeid for nodeid in nodeids if service_of(nodeid) is None):
        shards[nodeid] = min(sizes, key=lambda shard: (sizes[shard], shard))
        sizes[shards[nodeid]] += 1
    return shards
