"""Which groups and submissions a bulk download covers, and how its folders are named."""

import dataclasses
from datetime import datetime

from django.db.models import Prefetch

from autograder.accounts.models import User
from autograder.courses.models import CourseMembership, Role
from autograder.grading.results.final_graded import final_graded_submissions
from autograder.groups.models import Group
from autograder.projects.models import Project
from autograder.submissions.models import Submission

_SUBMISSION_FIELDS = (
    "id",
    "group_id",
    "project_id",
    "timestamp",
    "status",
    "submitted_filenames",
    "is_late",
)


@dataclasses.dataclass(frozen=True)
class Options:
    include_staff: bool
    """Also groups with a member who is staff or admin of the course."""
    include_pending_extensions: bool
    """Also groups whose extended deadline has not passed yet (their final graded submission
    may still change)."""
    now: datetime


def export_groups(*, project: Project, options: Options) -> list[Group]:
    """The project's groups the options cover, members prefetched by username, by id."""
    members = User.objects.order_by("username").only("id", "username")
    groups = Group.objects.filter(project=project).prefetch_related(
        Prefetch("members", queryset=members)
    )
    if not options.include_staff:
        staff = CourseMembership.objects.filter(
            course_id=project.course_id, role__in=[Role.ADMIN, Role.STAFF]
        ).values("user_id")
        groups = groups.exclude(members__in=staff)
    if not options.include_pending_extensions:
        groups = groups.exclude(extended_due_date__gt=options.now)
    return list(groups.order_by("pk"))


def folder_name(group: Group) -> str:
    """The group's members' usernames, sorted and joined by `_` (usernames hold no `/`)."""
    names = [member.username.replace("/", "_") for member in group.members.all()]
    return "_".join(names) if names else f"group-{group.pk}"


def all_submissions(*, groups: list[Group]) -> list[Submission]:
    """Every submission of `groups`, oldest first within each group."""
    return list(
        Submission.objects.filter(group_id__in=[g.pk for g in groups])
        .only(*_SUBMISSION_FIELDS)
        .order_by("group_id", "timestamp", "pk")
    )


def final_submissions(*, project: Project, groups: list[Group]) -> dict[int, Submission]:
    """Group id → its final graded submission (per the project's policy)."""
    return final_graded_submissions(project=project, group_ids=[g.pk for g in groups])
