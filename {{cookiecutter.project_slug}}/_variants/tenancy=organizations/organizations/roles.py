"""The roles a member can hold in an organization, from least to most.

Roles are ordered data, stored as numbers, so "at least an admin" is one comparison:
``membership.role >= Role.ADMIN``. The gaps leave room for a role in between.

| role   | may                                                                   |
|--------|-----------------------------------------------------------------------|
| viewer | read the organization, its members and its notes                      |
| member | also write notes, edit and delete their own                           |
| admin  | also rename it, invite, change and remove members below owner,        |
|        | delete any note (moderation)                                          |
| owner  | also delete it, and change or remove other owners                     |

Nobody grants a role above their own. The last owner can neither leave nor be demoted.
"""

from django.db import models


class Role(models.IntegerChoices):
    VIEWER = 10, "viewer"
    MEMBER = 20, "member"
    ADMIN = 30, "admin"
    OWNER = 40, "owner"
