"""Running untrusted code in hardened containers. Plain Python: no Django imports.

Use `DockerPoolManager().acquire(image, ContainerSpec(...))` (in `docker_pool`) to get a
`Sandbox`; see
docs/sandbox.md for the guarantees and the `AG_SANDBOX_*` settings.
"""

from autograder.sandbox.errors import (
    ImageMissingError,
    SandboxBrokenError,
    SandboxClosedError,
    SandboxError,
    SandboxRequestError,
    SandboxResetError,
    SandboxUnavailableError,
)
from autograder.sandbox.interface import (
    ContainerSpec,
    FileResult,
    FileStatus,
    Limits,
    Outcome,
    Owner,
    PutFile,
    RunResult,
    Sandbox,
    SandboxBackend,
    SandboxProvider,
    WarmSandbox,
)

__all__ = [
    "ContainerSpec",
    "FileResult",
    "FileStatus",
    "ImageMissingError",
    "Limits",
    "Outcome",
    "Owner",
    "PutFile",
    "RunResult",
    "Sandbox",
    "SandboxBackend",
    "SandboxBrokenError",
    "SandboxClosedError",
    "SandboxError",
    "SandboxProvider",
    "SandboxRequestError",
    "SandboxResetError",
    "SandboxUnavailableError",
    "WarmSandbox",
]
