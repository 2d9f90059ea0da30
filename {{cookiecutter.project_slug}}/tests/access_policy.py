"""The access policy, as data: (route, method) -> expected status for each actor.

tests/test_access_policy.py plays every cell against the live API, and fails for any
route (outside the admin) without rows: a new endpoint gets its rows here.

The table is composed: the rows below are the same in every project; the notes' rows
depend on the global policy and the object rule (tests/note_policy.py); the public
routes (tests/public_policy.py), the credential endpoints (tests/auth.py) and the docs
(tests/api_docs_policy.py) have rows of their own.

A row is either a tuple, one status per actor in the order of ACTORS (tests/actors.py),
or a dict for a row that every project shares whatever its actors: the statuses of the
actors it names, and "*" for everyone else. expand() turns the dicts into tuples.
"""

from collections.abc import Mapping

from tests.actors import ACTORS
from tests.api_docs_policy import API_DOCS_ROWS
from tests.auth import ANONYMOUS_STATUS as ANON
from tests.auth import CREDENTIAL_ROWS
from tests.note_policy import NOTE_ROWS
from tests.public_policy import PUBLIC_ROWS

Route = tuple[str, str]  # (URL name, method)
Statuses = tuple[int, ...]  # one per actor, in the order of ACTORS
Row = Statuses | Mapping[str, int]  # the statuses, or the statuses of some actors and "*"

# The actors every project has, whatever else it adds: the ones a shared row may name.
SHARED_ACTORS = frozenset({"anonymous", "owner", "other", "vip", "staff"})
EVERYONE_ELSE = "*"


def expand(rows: Mapping[Route, Row]) -> dict[Route, Statuses]:
    """Every row as a tuple over ACTORS, the dict rows spelled out actor by actor."""
    return {
        row: statuses if isinstance(statuses, tuple) else over_actors(row, statuses)
        for row, statuses in rows.items()
    }


def over_actors(row: Route, statuses: Mapping[str, int]) -> Statuses:
    """A dict row's status for each actor. An actor the project does not have is a typo, not
    a rule, and an actor without a status a gap: either raises rather than go unplayed."""
    unknown = set(statuses) - set(ACTORS) - SHARED_ACTORS - {EVERYONE_ELSE}
    if unknown:
        raise ValueError(f"{row}: no such actor {sorted(unknown)}; the actors are {ACTORS}")
    if EVERYONE_ELSE in statuses:
        return tuple(statuses.get(actor, statuses[EVERYONE_ELSE]) for actor in ACTORS)
    unstated = [actor for actor in ACTORS if actor not in statuses]
    if unstated:
        raise ValueError(f'{row}: no status for {unstated}, and no "*" for everyone else')
    return tuple(statuses[actor] for actor in ACTORS)


# The rows every project shares.
SHARED_ROWS = {
    ("me", "GET"): {"anonymous": ANON, "*": 200},
    ("me", "POST"): {"anonymous": ANON, "*": 405},  # @api_view(["GET"]) only
    ("vip", "GET"): {"anonymous": ANON, "vip": 200, "*": 403},  # IsVIP
}

ROWS: dict[Route, Row] = {
    **SHARED_ROWS,
    **NOTE_ROWS,
    **PUBLIC_ROWS,
    **CREDENTIAL_ROWS,
    **API_DOCS_ROWS,
}
POLICY = expand(ROWS)
