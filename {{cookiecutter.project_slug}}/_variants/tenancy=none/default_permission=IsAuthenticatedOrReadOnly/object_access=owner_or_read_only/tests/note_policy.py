"""The notes' rows of the access policy: they depend on the global policy and object rule.

Global policy: IsAuthenticatedOrReadOnly.
Object rule: IsOwnerOrReadOnly (others may read, only the owner may change).
tests/access_policy.py adds them to the rows every project shares.
"""

from tests.auth import ANONYMOUS_STATUS as ANON

# Group memberships per actor (DjangoModelPermissions reads them; other policies do not).
ACTOR_GROUPS: dict[str, list[str]] = {}

# Whether a user sees other users' notes in the list.
LIST_SHOWS_OTHERS_NOTES = True

# fmt: off
NOTE_ROWS = {
    # (route, method)                  anon  owner  other   vip  staff
    ("note-list", "GET"):              ( 200,  200,  200,  200,  200),  # anyone may read
    ("note-list", "POST"):             (ANON,  201,  201,  201,  201),
    ("note-detail", "GET"):            ( 200,  200,  200,  200,  200),
    ("note-detail", "PUT"):            (ANON,  200,  403,  403,  403),  # only the owner may change
    ("note-detail", "PATCH"):          (ANON,  200,  403,  403,  403),
    ("note-detail", "DELETE"):         (ANON,  204,  403,  403,  403),
}
# fmt: on
