"""The organizations' rows of the access policy: the same whatever the other options.

Roles are ordered (viewer < member < admin < owner); "owner" here is the note's author, a
member, and "org_owner" the organization's owner. Everyone who is not a member gets 404 on
every route under /api/orgs/acme/, as if it did not exist. The membership rows act on
"other", a member (who may leave, but not change their own role); the invitation rows on
a pending invitation; accepting posts a token nobody was sent. Anyone logged in lists their
own organizations and may create one. The audit trail is the admins' and owners' to read,
and nobody's to change. tests/note_policy.py adds these rows to its own.

Columns: anon(ymous), owner, other, viewr (viewer), admin, orgow (org_owner), outsd
(outsider), staff, vip: tests/actors.py's ACTORS.
"""

from django.conf import settings

from tests.actors import ACCOUNTS
from tests.auth import ANONYMOUS_STATUS as ANON

# With DjangoModelPermissions as the global policy every account is an editor, so that the
# role decides in an organization; tests/test_tenant_groups.py shows that the group counts too.
MODEL_PERMISSIONS = settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] == [
    "api.utils.permission.DjangoModelPermissions"
]
ACTOR_GROUPS = {name: ["editors"] for name in ACCOUNTS} if MODEL_PERMISSIONS else {}

# fmt: off
ORGANIZATION_ROWS = {
    # (route, method)                 anon  owner  other  viewr  admin  orgow  outsd  staff  vip
    ("organization-list", "GET"):      (ANON,   200,   200,   200,   200,   200,   200,   200, 200),
    ("organization-list", "POST"):     (ANON,   201,   201,   201,   201,   201,   201,   201, 201),
    ("organization-detail", "GET"):    (ANON,   200,   200,   200,   200,   200,   404,   404, 404),
    ("organization-detail", "PATCH"):  (ANON,   403,   403,   403,   200,   200,   404,   404, 404),
    ("organization-detail", "DELETE"): (ANON,   403,   403,   403,   403,   204,   404,   404, 404),
    ("membership-list", "GET"):        (ANON,   200,   200,   200,   200,   200,   404,   404, 404),
    ("membership-detail", "GET"):      (ANON,   200,   200,   200,   200,   200,   404,   404, 404),
    ("membership-detail", "PATCH"):    (ANON,   403,   403,   403,   200,   200,   404,   404, 404),
    ("membership-detail", "DELETE"):   (ANON,   403,   204,   403,   204,   204,   404,   404, 404),
    ("invitation-list", "GET"):        (ANON,   403,   403,   403,   200,   200,   404,   404, 404),
    ("invitation-list", "POST"):       (ANON,   403,   403,   403,   201,   201,   404,   404, 404),
    ("invitation-detail", "DELETE"):   (ANON,   403,   403,   403,   204,   204,   404,   404, 404),
    ("invitation-accept", "POST"):     (ANON,   400,   400,   400,   400,   400,   400,   400, 400),
    # Read-only: whoever may read it is told so (405), everyone else as for reading.
    ("audit-event-list", "GET"):       (ANON,   403,   403,   403,   200,   200,   404,   404, 404),
    ("audit-event-list", "POST"):      (ANON,   403,   403,   403,   405,   405,   404,   404, 404),
    ("audit-event-list", "PUT"):       (ANON,   403,   403,   403,   405,   405,   404,   404, 404),
    ("audit-event-list", "PATCH"):     (ANON,   403,   403,   403,   405,   405,   404,   404, 404),
    ("audit-event-list", "DELETE"):    (ANON,   403,   403,   403,   405,   405,   404,   404, 404),
    # The organization's API keys: its admins' and owners' to make, read and revoke.
    ("api-key-list", "GET"):           (ANON,   403,   403,   403,   200,   200,   404,   404, 404),
    ("api-key-list", "POST"):          (ANON,   403,   403,   403,   201,   201,   404,   404, 404),
    ("api-key-detail", "GET"):         (ANON,   403,   403,   403,   200,   200,   404,   404, 404),
    ("api-key-detail", "DELETE"):      (ANON,   403,   403,   403,   204,   204,   404,   404, 404),
}
# fmt: on
