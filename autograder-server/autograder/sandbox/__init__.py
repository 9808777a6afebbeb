"""Running untrusted code in hardened containers. Plain Python: no Django imports.

Use `PoolManager().acquire(image, ContainerSpec(...))` to get a `Sandbox`; see
docs/sandbox.md for the guarantees and the `AG_SANDBOX_*` settings.
"""

from autograder.sandbox.errors import (
    SandboxBrokenError,
    SandboxClosedError,
    SandboxError,
    SandboxRequestError,
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
    SandboxProvider,
)

__all__ = [
    "ContainerSpec",
    "FileResult",
    "FileStatus",
    "Limits",
    "Outcome",
    "Owner",
    "PutFile",
    "RunResult",
    "Sandbox",
    "SandboxBrokenError",
    "SandboxClosedError",
    "SandboxError",
    "SandboxProvider",
    "SandboxRequestError",
    "SandboxUnavailableError",
]
