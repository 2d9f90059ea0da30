"""The access policy, as data: (route, method) -> expected status for each actor.

Global policy: IsAuthenticatedOrReadOnly.
Object rule: IsOwnerOrReadOnly (others may read, only the owner may change).
tests/test_access_policy.py plays every cell against the live API, and fails for any
route (outside the admin) without rows: a new endpoint gets its rows here.
"""

from tests.api_docs_policy import API_DOCS_ROWS
from tests.auth import ANONYMOUS_STATUS as ANON
from tests.auth import CREDENTIAL_ROWS
from tests.public_policy import PUBLIC_ROWS

ACTORS = ("anonymous", "owner", "other", "vip", "staff")

# Group memberships per actor (DjangoModelPermissions reads them; other policies do not).
ACTOR_GROUPS: dict[str, list[str]] = {}

# Whether a user sees other users' notes in the list.
LIST_SHOWS_OTHERS_NOTES = True

# fmt: off
POLICY = {
    # (route, method)                  anon  owner  other   vip  staff
    ("me", "GET"):                     (ANON,  200,  200,  200,  200),
    ("me", "POST"):                    (ANON,  405,  405,  405,  405),  # @api_view(["GET"]) only
    ("vip", "GET"):                    (ANON,  403,  403,  200,  403),  # IsVIP
    ("note-list", "GET"):              ( 200,  200,  200,  200,  200),  # anyone may read
    ("note-list", "POST"):             (ANON,  201,  201,  201,  201),
    ("note-detail", "GET"):            ( 200,  200,  200,  200,  200),
    ("note-detail", "PUT"):            (ANON,  200,  403,  403,  403),  # only the owner may change
    ("note-detail", "PATCH"):          (ANON,  200,  403,  403,  403),
    ("note-detail", "DELETE"):         (ANON,  204,  403,  403,  403),
}
# fmt: on

# The public routes every project has (tests/public_policy.py), the credential endpoints
# (tests/auth.py) and the docs (tests/api_docs_policy.py) have rows of their own.
POLICY |= PUBLIC_ROWS | CREDENTIAL_ROWS | API_DOCS_ROWS
