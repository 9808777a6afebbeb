import pytest

from autograder.notifications.models import SubmissionReceipt
from autograder.submissions.models import Submission, SubmissionStatus
from tests.conftest import ROLE_NAMES, World
from tests.permission_matrix import Endpoint, assert_matrix

pytestmark = pytest.mark.django_db

AUTHENTICATED = {role: 200 for role in ROLE_NAMES} | {"anonymous": 401}
COURSE_STAFF = {role: 403 for role in ROLE_NAMES} | {
    "anonymous": 401,
    "staff": 200,
    "admin": 200,
    "superuser": 200,
}


def receipt_url(w: World) -> str:
    submission = Submission.objects.create(
        group=w.group,
        project=w.project,
        submitter=w.group.members.get(),
        status=SubmissionStatus.QUEUED,
        submitted_filenames=[],
    )
    receipt = SubmissionReceipt.objects.create(
        submission=submission, code="ABCD-EFGH-JKLM", files=[], sha256="0" * 64
    )
    return f"/api/courses/{w.course.pk}/receipts/{receipt.code}/"


ENDPOINTS = [
    Endpoint("GET", lambda w: "/api/users/me/notifications/", AUTHENTICATED),
    Endpoint(
        "PATCH",
        lambda w: "/api/users/me/notifications/",
        AUTHENTICATED,
        body=lambda w: {"grading_finished": False},
    ),
    Endpoint("GET", receipt_url, COURSE_STAFF),
    Endpoint(
        "GET",
        lambda w: f"/api/courses/{w.course.pk}/receipts/ZZZZ-ZZZZ-ZZZZ/",
        COURSE_STAFF | {"staff": 404, "admin": 404, "superuser": 404},
    ),
]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method}")
def test_notification_endpoints(endpoint: Endpoint) -> None:
    assert_matrix(endpoint)
