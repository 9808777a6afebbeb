"""The sandbox images results may still be rerun on ("pinned"), which garbage collection keeps
on every node (the registry deletes nothing, so what a node can pull stays pullable).

An image is pinned when a suite result records it and either
- the result's submission waits for (or is in) a rerun that asked for the original images, or
- the submission is a group's final graded one in an active course: one with a submission in
  the last AG_IMAGE_GC_PIN_DAYS days (a term's course until well after its grades are in).

Every other image falls back to the rules of `images.services.images_needed`: current builds
and builds of the last AG_IMAGE_GC_RETENTION_DAYS days stay, older ones may go, and a rerun of
an old submission on its original image then fails for that suite with a message that says so.
"""

from collections.abc import Collection, Iterable
from datetime import timedelta
from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from autograder.grading.pipeline.models import (
    UNFINISHED_JOB_STATES,
    GradingJob,
    ImageChoice,
    JobKind,
)
from autograder.grading.results.final_graded import final_graded_submissions
from autograder.grading.results.models import AGTestSuiteResult
from autograder.groups.models import Group
from autograder.images.limits import gc_settings
from autograder.images.signals import images_pinned
from autograder.projects.models import Project
from autograder.submissions.models import Submission


def _recorded(submission_ids: Collection[int]) -> set[str]:
    """The image tags and ids the suite results of these submissions recorded."""
    rows = (
        AGTestSuiteResult.objects.filter(submission_id__in=list(submission_ids))
        .exclude(image_digest="")
        .values_list("image", "image_digest")
        .distinct()
    )
    return {name for pair in rows for name in pair if name}


def _in_original_reruns() -> set[int]:
    return set(
        GradingJob.objects.filter(
            kind=JobKind.RERUN,
            state__in=UNFINISHED_JOB_STATES,
            rerun_task__image_choice=ImageChoice.ORIGINAL,
        ).values_list("submission_id", flat=True)
    )


def _final_graded_of_active_courses(active_days: float) -> set[int]:
    since = timezone.now() - timedelta(days=active_days)
    courses = (
        Submission.objects.filter(timestamp__gte=since)
        .values_list("project__course_id", flat=True)
        .distinct()
    )
    found: set[int] = set()
    for project in Project.objects.filter(course_id__in=list(courses)):
        groups = Group.objects.filter(project=project).values_list("pk", flat=True)
        picked = final_graded_submissions(project=project, group_ids=list(groups))
        found.update(submission.pk for submission in picked.values())
    return found


def pinned_images(*, active_days: float) -> set[str]:
    """Tags and image ids that results may still be rerun on (see the module's docstring)."""
    submissions: Iterable[int] = _in_original_reruns() | _final_graded_of_active_courses(
        active_days
    )
    return _recorded(set(submissions))


@receiver(images_pinned)
def _pinned(sender: Any, **kwargs: Any) -> set[str]:
    return pinned_images(active_days=gc_settings().pin_days)
