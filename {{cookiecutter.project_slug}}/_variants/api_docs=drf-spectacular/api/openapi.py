"""The OpenAPI schema class: drf-spectacular's, plus the permission classes of each operation,
and a hook that tells the docs' readers how to authenticate.

Kept apart from api/schema.py, which imports the views: DRF resolves DEFAULT_SCHEMA_CLASS
while the views module is still being imported.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from drf_spectacular.openapi import AutoSchema

from api.management.commands.permission_report import describe

if TYPE_CHECKING:
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.request import Request


class PermissionAwareAutoSchema(AutoSchema):
    """Every operation's description ends with "Permissions: ...", as permission_report says."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        # After the description is settled, extend_schema(description=...) included.
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            classes = [describe(permission) for permission in self.view.permission_classes]
            guard = ", ".join(classes) if classes else "none: public"
            description = operation.get("description", "")
            operation["description"] = f"{description}\n\nPermissions: {guard}.".strip()
        return operation


def describe_authentication(
    result: dict[str, Any], generator: SchemaGenerator, request: Request | None, public: bool
) -> dict[str, Any]:
    """Postprocessing hook: the schema's description ends with api/credentials.py's docstring."""
    from api import credentials  # at call time: DRF loads this module while views are imported

    how = inspect.cleandoc(credentials.__doc__ or "")
    description = result["info"].get("description", "")
    result["info"]["description"] = f"{description}\n\n## Authentication\n\n{how}".strip()
    return result
