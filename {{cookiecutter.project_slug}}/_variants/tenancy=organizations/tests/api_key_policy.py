"""The API keys' columns of the access policy: read_key, write_key, revoked_key,
expired_key, demoted_key.

Every key here is a key of acme (tests/actors.py): "admin" made the first four, and
"demoted_key" was made by "viewer" when still an admin. A key acts as its creator, with the
creator's role now, inside its own organization, within its scopes: a key that holds the
scope gets its creator's answer, and 403 naming the scope where it lacks it (notes:write
includes notes:read; members:read reads the members). Every route that names no scope
refuses keys: 403 for a working key, 401 for a revoked or expired one. A public route never
reads the header: its "*" holds for keys too. tests/access_policy.py adds these columns to
the rows that list only the people, and the dict rows name the keys with KEYS_REFUSED
(tests/actors.py).
"""

from tests.actors import KEYS_REFUSED
from tests.note_policy import NOTE_KEY_ROWS

__all__ = ["API_KEY_ROUTE_ROWS", "KEYS_REFUSED", "KEY_ROWS"]

REFUSED = tuple(KEYS_REFUSED.values())

# fmt: off
ORGANIZATION_KEY_ROWS = {
    # (route, method)                 read  write  revkd  exprd  demtd
    ("organization-list", "GET"):      REFUSED,
    ("organization-list", "POST"):     REFUSED,
    ("organization-detail", "GET"):    REFUSED,
    ("organization-detail", "PATCH"):  REFUSED,
    ("organization-detail", "DELETE"): REFUSED,
    ("membership-list", "GET"):        (200,   403,   401,   401,   200),  # needs members:read
    ("membership-detail", "GET"):      (200,   403,   401,   401,   200),
    ("membership-detail", "PATCH"):    REFUSED,  # changing members needs a person
    ("membership-detail", "DELETE"):   REFUSED,
    ("invitation-list", "GET"):        REFUSED,
    ("invitation-list", "POST"):       REFUSED,
    ("invitation-detail", "DELETE"):   REFUSED,
    ("invitation-accept", "POST"):     REFUSED,
    ("audit-event-list", "GET"):       REFUSED,
    ("audit-event-list", "POST"):      REFUSED,
    ("audit-event-list", "PUT"):       REFUSED,
    ("audit-event-list", "PATCH"):     REFUSED,
    ("audit-event-list", "DELETE"):    REFUSED,
    # The keys themselves are managed with a person's credential only.
    ("api-key-list", "GET"):           REFUSED,
    ("api-key-list", "POST"):          REFUSED,
    ("api-key-detail", "GET"):         REFUSED,
    ("api-key-detail", "DELETE"):      REFUSED,
}
# fmt: on

KEY_ROWS = ORGANIZATION_KEY_ROWS | NOTE_KEY_ROWS

# The key routes' rows for the people are the organization's (tests/tenant_policy.py).
API_KEY_ROUTE_ROWS: dict[tuple[str, str], dict[str, int]] = {}
