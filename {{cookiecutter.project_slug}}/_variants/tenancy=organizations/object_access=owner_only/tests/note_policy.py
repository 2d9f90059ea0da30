"""The notes' rows of the access policy, in an organization, with the organizations' own.

Object rule: IsNoteAuthorOrModerator, with a queryset of the member's own notes (others'
are 404); admins and owners see every note of the organization and may delete any.
Viewers never write. Outsiders, staff included, get 404.
tests/access_policy.py adds them to the rows every project shares.
"""

from tests.auth import ANONYMOUS_STATUS as ANON
from tests.tenant_policy import ACTOR_GROUPS, ORGANIZATION_ROWS

__all__ = ["ACTOR_GROUPS", "LIST_SHOWS_OTHERS_NOTES", "NOTE_KEY_ROWS", "NOTE_ROWS"]

# Whether a member sees other members' notes in the list.
LIST_SHOWS_OTHERS_NOTES = False

# fmt: off
NOTE_ROWS = ORGANIZATION_ROWS | {
    # (route, method)                 anon  owner  other  viewr  admin  orgow  outsd  staff  vip
    ("note-list", "GET"):              (ANON,   200,   200,   200,   200,   200,   404,   404, 404),
    ("note-list", "POST"):             (ANON,   201,   201,   403,   201,   201,   404,   404, 404),
    ("note-detail", "GET"):            (ANON,   200,   404,   404,   200,   200,   404,   404, 404),
    ("note-detail", "PUT"):            (ANON,   200,   404,   403,   403,   403,   404,   404, 404),
    ("note-detail", "PATCH"):          (ANON,   200,   404,   403,   403,   403,   404,   404, 404),
    ("note-detail", "DELETE"):         (ANON,   204,   404,   403,   204,   204,   404,   404, 404),
}
# fmt: on

# The keys' columns (tests/api_key_policy.py): read_key and write_key act as "admin",
# demoted_key as "viewer", each within its scopes.
# fmt: off
NOTE_KEY_ROWS = {
    # (route, method)                 read  write  revkd  exprd  demtd
    ("note-list", "GET"):              (200,   200,   401,   401,   200),
    ("note-list", "POST"):             (403,   201,   401,   401,   403),  # scope; viewer
    ("note-detail", "GET"):            (200,   200,   401,   401,   404),
    ("note-detail", "PUT"):            (403,   403,   401,   401,   403),  # scope; not the author
    ("note-detail", "PATCH"):          (403,   403,   401,   401,   403),
    ("note-detail", "DELETE"):         (403,   204,   401,   401,   403),  # an admin moderates
}
# fmt: on
