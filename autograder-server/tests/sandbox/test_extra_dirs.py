"""`ContainerSpec.extra_dirs`: extra tmpfs directories for graders written for other systems
(`/autograder`, `/grade`); system directories and relative paths are refused, and the
directories are part of the pool key (a sandbox with them is never handed out without)."""

import pytest

from autograder.sandbox import ContainerSpec


@pytest.mark.parametrize("directory", ["/etc", "/usr/", "/tmp", "autograder", "/a/../etc", "/"])
def test_system_or_relative_dirs_are_refused(directory: str) -> None:
    with pytest.raises(ValueError):
        ContainerSpec(extra_dirs=(directory,))


def test_extra_dirs_are_part_of_the_pool_key() -> None:
    plain, layout = ContainerSpec(), ContainerSpec(extra_dirs=("/autograder",))
    assert plain != layout
    assert hash(plain) != hash(layout)
    assert layout.resolved().extra_dirs == ("/autograder",)
