"""Signal receivers: they only enqueue tasks on the `small` queue (never mail in a request).

- a group invitation was sent → mail each recipient;
- a submission entered the queue (its files are stored) → its receipt to the group;
- a submission finished grading (deferred suites included) → "graded" to members who want it.
  Reruns do not finish a submission again, so they send nothing.
"""

from typing import Any

from django.dispatch import receiver

from autograder.common.enqueue import enqueue_small_on_commit
from autograder.groups.signals import group_invitation_created
from autograder.notifications import tasks
from autograder.submissions.models import SubmissionStatus
from autograder.submissions.signals import submission_status_changed


@receiver(group_invitation_created, dispatch_uid="notifications-group-invitation")
def group_invitation_notify(sender: object, invitation_id: int, **kwargs: Any) -> None:
    enqueue_small_on_commit(tasks.send_group_invitation, invitation_id)


@receiver(submission_status_changed, dispatch_uid="notifications-submission-status")
def submission_status_notify(
    sender: object, submission_id: int, status: str, **kwargs: Any
) -> None:
    if status == SubmissionStatus.QUEUED:
        enqueue_small_on_commit(tasks.send_receipt, submission_id)
    elif status == SubmissionStatus.FINISHED_GRADING:
        enqueue_small_on_commit(tasks.send_grading_finished, submission_id)
