"""Reads of submissions shared by views, services and (later) the grading pipeline."""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db.models import Prefetch, QuerySet

from autograder.accounts.models import User
from autograder.common.errors import NotFoundError
from autograder.groups.models import Group
from autograder.projects.models import Project
from autograder.submissions.models import ACTIVE_STATUSES, NOT_COUNTED_STATUSES, Submission


def daily_window(
    *, project: Project, now: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """The submission-limit day that contains `now`: from the last reset (the project's reset
    time in its time zone) up to the next one. Across a DST change the day is 23 or 25 hours."""
    tz = zoneinfo.ZoneInfo(project.submission_limit_reset_timezone)
    local_now = now.astimezone(tz)
    reset = project.submission_limit_reset_time
    day = local_now.date()
    start = datetime.datetime.combine(day, reset, tzinfo=tz)
    if start > local_now:
        day -= datetime.timedelta(days=1)
        start = datetime.datetime.combine(day, reset, tzinfo=tz)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), reset, tzinfo=tz)
    return start, end


def submissions_counted(*, group: Group) -> QuerySet[Submission]:
    """The group's submissions that count towards its daily and total limits."""
    return Submission.objects.filter(group=group).exclude(status__in=NOT_COUNTED_STATUSES)


def submissions_counted_today(*, group: Group, project: Project, now: datetime.datetime) -> int:
    start, end = daily_window(project=project, now=now)
    return submissions_counted(group=group).filter(timestamp__gte=start, timestamp__lt=end).count()


def group_has_active_submission(*, group: Group) -> bool:
    return Submission.objects.filter(group=group, status__in=ACTIVE_STATUSES).exists()


def submissions_with_details() -> QuerySet[Submission]:
    return Submission.objects.select_related("submitter").prefetch_related(
        Prefetch("does_not_count_for", queryset=User.objects.order_by("username"))
    )


def submission_list_for_group(*, group: Group) -> QuerySet[Submission]:
    """Newest first."""
    return submissions_with_details().filter(group=group).order_by("-timestamp", "-pk")


def submission_get(*, submission_id: int) -> Submission:
    found = (
        submissions_with_details()
        .select_related("group", "group__project", "group__project__course")
        .filter(pk=submission_id)
        .first()
    )
    if found is None:
        raise NotFoundError("No such submission.")
    return found


def submission_file_path(*, submission: Submission, name: str) -> str:
    return f"{submission.files_dir}/{name}"


@dataclass(frozen=True)
class StoredFile:
    name: str
    size: int


def submission_file_list(*, submission: Submission) -> list[StoredFile]:
    """The accepted files in upload order, with their stored sizes (0 if missing from
    storage)."""
    files = []
    for name in submission.submitted_filenames:
        path = submission_file_path(submission=submission, name=name)
        try:
            size = default_storage.size(path)
        except FileNotFoundError:
            size = 0
        files.append(StoredFile(name=name, size=size))
    return files
