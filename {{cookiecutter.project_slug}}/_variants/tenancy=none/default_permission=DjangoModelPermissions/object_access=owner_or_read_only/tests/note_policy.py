"""The notes' rows of the access policy: they depend on the global policy and object rule.

Global policy: DjangoModelPermissions.
Object rule: IsOwnerOrReadOnly (others may read, only the owner may change).
tests/access_policy.py adds them to the rows every project shares.
"""

from tests.auth import ANONYMOUS_STATUS as ANON

# Group memberships per actor (DjangoModelPermissions reads them; other policies do not).
ACTOR_GROUPS = {"owner": ["editors"], "other": ["editors"], "vip": ["readers"], "staff": []}

# Whether a user sees other users' notes in the list.
LIST_SHOWS_OTHERS_NOTES = True

# fmt: off
NOTE_ROWS = {
    # (route, method)                  anon  owner  other   vip  staff
    ("note-list", "GET"):              (ANON,  200,  200,  200,  403),  # staff has no group
    ("note-list", "POST"):             (ANON,  201,  201,  403,  403),  # readers may not add
    ("note-detail", "GET"):            (ANON,  200,  200,  200,  403),
    ("note-detail", "PUT"):            (ANON,  200,  403,  403,  403),  # the owner, if an editor
    ("note-detail", "PATCH"):          (ANON,  200,  403,  403,  403),
    ("note-detail", "DELETE"):         (ANON,  204,  403,  403,  403),
}
# fmt: on
