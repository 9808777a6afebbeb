"""The notifications react to the submissions app's status signal (sent by its one status
writer after the change commits): queued → a receipt, finished_grading → grading finished."""

from collections.abc import Callable
from typing import Any

import pytest

from autograder.notifications.models import SubmissionReceipt
from autograder.submissions.models import Submission, SubmissionStatus
from autograder.submissions.status import submission_status_set
from tests.conftest import World
from tests.notifications.test_mail import stored_submission
from tests.smtp import Inbox

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]


def moved(capture: Capture, submission: Submission, status: SubmissionStatus) -> None:
    with capture(execute=True):
        assert submission_status_set(submission_id=submission.pk, status=status)


def test_a_submission_entering_the_queue_mails_its_receipt(
    world: World, smtp_inbox: Inbox, django_capture_on_commit_callbacks: Capture
) -> None:
    submission = stored_submission(world, status=SubmissionStatus.RECEIVED)
    moved(django_capture_on_commit_callbacks, submission, SubmissionStatus.QUEUED)

    receipt = SubmissionReceipt.objects.get(submission=submission)
    [mail] = smtp_inbox.messages
    assert mail["Subject"] == f"Receipt {receipt.code}: P1 Stats"


def test_finishing_grading_mails_the_group_once(
    world: World, smtp_inbox: Inbox, django_capture_on_commit_callbacks: Capture
) -> None:
    submission = stored_submission(world)
    moved(django_capture_on_commit_callbacks, submission, SubmissionStatus.BEING_GRADED)
    assert smtp_inbox.messages == []
    moved(django_capture_on_commit_callbacks, submission, SubmissionStatus.FINISHED_GRADING)
    moved(django_capture_on_commit_callbacks, submission, SubmissionStatus.FINISHED_GRADING)

    assert [m["Subject"] for m in smtp_inbox.messages] == ["Graded: P1 Stats"]


def test_a_rejected_or_failed_submission_sends_no_grading_mail(
    world: World, smtp_inbox: Inbox, django_capture_on_commit_callbacks: Capture
) -> None:
    submission = stored_submission(world)
    moved(django_capture_on_commit_callbacks, submission, SubmissionStatus.ERROR)
    assert smtp_inbox.messages == []
