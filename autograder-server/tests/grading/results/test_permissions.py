"""Every results, output, gradebook and statistics endpoint, method and role."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from autograder.accounts.models import User
from autograder.grading.results.models import AGTestCommandResult, AGTestSuiteResult
from autograder.submissions.models import Submission
from tests import factories as base
from tests.conftest import World
from tests.grading import factories as f
from tests.permission_matrix import Endpoint, assert_matrix

pytestmark = pytest.mark.django_db

PUBLIC = {
    "normal": {
        "stdout_feedback": "expected_and_actual",
        "stderr_feedback": "expected_and_actual",
        "show_actual_stdout": True,
        "show_actual_stderr": True,
    },
    "final_graded": {"show_actual_stdout": True},
}


def roles(**statuses: int) -> dict[str, int]:
    """Anonymous → 401 and a student of another course → 403 unless given."""
    return {"anonymous": 401, "other_course_student": 403} | statuses


READ = roles(student=403, group_member=200, handgrader=200, staff=200, admin=200, superuser=200)
HIDDEN_READ = READ | {"student": 404, "group_member": 404}
STAFF_ONLY = READ | {"group_member": 403}
MEMBER_HIDDEN = READ | {"group_member": 404}
ADMIN_OR_MEMBER = READ | {"handgrader": 403, "staff": 403}
ADMIN_ONLY = ADMIN_OR_MEMBER | {"group_member": 403}
GRADEBOOK = roles(
    student=403, group_member=403, handgrader=403, staff=200, admin=200, superuser=200
)
HIDDEN_GRADEBOOK = GRADEBOOK | {"student": 404, "group_member": 404}
NOT_ALLOWED = roles(
    other_course_student=405,
    student=405,
    group_member=405,
    handgrader=405,
    staff=405,
    admin=405,
    superuser=405,
)
NOT_FOUND = roles(
    other_course_student=404,
    student=404,
    group_member=404,
    handgrader=404,
    staff=404,
    admin=404,
    superuser=404,
)


def member(w: World) -> User:
    found = w.users["group_member"]
    assert isinstance(found, User)
    return found


def graded(
    w: World,
    *,
    hidden: bool = False,
    command_feedback: dict[str, Any] = PUBLIC,
    suite_feedback: dict[str, Any] | None = None,
) -> Submission:
    """A finished submission of the world's group (in the hidden project if `hidden`) with one
    suite, test case and command (public output by default)."""
    project = w.hidden_project if hidden else w.project
    group = base.make_group(project, member(w)) if hidden else w.group
    case = f.make_case(f.make_suite(project, "Suite", feedback=suite_feedback or {}), "Case")
    f.make_command(
        case,
        "Command",
        feedback=command_feedback,
        expected_stdout_source="text",
        expected_stderr_source="text",
    )
    submission = f.make_submission(group)
    f.grade(submission, stdout=b"out\n", stderr=b"err\n")
    suite_result = AGTestSuiteResult.objects.get(submission=submission)
    suite_result.setup_stdout, suite_result.setup_stderr = b"setup out", b"setup err"
    suite_result.save()
    return submission


def command_result(submission: Submission) -> AGTestCommandResult:
    return AGTestCommandResult.objects.get(case_result__suite_result__submission=submission)


def results_url(query: str = "", hidden: bool = False) -> Callable[[World], str]:
    def build(w: World) -> str:
        return f"/api/submissions/{graded(w, hidden=hidden).pk}/results/{query}"

    return build


def after_deadline(hide: bool = False, query: str = "") -> Callable[[World], str]:
    def build(w: World) -> str:
        w.project.closing_time = timezone.now() - timedelta(hours=1)
        w.project.hide_final_graded_feedback = hide
        w.project.save()
        return results_url(query)(w)

    return build


def command_url(
    stream: str, hidden: bool = False, feedback: dict[str, Any] = PUBLIC
) -> Callable[[World], str]:
    def build(w: World) -> str:
        result = command_result(graded(w, hidden=hidden, command_feedback=feedback))
        return f"/api/command_results/{result.pk}/{stream}/"

    return build


def missing_command(stream: str) -> Callable[[World], str]:
    return lambda w: f"/api/command_results/999999/{stream}/"


def suite_url(stream: str, feedback: dict[str, Any] | None = None) -> Callable[[World], str]:
    def build(w: World) -> str:
        submission = graded(w, suite_feedback=feedback)
        result = AGTestSuiteResult.objects.get(submission=submission)
        return f"/api/suite_results/{result.pk}/{stream}/"

    return build


def gradebook_url(suffix: str, hidden: bool = False) -> Callable[[World], str]:
    def build(w: World) -> str:
        graded(w, hidden=hidden)
        project = w.hidden_project if hidden else w.project
        return f"/api/projects/{project.pk}/{suffix}"

    return build


def no_staff_fields(w: World, role: str, response: Any) -> None:
    if role == "group_member":
        command = response.data["suites"][0]["cases"][0]["commands"][0]
        assert command["error_message"] is None
        assert response.data["feedback_category"] == "normal"


CATEGORY = "?feedback_category="
OUTPUT_STREAMS = ["stdout", "stderr", "stdout_diff", "stderr_diff"]

ENDPOINTS = [
    # Results
    Endpoint("GET", results_url(), READ, check=no_staff_fields),
    Endpoint("GET", results_url(hidden=True), HIDDEN_READ),
    Endpoint("GET", lambda w: "/api/submissions/999999/results/", NOT_FOUND),
    Endpoint("GET", results_url(f"{CATEGORY}staff_viewer"), STAFF_ONLY),
    Endpoint("GET", results_url(f"{CATEGORY}normal"), ADMIN_OR_MEMBER),
    Endpoint("GET", results_url(f"{CATEGORY}past_limit"), ADMIN_ONLY),
    Endpoint("GET", results_url(f"{CATEGORY}final_graded"), ADMIN_ONLY),
    Endpoint(
        "GET",
        after_deadline(query=f"{CATEGORY}final_graded"),
        READ | {"handgrader": 403},
    ),
    Endpoint(
        "GET",
        after_deadline(hide=True, query=f"{CATEGORY}final_graded"),
        ADMIN_ONLY | {"staff": 200},
    ),
    Endpoint("POST", results_url(), NOT_ALLOWED, body=lambda w: {}),
    # Command output
    *(Endpoint("GET", command_url(stream), READ) for stream in OUTPUT_STREAMS),
    *(Endpoint("GET", command_url(stream, hidden=True), HIDDEN_READ) for stream in OUTPUT_STREAMS),
    *(Endpoint("GET", command_url(stream, feedback={}), STAFF_ONLY) for stream in OUTPUT_STREAMS),
    *(
        Endpoint("GET", command_url(stream, feedback={"normal": {"visible": False}}), MEMBER_HIDDEN)
        for stream in OUTPUT_STREAMS
    ),
    *(Endpoint("GET", missing_command(stream), NOT_FOUND) for stream in OUTPUT_STREAMS),
    Endpoint("DELETE", command_url("stdout"), NOT_ALLOWED),
    # Setup output
    *(Endpoint("GET", suite_url(s), STAFF_ONLY) for s in ("setup_stdout", "setup_stderr")),
    Endpoint("GET", suite_url("setup_stdout", {"normal": {"show_setup_stdout": True}}), READ),
    Endpoint("GET", suite_url("setup_stdout", {"normal": {"visible": False}}), MEMBER_HIDDEN),
    Endpoint("GET", lambda w: "/api/suite_results/999999/setup_stdout/", NOT_FOUND),
    Endpoint("PUT", suite_url("setup_stderr"), NOT_ALLOWED, body=lambda w: {}),
    # Gradebook
    Endpoint("GET", gradebook_url("gradebook/"), GRADEBOOK),
    Endpoint("GET", gradebook_url("gradebook.csv"), GRADEBOOK),
    Endpoint("GET", gradebook_url("gradebook/", hidden=True), HIDDEN_GRADEBOOK),
    Endpoint("GET", gradebook_url("gradebook.csv", hidden=True), HIDDEN_GRADEBOOK),
    Endpoint("GET", lambda w: "/api/projects/999999/gradebook/", NOT_FOUND),
    Endpoint("GET", lambda w: "/api/projects/999999/gradebook.csv", NOT_FOUND),
    Endpoint("POST", gradebook_url("gradebook/"), NOT_ALLOWED, body=lambda w: {}),
    Endpoint("POST", gradebook_url("gradebook.csv"), NOT_ALLOWED, body=lambda w: {}),
    # Statistics
    Endpoint("GET", gradebook_url("statistics/"), GRADEBOOK),
    Endpoint("GET", gradebook_url("statistics/", hidden=True), HIDDEN_GRADEBOOK),
    Endpoint("GET", lambda w: "/api/projects/999999/statistics/", NOT_FOUND),
    Endpoint("POST", gradebook_url("statistics/"), NOT_ALLOWED, body=lambda w: {}),
]


@pytest.mark.parametrize(
    "endpoint", ENDPOINTS, ids=[f"{e.method} {i}" for i, e in enumerate(ENDPOINTS)]
)
def test_permission_matrix(endpoint: Endpoint) -> None:
    assert_matrix(endpoint)
