"""Handgraders of a project with a rubric read its test results only if the rubric allows
(registered with grading's `viewer_policies`). Without a rubric the project isn't handgraded
and the results layer's own rules apply."""

from autograder.grading.results.viewer_policies import register_handgrader_policy
from autograder.handgrading.models import HandgradingRubric
from autograder.projects.models import Project


def handgraders_see_results(project: Project) -> bool:
    allowed = HandgradingRubric.objects.filter(project=project).values_list(
        "handgraders_can_see_test_results", flat=True
    )
    found = allowed.first()
    return True if found is None else found


register_handgrader_policy(handgraders_see_results)
