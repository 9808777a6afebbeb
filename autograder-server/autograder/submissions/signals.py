"""What the submissions app tells the apps above it, without importing them.

The grading pipeline connects to `submission_queued` and `submission_removed_from_queue` (in
its app config) to enqueue and cancel grading jobs; both are sent inside the transaction that
changed the submission, so a receiver's writes commit or roll back with it.
`submission_status_changed` is sent after that transaction commits, for work that must not
hold it up (notifications, grade passback): receivers should only enqueue tasks.
"""

from django.dispatch import Signal

submission_queued = Signal()
"""Sent with `submission`: its files are stored and it waits for grading."""

submission_removed_from_queue = Signal()
"""Sent with `submission`: it left the queue before grading started."""

submission_status_changed = Signal()
"""Sent with `submission_id` and `status` after a status change committed (by
`status.submission_status_set`, the only writer)."""
