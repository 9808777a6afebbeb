"""Snapshot and restore: one sandbox runs many independent commands (mutation testing), each
starting from the student's files as they were at the snapshot."""

from __future__ import annotations

from typing import Any

import pytest

from autograder.sandbox.docker_backend import DockerSandbox
from autograder.sandbox.errors import SandboxRequestError
from autograder.sandbox.interface import Owner, PutFile, RunResult

pytestmark = pytest.mark.slow


def sh(sandbox: DockerSandbox, script: str, **kwargs: Any) -> RunResult:
    return sandbox.run(["bash", "-c", script], **kwargs)


def test_restore_undoes_what_commands_created_changed_and_deleted(sandbox: DockerSandbox) -> None:
    sandbox.put_files(
        [
            PutFile(path="given.txt", content=b"given\n"),
            PutFile(path="grader.py", content=b"print('staff')\n", owner=Owner.ROOT),
        ]
    )
    setup = sh(sandbox, "mkdir -p build/deep && echo obj > build/deep/x.o && ln -s given.txt ln")
    assert setup.exit_code == 0
    sandbox.snapshot(max_bytes=1024 * 1024)
    # Names, types and modes, owners, sizes, symlink targets; regular files' times too
    # (make compares them; directories' times are not kept).
    listing = "find . -printf '%p %M %u %s %l\\n' | sort; find . -type f -printf '%p %T@\\n' | sort"
    before = sh(sandbox, listing).stdout

    changes = (
        "echo changed > given.txt; rm -rf build; rm ln; mkdir -p new/dir; echo n > new/dir/f;"
        " chmod 000 new; touch /tmp/left ~/dot /dev/shm/shm; echo y > grader.py 2>/dev/null;"
        " echo done"
    )
    assert sh(sandbox, changes).stdout == b"done\n"
    sandbox.restore()

    after = sh(sandbox, listing).stdout
    assert after == before
    check = sh(sandbox, "cat given.txt build/deep/x.o grader.py; ls -A /tmp /dev/shm ~")
    assert (
        check.stdout
        == b"given\nobj\nprint('staff')\n/dev/shm:\n\n/home/autograder:\nworking_dir\n\n/tmp:\n"
    )


def test_restore_can_run_again_and_again(sandbox: DockerSandbox) -> None:
    sandbox.put_files([PutFile(path="count", content=b"")])
    sandbox.snapshot(max_bytes=1024)
    for _ in range(3):
        sandbox.restore()
        assert sh(sandbox, "echo x >> count; wc -c < count").stdout == b"2\n"


def test_restore_without_a_snapshot_is_refused(sandbox: DockerSandbox) -> None:
    with pytest.raises(SandboxRequestError, match="no snapshot"):
        sandbox.restore()


def test_a_snapshot_past_its_size_is_refused(sandbox: DockerSandbox) -> None:
    sandbox.put_files([PutFile(path="big", content=b"x" * 5000)])
    with pytest.raises(SandboxRequestError, match="exceed 4096 bytes"):
        sandbox.snapshot(max_bytes=4096)
