"""What an API key may do: the scopes a key holds, and what each one grants.

A key acts as the person who created it, within its scopes: each request needs both the
scope the view names for its method (``api_key_scopes``, checked by
api.utils.permission.HasAPIKeyScope) and whatever the view asks of that person now.
"""

from enum import StrEnum


class Scope(StrEnum):
    NOTES_READ = "notes:read"
    NOTES_WRITE = "notes:write"
{%- if cookiecutter.tenancy == "organizations" %}
    MEMBERS_READ = "members:read"
{%- endif %}


# What a scope grants besides itself: writing notes includes reading them, as GitHub's and
# Stripe's write permissions do, so that a client can read back what it wrote.
INCLUDES: dict[str, frozenset[str]] = {
    Scope.NOTES_WRITE: frozenset({Scope.NOTES_READ}),
}


def grants(held: list[str], needed: Scope) -> bool:
    """Whether a key holding the scopes ``held`` may do what needs ``needed``. A scope this
    code no longer knows (renamed or dropped since the key was made) grants nothing."""
    return any(scope == needed or needed in INCLUDES.get(scope, ()) for scope in held)
