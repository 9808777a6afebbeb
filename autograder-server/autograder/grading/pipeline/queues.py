"""The Celery queues, one per kind of work. Worker types consume them with `-Q`; the deploy
files use the same names."""

import enum


class Queue(enum.StrEnum):
    GRADER = "grader"
    """Students' new submissions whose estimated worst case is long."""
    FAST = "fast"
    """Students' new submissions whose estimated worst case is below AG_FAST_QUEUE_SECONDS."""
    DEFERRED = "deferred"
    """Deferred suites, run after a submission's other suites have finished."""
    RERUN = "rerun"
    """Staff-requested reruns; kept apart so they never delay new submissions."""
    SMALL = "small"
    """Exports and housekeeping (the lease reaper, pool upkeep)."""
    IMAGES = "images"
    """Sandbox image builds (autograder.images): slow, and kept off every grading queue. Its
    workers need the `docker` CLI and the Docker socket."""
    LLM = "llm"
    """Language-model calls of EiPL questions (autograder.eipl): they wait on a remote endpoint,
    not on a sandbox, so they never hold a grading worker's slot."""
