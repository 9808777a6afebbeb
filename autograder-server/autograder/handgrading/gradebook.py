"""Handgraded points in the gradebook and its CSV, through grading's column registry."""

from collections.abc import Collection, Mapping
from decimal import Decimal

from autograder.grading.results.gradebook_columns import (
    GradebookColumn,
    register_gradebook_column,
)
from autograder.handgrading.selectors import handgraded_points, rubric_for_project
from autograder.projects.models import Project


def _scores(
    project: Project, group_ids: Collection[int]
) -> Mapping[int, tuple[Decimal, Decimal]] | None:
    """Projects without a rubric have no handgrading column."""
    if rubric_for_project(project=project) is None:
        return None
    return handgraded_points(project=project, group_ids=group_ids)


register_gradebook_column(GradebookColumn(key="handgrading", label="Handgrading", scores=_scores))
