"""Descriptions, student hints and staff notes of suites and test cases in the results."""

from typing import Any

import pytest

from autograder.grading.config.feedback_settings import FeedbackCategory as C
from autograder.grading.config.models import AGTestCase
from autograder.grading.results.feedback import submission_feedback
from autograder.grading.results.serializers import SubmissionFeedbackSerializer
from autograder.submissions.models import Submission
from tests.conftest import World
from tests.grading import factories as f

pytestmark = pytest.mark.django_db


def body(submission: Submission, category: C) -> dict[str, Any]:
    return dict(
        SubmissionFeedbackSerializer(
            submission_feedback(submission=submission, category=category)
        ).data
    )


def annotated_case(w: World, **feedback: Any) -> AGTestCase:
    suite = f.make_suite(
        w.project,
        "Public",
        description="Runs **your** program",
        staff_notes="suite note for staff",
    )
    return f.make_case(
        suite,
        "adds",
        description="Checks `add(1, 2)`",
        student_hint="Did you handle *negative* numbers?",
        staff_notes="Most students forget -0",
        feedback=feedback,
    )


def test_student_sees_description_and_the_hint_when_the_test_fails(world: World) -> None:
    case = annotated_case(world)
    command = f.make_command(case, "run", points_for_correct_return_code=2)
    submission = f.make_submission(world.group)
    f.grade(submission, {command: 0})
    shown = body(submission, C.NORMAL)
    suite = shown["suites"][0]
    assert suite["description_html"] == "<p>Runs <strong>your</strong> program</p>\n"
    assert suite["staff_notes_html"] is None
    [case_body] = suite["cases"]
    assert "<code>add(1, 2)</code>" in case_body["description_html"]
    assert "<em>negative</em>" in case_body["hint_html"]
    assert case_body["staff_notes_html"] is None
    assert "forget -0" not in str(shown)


def test_no_hint_when_the_test_passes(world: World) -> None:
    case = annotated_case(world)
    f.make_command(case, "run", points_for_correct_return_code=2)
    submission = f.make_submission(world.group)
    f.grade(submission)
    [case_body] = body(submission, C.NORMAL)["suites"][0]["cases"]
    assert case_body["hint_html"] == ""
    assert case_body["description_html"]


def test_hint_never_reveals_a_failure_the_feedback_hides(world: World) -> None:
    case = annotated_case(world)
    command = f.make_command(
        case,
        "run",
        points_for_correct_return_code=2,
        feedback={"normal": {"return_code_feedback": "none", "show_points": False}},
    )
    submission = f.make_submission(world.group)
    f.grade(submission, {command: 0})
    [case_body] = body(submission, C.NORMAL)["suites"][0]["cases"]
    assert case_body["hint_html"] == ""
    staff = body(submission, C.STAFF_VIEWER)["suites"][0]["cases"][0]
    assert "negative" in staff["hint_html"]


def test_staff_viewer_sees_staff_notes(world: World) -> None:
    case = annotated_case(world)
    f.make_command(case, "run", points_for_correct_return_code=2)
    submission = f.make_submission(world.group)
    f.grade(submission)
    suite = body(submission, C.STAFF_VIEWER)["suites"][0]
    assert suite["staff_notes_html"] == "<p>suite note for staff</p>\n"
    assert suite["cases"][0]["staff_notes_html"] == "<p>Most students forget -0</p>\n"
