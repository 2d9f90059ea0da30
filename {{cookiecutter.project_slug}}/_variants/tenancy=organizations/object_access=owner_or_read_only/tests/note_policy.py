"""The notes' rows of the access policy, in an organization, with the organizations' own.

Object rule: IsNoteAuthorOrModerator; every member, viewers included, reads the
organization's notes; the author changes them; the author, an admin or an owner deletes.
Viewers never write. Outsiders, staff included, get 404.
tests/access_policy.py adds them to the rows every project shares.
"""

from tests.auth import ANONYMOUS_STATUS as ANON
from tests.tenant_policy import ACTOR_GROUPS, ORGANIZATION_ROWS

__all__ = ["ACTOR_GROUPS", "LIST_SHOWS_OTHERS_NOTES", "NOTE_ROWS"]

# Whether a member sees other members' notes in the list.
LIST_SHOWS_OTHERS_NOTES = True

# fmt: off
NOTE_ROWS = ORGANIZATION_ROWS | {
    # (route, method)                 anon  owner  other  viewr  admin  orgow  outsd  staff  vip
    ("note-list", "GET"):              (ANON,   200,   200,   200,   200,   200,   404,   404, 404),
    ("note-list", "POST"):             (ANON,   201,   201,   403,   201,   201,   404,   404, 404),
    ("note-detail", "GET"):            (ANON,   200,   200,   200,   200,   200,   404,   404, 404),
    ("note-detail", "PUT"):            (ANON,   200,   403,   403,   403,   403,   404,   404, 404),
    ("note-detail", "PATCH"):          (ANON,   200,   403,   403,   403,   403,   404,   404, 404),
    ("note-detail", "DELETE"):         (ANON,   204,   403,   403,   204,   204,   404,   404, 404),
}
# fmt: on
