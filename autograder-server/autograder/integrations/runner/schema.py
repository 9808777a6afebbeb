"""Describes machine-key authentication (the runner API) in the OpenAPI schema."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class MachineKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # untyped
    target_class = "autograder.integrations.runner.authentication.MachineKeyAuthentication"
    name = "machineKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A machine key course admins create at /api/courses/<id>/machine-keys/.",
        }
