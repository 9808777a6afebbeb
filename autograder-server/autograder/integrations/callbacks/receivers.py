"""Signal receivers: they only enqueue tasks on the `small` queue.

- a submission finished grading (deferred suites included) → `grading_finished`;
- a rerun job of a submission finished → `rerun_finished`;
- either may change the group's final graded submission → `final_graded_changed`.
"""

from typing import Any

from django.dispatch import receiver

from autograder.common.enqueue import enqueue_small_on_commit
from autograder.grading.pipeline.models import JobKind
from autograder.grading.pipeline.signals import job_done
from autograder.integrations.callbacks import tasks
from autograder.integrations.callbacks.models import WebhookEvent
from autograder.submissions.models import SubmissionStatus
from autograder.submissions.signals import submission_status_changed


@receiver(submission_status_changed, dispatch_uid="callbacks-submission-status")
def submission_finished(sender: object, submission_id: int, status: str, **kwargs: Any) -> None:
    if status == SubmissionStatus.FINISHED_GRADING:
        enqueue_small_on_commit(
            tasks.submission_event, submission_id, WebhookEvent.GRADING_FINISHED.value
        )


@receiver(job_done, dispatch_uid="callbacks-job-done")
def rerun_finished(sender: object, submission_id: int, kind: str, **kwargs: Any) -> None:
    if kind == JobKind.RERUN:
        enqueue_small_on_commit(
            tasks.submission_event, submission_id, WebhookEvent.RERUN_FINISHED.value
        )
