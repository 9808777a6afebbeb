"""Whether handgraders may read a project's test results, as apps above grading decide.

Handgraders grade code by reading it; the results layer would otherwise show them what staff
see (hidden tests' output included). The handgrading app, which grading may not import,
registers a policy here from its `AppConfig.ready()`: with a rubric, its
`handgraders_can_see_test_results` decides. With no policy registered, handgraders may.
"""

from collections.abc import Callable

from autograder.projects.models import Project

HandgraderPolicy = Callable[[Project], bool]

_POLICIES: list[HandgraderPolicy] = []


def register_handgrader_policy(policy: HandgraderPolicy) -> None:
    if policy not in _POLICIES:
        _POLICIES.append(policy)


def handgraders_may_read_results(project: Project) -> bool:
    return all(policy(project) for policy in _POLICIES)
