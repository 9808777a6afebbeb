"""The one writer of a submission's status.

Every status change goes through `submission_status_set`: a conditional UPDATE (so two
writers racing for the same submission can't both win) that publishes the change to live
watchers once the transaction commits. Nothing else writes `Submission.status`.

    received → queued → being_graded → waiting_for_deferred → finished_grading
    side exits: removed_from_queue (received/queued), rejected, error
"""

from collections.abc import Collection
from typing import Any

from django.db import transaction
from django.utils import timezone

from autograder.common import live_events
from autograder.submissions import signals
from autograder.submissions.models import Submission, SubmissionStatus


def submission_status_set(
    *,
    submission_id: int,
    status: SubmissionStatus,
    only_from: Collection[SubmissionStatus] | None = None,
    **fields: Any,
) -> bool:
    """Moves the submission to `status` (if it is in one of `only_from`, when given), with
    any other columns in `fields`. Returns whether it changed; watchers hear of it after
    commit."""
    rows = Submission.objects.filter(pk=submission_id)
    if only_from is not None:
        rows = rows.filter(status__in=list(only_from))
    changed = rows.update(status=status, last_modified=timezone.now(), **fields)
    if changed:
        live_events.submission_status_published(submission_id=submission_id, status=status)
        transaction.on_commit(
            lambda: signals.submission_status_changed.send(
                sender=Submission, submission_id=submission_id, status=status
            )
        )
    return bool(changed)
