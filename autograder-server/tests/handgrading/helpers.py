"""Builders for handgrading tests: a rubric, and a finished submission with a stored file."""

from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from autograder.accounts.models import User
from autograder.groups.models import Group
from autograder.handgrading.models import Annotation, Criterion, HandgradingRubric, PointsStyle
from autograder.projects.models import Project
from autograder.submissions.models import Submission
from tests.conftest import World
from tests.grading import factories as f

CODE = "int main() {\n    int x = 1;\n    return x;\n}\n"


def make_rubric(
    project: Project,
    *,
    released: bool = False,
    points_style: str = PointsStyle.START_AT_ZERO_AND_ADD,
    max_points: Decimal = Decimal(10),
    **fields: Any,
) -> tuple[HandgradingRubric, list[Criterion], list[Annotation]]:
    rubric = HandgradingRubric.objects.create(
        project=project,
        points_style=points_style,
        max_points=max_points,
        released=released,
        **fields,
    )
    criteria = [
        Criterion.objects.create(
            rubric=rubric, short_description="Readable", points=Decimal(4), order=1
        ),
        Criterion.objects.create(
            rubric=rubric, short_description="Tested", points=Decimal(6), order=2
        ),
    ]
    annotations = [
        Annotation.objects.create(
            rubric=rubric,
            short_description="Magic number",
            deduction=Decimal("-1.5"),
            max_deduction=Decimal(-2),
            order=1,
        )
    ]
    return rubric, criteria, annotations


def make_graded(group: Group, files: dict[str, str] | None = None) -> Submission:
    """A finished submission of `group` with `files` in storage (main.cpp by default)."""
    files = files or {"main.cpp": CODE}
    submission = f.make_submission(group)
    submission.submitted_filenames = list(files)
    submission.save(update_fields=["submitted_filenames"])
    for name, text in files.items():
        default_storage.save(f"{submission.files_dir}/{name}", ContentFile(text.encode()))
    return submission


def user(world: World, role: str) -> User:
    found = world.users[role]
    assert isinstance(found, User)
    return found
