"""A project copied to next term grades a submission exactly like the original: same points
and the same result for every command, through the real pipeline and real sandboxes."""

from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile

from autograder.grading.config import services
from autograder.grading.results.models import AGTestCommandResult
from autograder.grading.results.output_storage import output_read
from autograder.projects import services as project_services
from autograder.projects.models import Project
from autograder.sandbox.pool import PoolManager
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories
from tests.grading import pipeline_helpers as h

pytestmark = pytest.mark.django_db

DRIVER = b"import stats, sys\nprint(getattr(stats, sys.argv[1])([int(x) for x in sys.stdin]))\n"
STATS = b"def mean(xs):\n    return sum(xs) // len(xs)\n\ndef median(xs):\n    return xs[0]\n"


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def stats_project() -> Project:
    project = h.project_with_catch_all(name="P1 Stats")
    driver = project_services.instructor_file_create(
        project=project, name="driver.py", content=ContentFile(DRIVER)
    )
    expected = project_services.instructor_file_create(
        project=project, name="mean.txt", content=ContentFile(b"2\n")
    )
    suite = services.suite_create(
        project=project,
        name="Public",
        instructor_files_needed=[driver],
        setup_command="python3 -m py_compile stats.py",
    )
    case = services.case_create(suite=suite, name="Statistics")
    services.command_create(
        case=case,
        name="mean",
        cmd="python3 driver.py mean",
        stdin_source="text",
        stdin_text="1\n2\n3\n",
        expected_stdout_source="instructor_file",
        expected_stdout_instructor_file=expected,
        points_for_correct_stdout=3,
    )
    services.command_create(
        case=case,
        name="median",
        cmd="python3 driver.py median",
        stdin_source="text",
        stdin_text="5\n1\n3\n",
        expected_stdout_source="text",
        expected_stdout_text="3\n",
        points_for_correct_stdout=2,
        deduction_for_wrong_stdout=1,
    )
    services.command_create(
        case=case,
        name="exits",
        cmd="python3 -c 'import stats'",
        expected_return_code="zero",
        points_for_correct_return_code=1,
    )
    return project


def graded(provider: PoolManager, project: Project) -> Submission:
    submission = h.grade(provider, h.submit(project, {"stats.py": STATS}))
    assert submission.status == SubmissionStatus.FINISHED_GRADING
    return submission


def per_command(submission: Submission) -> dict[str, tuple[Any, ...]]:
    return {
        result.command_name: (
            result.return_code,
            result.return_code_correct,
            result.stdout_correct,
            result.points_awarded,
            result.points_possible,
            output_read(result, "stdout"),
        )
        for result in AGTestCommandResult.objects.filter(
            case_result__suite_result__submission=submission
        )
    }


def test_a_copied_project_grades_a_submission_exactly_like_the_original(
    provider: PoolManager,
) -> None:
    original = stats_project()
    next_term = factories.make_course(name="EECS 280", year=2031)
    copy = project_services.project_copy(project=original, target_course=next_term)
    copy.visible_to_students = True
    copy.save(update_fields=["visible_to_students"])

    from_original = per_command(graded(provider, original))
    from_copy = per_command(graded(provider, copy))

    assert from_copy == from_original
    assert from_original == {
        "mean": (0, None, True, 3, 3, b"2\n"),
        "median": (0, None, False, -1, 2, b"5\n"),
        "exits": (0, True, None, 1, 1, b""),
    }
