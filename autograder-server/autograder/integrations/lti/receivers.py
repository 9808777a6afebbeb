"""Grading → grade passback. Receivers only enqueue a task on the small queue, and only for
a course linked to an LMS course (most are not: one indexed query here saves a task for
every graded submission)."""

from typing import Any

from django.dispatch import receiver

from autograder.grading.pipeline.signals import job_done
from autograder.integrations.lti import tasks


@receiver(job_done, dispatch_uid="lti-grades-after-grading")
def send_grades_after_grading(sender: Any, *, submission_id: int, **kwargs: Any) -> None:
    """Every kind of job (grade, deferred, rerun) may change the final graded score."""
    if tasks.submission_course_linked(submission_id):
        tasks.enqueue_after_grading(submission_id)
