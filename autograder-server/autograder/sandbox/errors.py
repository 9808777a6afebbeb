"""Faults of the sandbox itself.

What a student's program does (exit codes, timeouts, running out of memory, huge
output) is reported as a value in `RunResult`. These exceptions mean the sandbox
could not do its job: Docker is unreachable, a container could not be started, or
the in-container runner stopped answering. The grading pipeline treats them as
retryable infrastructure errors, never as a verdict on the submission.
"""


class SandboxError(Exception):
    """Base class of every fault raised by this library."""


class SandboxUnavailableError(SandboxError):
    """Docker could not be reached, or a container could not be created or started."""


class ImageMissingError(SandboxUnavailableError):
    """The registry answered that it has no such image (a pull of a reference it doesn't
    know). Like any unavailability the pipeline retries it; a caller that asked for an exact
    old digest may take it as final instead."""


class SandboxBrokenError(SandboxError):
    """The runner inside a sandbox died, stopped answering or broke the protocol.

    The sandbox is unusable afterwards; release it and acquire another.
    """


class SandboxClosedError(SandboxError):
    """The sandbox was used after `release()`."""


class SandboxRequestError(SandboxError):
    """The runner could not carry out a request: a file could not be written
    (no space, a path through a regular file), or the image lacks the sandbox user.
    The sandbox itself stays usable."""


class SandboxResetError(SandboxBrokenError):
    """A released sandbox could not be made new again for another user (it is removed)."""

    def __init__(self, message: str, *, uncheckable: bool = False) -> None:
        super().__init__(message)
        self.uncheckable = uncheckable
        """The runtime can't show what a reset must check (gVisor: System V IPC), so no
        container of its kind can be reused."""
