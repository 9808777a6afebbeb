"""A work's submission reached a final status → its callback is prepared and sent (on the
`small` queue). Other submissions are left alone after one indexed lookup."""

from typing import Any

from django.dispatch import receiver

from autograder.common.enqueue import enqueue_small_on_commit
from autograder.integrations.runner import tasks
from autograder.integrations.runner.models import RunnerWork
from autograder.integrations.runner.services import FINAL_STATUSES
from autograder.submissions.signals import submission_status_changed


@receiver(submission_status_changed, dispatch_uid="runner-submission-status")
def submission_final(sender: object, submission_id: int, status: str, **kwargs: Any) -> None:
    if status in FINAL_STATUSES and RunnerWork.objects.filter(submission_id=submission_id).exists():
        enqueue_small_on_commit(tasks.work_finished, submission_id)
