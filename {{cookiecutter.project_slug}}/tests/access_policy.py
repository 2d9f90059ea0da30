"""The access policy, as data: (route, method) -> expected status for each actor.

tests/test_access_policy.py plays every cell against the live API, and fails for any
route (outside the admin) without rows: a new endpoint gets its rows here.

The table is composed: the rows below are the same in every project; the notes' rows
depend on the global policy and the object rule (tests/note_policy.py); the public
routes (tests/public_policy.py), the credential endpoints (tests/auth.py) and the docs
(tests/api_docs_policy.py) have rows of their own.
"""

from tests.api_docs_policy import API_DOCS_ROWS
from tests.auth import ANONYMOUS_STATUS as ANON
from tests.auth import CREDENTIAL_ROWS
from tests.note_policy import NOTE_ROWS
from tests.public_policy import PUBLIC_ROWS

ACTORS = ("anonymous", "owner", "other", "vip", "staff")

# fmt: off
POLICY = {
    # (route, method)                  anon  owner  other   vip  staff
    ("me", "GET"):                     (ANON,  200,  200,  200,  200),
    ("me", "POST"):                    (ANON,  405,  405,  405,  405),  # @api_view(["GET"]) only
    ("vip", "GET"):                    (ANON,  403,  403,  200,  403),  # IsVIP
}
# fmt: on

POLICY |= NOTE_ROWS | PUBLIC_ROWS | CREDENTIAL_ROWS | API_DOCS_ROWS
