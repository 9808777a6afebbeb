"""Grading → grade passback. Receivers only enqueue a task on the small queue; the task
decides whether the submission's course is linked to an LMS course."""

from typing import Any

from django.dispatch import receiver

from autograder.grading.pipeline.signals import job_done
from autograder.integrations.lti import tasks


@receiver(job_done, dispatch_uid="lti-grades-after-grading")
def send_grades_after_grading(sender: Any, *, submission_id: int, **kwargs: Any) -> None:
    """Every kind of job (grade, deferred, rerun) may change the final graded score."""
    tasks.enqueue_after_grading(submission_id)
