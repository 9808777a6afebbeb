"""Root-owned (instructor) files keep their bytes whatever the student's commands do.

$HOME, the working directory and directories made for root-owned files belong to root and
are sticky: the student makes files of its own there but cannot delete, rename, replace or
move aside root's files or the directories holding them.
"""

from __future__ import annotations

import pytest

from autograder.sandbox.docker_backend import DockerSandbox
from autograder.sandbox.errors import SandboxRequestError
from autograder.sandbox.interface import Owner, PutFile

pytestmark = pytest.mark.slow

GRADER = b"print('INSTRUCTOR-OK')\n"

ATTACKS = {
    "remove": "rm -f grader.py",
    "rename": "mv grader.py moved.py",
    "replace_by_rename": "echo 'print(1)' > f.py && mv -f f.py grader.py",
    "overwrite": "echo 'print(1)' > grader.py",
    "chmod": "chmod 666 grader.py",
    "move_workdir_aside": "cd .. && mv working_dir old && mkdir working_dir",
    "move_subdir_aside": "mv tests tests.old && mkdir tests",
    "remove_in_subdir": "rm -f tests/check.py",
    "hard_link_then_write": "ln grader.py g2 && echo x > g2",
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_student_cannot_change_root_files(sandbox: DockerSandbox, attack: str) -> None:
    sandbox.put_files(
        [
            PutFile("grader.py", GRADER, owner=Owner.ROOT),
            PutFile("tests/check.py", GRADER, owner=Owner.ROOT),
        ]
    )

    result = sandbox.run(["bash", "-c", ATTACKS[attack]])

    assert result.exit_code != 0, result.stderr
    assert b"Operation not permitted" in result.stderr or b"Permission denied" in result.stderr
    listing = sandbox.run(["bash", "-c", "cat grader.py tests/check.py; stat -c '%U %a' . .."])
    assert listing.stdout == GRADER * 2 + b"root 1777\nroot 1777\n"


def test_student_still_makes_changes_and_removes_its_own_files(sandbox: DockerSandbox) -> None:
    sandbox.put_files([PutFile("main.c", b"int main(void) { return 7; }\n")])

    result = sandbox.run(
        [
            "bash",
            "-c",
            "gcc -o prog main.c && mkdir -p out ~/.cache && ./prog; echo $? > out/rc"
            " && mv out/rc out/code && rm main.c && cat out/code && ls",
        ]
    )

    assert result.exit_code == 0, result.stderr
    assert result.stdout == b"7\nout\nprog\n"


def test_root_file_is_refused_under_a_student_owned_directory(sandbox: DockerSandbox) -> None:
    sandbox.put_files([PutFile("mine/notes.txt", b"student")])

    with pytest.raises(SandboxRequestError, match="belongs to the student"):
        sandbox.put_files([PutFile("mine/grader.py", GRADER, owner=Owner.ROOT)])
