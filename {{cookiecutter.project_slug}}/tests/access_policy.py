"""The access policy, as data: (route, method) -> expected status for each actor.

tests/test_access_policy.py plays every cell against the live API, and fails for any
route (outside the admin) without rows: a new endpoint gets its rows here.

The table is composed: the rows below are the same in every project; the notes' rows
depend on the global policy and the object rule (tests/note_policy.py); the public
routes (tests/public_policy.py), the credential endpoints (tests/auth.py), the docs
(tests/api_docs_policy.py) and the API keys (tests/api_key_policy.py) have rows of their own.

The actors are people, then API keys (tests/actors.py). A row is either a tuple, one
status per person in the order of PEOPLE, whose keys' statuses tests/api_key_policy.py
adds (KEY_ROWS); or a dict for a row that every project shares whatever its actors: the
statuses of the actors it names, and "*" for everyone else. expand() turns both into
tuples over ACTORS.
"""

from collections.abc import Mapping

from tests.actors import ACTORS, PEOPLE
from tests.api_docs_policy import API_DOCS_ROWS
from tests.api_key_policy import API_KEY_ROUTE_ROWS, KEY_ROWS, KEYS_REFUSED
from tests.auth import ANONYMOUS_STATUS as ANON
from tests.auth import CREDENTIAL_ROWS
from tests.note_policy import NOTE_ROWS
from tests.public_policy import PUBLIC_ROWS

Route = tuple[str, str]  # (URL name, method)
Statuses = tuple[int, ...]  # one per actor, in the order of ACTORS (or of PEOPLE)
Row = Statuses | Mapping[str, int]  # the statuses, or the statuses of some actors and "*"

# The actors every project has, whatever else it adds: the ones a shared row may name.
SHARED_ACTORS = frozenset(
    {"anonymous", "owner", "other", "vip", "staff", "read_key", "write_key"}
    | {"revoked_key", "expired_key"}
)
EVERYONE_ELSE = "*"


def expand(rows: Mapping[Route, Row]) -> dict[Route, Statuses]:
    """Every row as a tuple over ACTORS, the dict rows spelled out actor by actor."""
    return {
        row: with_keys(row, statuses) if isinstance(statuses, tuple) else over_actors(row, statuses)
        for row, statuses in rows.items()
    }


def with_keys(row: Route, statuses: Statuses) -> Statuses:
    """A row over PEOPLE, with its keys' statuses from KEY_ROWS. A row without them is a
    gap, not a rule: it raises rather than go unplayed."""
    if len(statuses) == len(ACTORS):
        return statuses
    if len(statuses) != len(PEOPLE) or row not in KEY_ROWS:
        raise ValueError(f"{row}: no statuses for the keys; add the row to KEY_ROWS")
    return statuses + KEY_ROWS[row]


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
# Your own account is a person's: keys are refused.
SHARED_ROWS = {
    ("me", "GET"): {"anonymous": ANON, **KEYS_REFUSED, "*": 200},
    ("me", "POST"): {"anonymous": ANON, **KEYS_REFUSED, "*": 405},  # @api_view(["GET"]) only
    ("vip", "GET"): {"anonymous": ANON, **KEYS_REFUSED, "vip": 200, "*": 403},  # IsVIP
}

ROWS: dict[Route, Row] = {
    **SHARED_ROWS,
    **NOTE_ROWS,
    **PUBLIC_ROWS,
    **CREDENTIAL_ROWS,
    **API_DOCS_ROWS,
    **API_KEY_ROUTE_ROWS,
}
POLICY = expand(ROWS)
