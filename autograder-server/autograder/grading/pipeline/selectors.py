"""Reads of the pipeline's state shared by its views."""

from typing import Any

from autograder.grading.pipeline import dispatch
from autograder.grading.pipeline.serializers import SubmissionStatusOutput
from autograder.submissions.models import Submission, SubmissionStatus


def submission_status_snapshot(
    *, submission_id: int, show_error_detail: bool = False
) -> dict[str, Any]:
    """The submission's status now, with its queue position and estimated wait while it is
    queued. `error_detail` (what broke, when grading failed) is for course staff; everyone
    else gets it empty."""
    submission = Submission.objects.get(pk=submission_id)
    estimate = (
        dispatch.queue_estimate(submission=submission)
        if submission.status == SubmissionStatus.QUEUED
        else None
    )
    snapshot = {
        "id": submission.pk,
        "status": submission.status,
        "error_msg": submission.error_msg,
        "error_detail": submission.error_detail if show_error_detail else "",
        "queue_position": estimate.position if estimate else None,
        "estimated_wait_s": estimate.estimated_wait_s if estimate else None,
        "queued_at": submission.queued_at,
        "grading_started_at": submission.grading_started_at,
        "non_deferred_finished_at": submission.non_deferred_finished_at,
        "finished_at": submission.finished_at,
    }
    return dict(SubmissionStatusOutput(snapshot).data)
