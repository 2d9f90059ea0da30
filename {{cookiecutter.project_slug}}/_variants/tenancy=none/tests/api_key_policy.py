"""The API keys' columns of the access policy: read_key, write_key, revoked_key, expired_key.

Every key here is a key of "owner" (tests/actors.py). A key acts as its creator within its
scopes: on the notes it gets what "owner" gets where its scope allows (notes:write includes
notes:read), and 403 naming the scope where not. Every route that names no scope refuses
keys: 403 for a working key, 401 for a revoked or expired one. A public route never reads
the header: its "*" holds for keys too. tests/access_policy.py adds these columns to the
rows that list only the people, and the dict rows name the keys with KEYS_REFUSED
(tests/actors.py).
"""

from tests.actors import KEYS_REFUSED
from tests.auth import ANONYMOUS_STATUS as ANON

__all__ = ["API_KEY_ROUTE_ROWS", "KEYS_REFUSED", "KEY_ROWS"]

# fmt: off
KEY_ROWS = {
    # (route, method)                  read  write  revkd  exprd
    ("note-list", "GET"):              (200,  200,   401,   401),
    ("note-list", "POST"):             (403,  201,   401,   401),  # needs notes:write
    ("note-detail", "GET"):            (200,  200,   401,   401),
    ("note-detail", "PUT"):            (403,  200,   401,   401),
    ("note-detail", "PATCH"):          (403,  200,   401,   401),
    ("note-detail", "DELETE"):         (403,  204,   401,   401),
}
# fmt: on

# The keys themselves: each person lists and makes their own, and never with a key. The
# detail rows act on a key of "owner"; anyone else's answer is 404, as if it did not exist.
API_KEY_ROUTE_ROWS = {
    ("api-key-list", "GET"): {"anonymous": ANON, **KEYS_REFUSED, "*": 200},
    ("api-key-list", "POST"): {"anonymous": ANON, **KEYS_REFUSED, "*": 201},
    ("api-key-detail", "GET"): {"anonymous": ANON, **KEYS_REFUSED, "owner": 200, "*": 404},
    ("api-key-detail", "DELETE"): {"anonymous": ANON, **KEYS_REFUSED, "owner": 204, "*": 404},
}
