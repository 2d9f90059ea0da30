"""The notes' rows of the access policy, in an organization, with the organizations' own.

Object rule: IsNoteAuthorOrModerator; every member, viewers included, reads the
organization's notes; the author changes them; the author, an admin or an owner deletes.
Viewers never write. Outsiders, staff included, get 404.
tests/access_policy.py adds them to the rows every project shares.
"""

from django.conf import settings

from tests.actors import ACCOUNTS
from tests.auth import ANONYMOUS_STATUS as ANON
from tests.tenant_policy import ORGANIZATION_ROWS

# With DjangoModelPermissions as the global policy every account is an editor, so that the
# role decides here; tests/test_groups.py shows that the group is needed as well.
MODEL_PERMISSIONS = settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] == [
    "api.utils.permission.DjangoModelPermissions"
]
ACTOR_GROUPS = {name: ["editors"] for name in ACCOUNTS} if MODEL_PERMISSIONS else {}

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
