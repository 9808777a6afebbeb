"""How the pipeline hears of submissions entering and leaving the queue (the submissions app
sends these signals without knowing who listens; see `submissions.signals`)."""

from typing import Any

from django.dispatch import receiver

from autograder.grading.pipeline import jobs
from autograder.grading.pipeline.models import JobKind
from autograder.submissions.models import Submission
from autograder.submissions.signals import submission_queued, submission_removed_from_queue


@receiver(submission_queued)
def enqueue_grading(sender: Any, *, submission: Submission, **kwargs: Any) -> None:
    jobs.job_enqueue(submission=submission, kind=JobKind.GRADE)


@receiver(submission_removed_from_queue)
def cancel_grading(sender: Any, *, submission: Submission, **kwargs: Any) -> None:
    jobs.jobs_cancel_pending(submission=submission, kind=JobKind.GRADE)
