"""Staff see the sandbox image (and its digest) each suite result ran on; nobody else does."""

from typing import Any

import pytest

from autograder.grading.config.feedback_settings import FeedbackCategory as C
from autograder.grading.results.feedback import submission_feedback
from autograder.grading.results.models import AGTestSuiteResult
from autograder.grading.results.serializers import SubmissionFeedbackSerializer
from tests.conftest import World
from tests.grading import factories as f

pytestmark = pytest.mark.django_db

RAN_ON = "127.0.0.1:5001/ag-img-0123456789ab@sha256:" + "ab" * 32
IMAGE_ID = "sha256:" + "cd" * 32


def suite_body(world: World, category: C) -> dict[str, Any]:
    suite = f.make_suite(world.project, "On a course image")
    command = f.make_command(f.make_case(suite, "runs"), "run", points_for_correct_return_code=1)
    submission = f.make_submission(world.group)
    f.grade(submission, {command: 0})
    AGTestSuiteResult.objects.filter(submission=submission).update(
        image=RAN_ON, image_digest=IMAGE_ID
    )
    body = SubmissionFeedbackSerializer(
        submission_feedback(submission=submission, category=category)
    ).data
    return dict(body["suites"][0])


def test_staff_viewer_sees_the_image_and_digest_a_suite_ran_on(world: World) -> None:
    suite = suite_body(world, C.STAFF_VIEWER)
    assert suite["image"] == RAN_ON and suite["image_digest"] == IMAGE_ID


@pytest.mark.parametrize("category", [C.NORMAL, C.PAST_LIMIT, C.FINAL_GRADED])
def test_students_never_see_which_image_ran(world: World, category: C) -> None:
    suite = suite_body(world, category)
    assert suite["image"] is None and suite["image_digest"] is None
