"""What the submissions app tells the apps above it, without importing them.

The grading pipeline connects to these (in its app config) to enqueue and cancel grading
jobs. Both are sent inside the transaction that changed the submission, so a receiver's
writes commit or roll back with it.
"""

from django.dispatch import Signal

submission_queued = Signal()
"""Sent with `submission`: its files are stored and it waits for grading."""

submission_removed_from_queue = Signal()
"""Sent with `submission`: it left the queue before grading started."""
