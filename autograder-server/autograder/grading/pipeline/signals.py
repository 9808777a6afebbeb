"""What the pipeline tells the apps above it (integrations, notifications)."""

from django.dispatch import Signal

job_done = Signal()
"""Sent with `submission_id` and `kind` (grade, deferred or rerun) after a grading job
finished and its results committed: scores may have changed. Receivers should only enqueue
tasks."""
