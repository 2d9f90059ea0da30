"""The notes' rows of the access policy: they depend on the global policy and object rule.

Global policy: IsAuthenticatedOrReadOnly.
Object rule: IsOwner with a queryset scoped to the requester (others get 404).
tests/access_policy.py adds them to the rows every project shares.
"""

from tests.auth import ANONYMOUS_STATUS as ANON

# Group memberships per actor (DjangoModelPermissions reads them; other policies do not).
ACTOR_GROUPS: dict[str, list[str]] = {}

# Whether a user sees other users' notes in the list.
LIST_SHOWS_OTHERS_NOTES = False

# fmt: off
NOTE_ROWS = {
    # (route, method)                  anon  owner  other   vip  staff
    ("note-list", "GET"):              ( 200,  200,  200,  200,  200),  # anonymous: an empty list
    ("note-list", "POST"):             (ANON,  201,  201,  201,  201),
    ("note-detail", "GET"):            ( 404,  200,  404,  404,  404),  # others get 404, not 403
    ("note-detail", "PUT"):            (ANON,  200,  404,  404,  404),
    ("note-detail", "PATCH"):          (ANON,  200,  404,  404,  404),
    ("note-detail", "DELETE"):         (ANON,  204,  404,  404,  404),
}
# fmt: on
