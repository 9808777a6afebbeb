"""Reads of submissions shared by views, services and the grading pipeline.

Two groups of reads here are the rules of uploading, written once: what a group may still
submit (`submission_plan`) and what an upload's files would come to (`file_check`). The upload
(`services.submission_create`) raises the first refusal they report; the project page shows
what they report before the student uploads (`my_limits/`, `file_check/`). So the page can't
promise what the upload then refuses, and the browser never repeats a rule.
"""

import dataclasses
import datetime
import math
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Prefetch, QuerySet

from autograder.accounts.models import User
from autograder.common.errors import ApplicationError, NotFoundError
from autograder.common.filenames import filename_problem
from autograder.common.joined_get import JoinedGet
from autograder.courses.models import LateDayBalance
from autograder.courses.roles import course_roles
from autograder.groups.models import Group
from autograder.groups.selectors import group_for_user
from autograder.projects.file_matching import MatchResult, match_files
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


def submissions_counted(*, group: Group | None) -> QuerySet[Submission]:
    """The group's submissions that count towards its daily and total limits (none without a
    group)."""
    if group is None:
        return Submission.objects.none()
    return Submission.objects.filter(group=group).exclude(status__in=NOT_COUNTED_STATUSES)


def submissions_counted_today(
    *, group: Group | None, project: Project, now: datetime.datetime
) -> int:
    if group is None:
        return 0
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


_SUBMISSION_FOR_CHECK = JoinedGet(Submission, "group__project__course")


def submission_get_for_check(*, submission_id: int) -> Submission:
    """The submission with what permission checks read (group, project, course), and nothing
    else: for hot read paths that need no submitter or `does_not_count_for`."""
    found = _SUBMISSION_FOR_CHECK.get(submission_id)
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


# --- Refusals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Why an upload would be refused: the upload raises it, the reads before it report it."""

    code: str
    message: str
    status: int = 400
    field: str | None = None
    """The input it is about (`files` for the files' own problems), if any."""
    name: str | None = None
    """The one chosen file it is about, if any."""

    def as_error(self) -> ApplicationError:
        fields = {self.field: [self.message]} if self.field else None
        return ApplicationError(self.message, code=self.code, fields=fields, status=self.status)


ACTIVE_SUBMISSION = Refusal(
    "active_submission_exists",
    "Your group already has a submission being received, queued or graded; wait for it to "
    "finish (or remove it from the queue) before submitting again.",
    status=409,
)
NO_GROUP = Refusal(
    "no_group",
    "You are not in a group for this project yet: work alone or form a group first.",
)
SUBMISSIONS_CLOSED = Refusal(
    "submissions_closed", "This project is not accepting submissions from students."
)


# --- What a group may still submit -------------------------------------------------------------


@dataclass(frozen=True)
class DailyAllowance:
    limit: int | None
    """Submissions per day for the group (times its size when the project pools them); None
    when the project sets no daily limit."""
    used: int
    """Counted submissions since the last reset."""
    resets_at: datetime.datetime
    """The next reset, in the project's reset time zone."""

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)

    @property
    def reached(self) -> bool:
        return self.limit is not None and self.used >= self.limit


def daily_allowance(
    *, group: Group | None, project: Project, member_count: int, now: datetime.datetime
) -> DailyAllowance:
    limit = project.submission_limit_per_day
    if limit is not None and project.groups_combine_daily_submissions:
        limit *= member_count
    _, resets_at = daily_window(project=project, now=now)
    used = submissions_counted_today(group=group, project=project, now=now)
    return DailyAllowance(limit=limit, used=used, resets_at=resets_at)


@dataclass(frozen=True)
class TotalAllowance:
    limit: int | None
    used: int

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)

    @property
    def reached(self) -> bool:
        return self.limit is not None and self.used >= self.limit


def total_allowance(*, group: Group | None, project: Project) -> TotalAllowance:
    return TotalAllowance(
        limit=project.total_submission_limit, used=submissions_counted(group=group).count()
    )


def deadline_for(*, group: Group | None, project: Project) -> datetime.datetime | None:
    """The group's extension if it has one, else the project's closing time."""
    extension = group.extended_due_date if group is not None else None
    return extension or project.closing_time


def days_late(*, deadline: datetime.datetime | None, now: datetime.datetime) -> int:
    """Whole days past the deadline, rounded up (1 second late is 1 day); 0 on or before it."""
    if deadline is None or now <= deadline:
        return 0
    return math.ceil((now - deadline) / datetime.timedelta(days=1))


@dataclass(frozen=True)
class MemberLateDays:
    user: User
    remaining: int
    """Late days the member has left in the course."""
    used: int
    """Late days the member has spent in the course (on any project)."""
    needed: int
    """What a submission now would charge them: the days late beyond those this group has
    already charged them (so submitting again on the same late day costs nothing more)."""

    @property
    def enough(self) -> bool:
        return self.remaining >= self.needed


@dataclass(frozen=True)
class LateDayPlan:
    deadline: datetime.datetime | None
    days_late: int
    members: list[MemberLateDays]

    @property
    def is_past_deadline(self) -> bool:
        return self.days_late > 0


def late_day_plan(
    *, group: Group | None, project: Project, members: Sequence[User], now: datetime.datetime
) -> LateDayPlan:
    deadline = deadline_for(group=group, project=project)
    late = days_late(deadline=deadline, now=now)
    already: dict[str, int] = group.late_days_used if group is not None else {}
    balances = _late_day_balances(project=project, members=members)
    return LateDayPlan(
        deadline=deadline,
        days_late=late,
        members=[
            MemberLateDays(
                user=member,
                remaining=balances[member.pk].remaining,
                used=balances[member.pk].used,
                needed=max(0, late - int(already.get(str(member.pk), 0))),
            )
            for member in members
        ],
    )


def _late_day_balances(*, project: Project, members: Sequence[User]) -> dict[int, LateDayBalance]:
    """Each member's balance in the project's course, in one query. A member who never used or
    got late days has no row yet: an unsaved one stands in, so `LateDayBalance.remaining` (the
    rule the charge uses) gives the course's allowance."""
    course = project.course
    found = {
        balance.user_id: balance
        for balance in LateDayBalance.objects.filter(course=course, user__in=list(members))
    }
    for member in members:
        found.setdefault(member.pk, LateDayBalance(course=course, user=member))
        found[member.pk].course = course
    return found


@dataclass(frozen=True)
class SubmissionPlan:
    """What an upload by `submitter` at `now` would be: refused and why, or accepted and what it
    would spend. Nothing in it is charged; `services.submission_create` does that."""

    project: Project
    group: Group | None
    submitter: User
    now: datetime.datetime
    daily: DailyAllowance
    total: TotalAllowance
    late: LateDayPlan
    bonus_submissions_remaining: int
    limits_apply: bool
    """False for course staff, whose uploads skip the limits, the deadline and late days."""
    refusal: Refusal | None = None
    is_bonus_submission: bool = False
    is_past_daily_limit: bool = False
    is_late: bool = False
    late_day_charges: dict[int, int] = field(default_factory=dict)
    """User id → late days to charge."""
    does_not_count_for: list[User] = field(default_factory=list)
    """Members who lack the late days: the submission won't count for them."""

    def refused(self, refusal: Refusal) -> "SubmissionPlan":
        return dataclasses.replace(self, refusal=refusal)

    @property
    def submitter_late_days(self) -> MemberLateDays | None:
        return next((m for m in self.late.members if m.user.pk == self.submitter.pk), None)


def _daily_limit_reached(*, daily: DailyAllowance, project: Project) -> Refusal:
    return Refusal(
        "daily_limit_reached",
        f"Your group has used all {daily.limit} submissions for today. The limit resets at "
        f"{daily.resets_at.isoformat()} ({project.submission_limit_reset_timezone}).",
    )


def _late_refusal(*, plan: LateDayPlan, project: Project, submitter: User) -> Refusal | None:
    if not plan.is_past_deadline:
        return None
    if not project.allow_late_days:
        deadline = plan.deadline.isoformat() if plan.deadline else ""
        return Refusal("deadline_passed", f"The deadline has passed ({deadline}).")
    mine = next((m for m in plan.members if m.user.pk == submitter.pk), None)
    if mine is not None and not mine.enough:
        return Refusal(
            "not_enough_late_days",
            f"The deadline has passed: this submission is {plan.days_late} day(s) late and "
            f"needs {mine.needed} more of your late days, but you have {mine.remaining} left.",
        )
    return None


def _total_limit_reached(total: TotalAllowance) -> Refusal:
    return Refusal(
        "total_limit_reached",
        f"Your group has used all {total.limit} submissions allowed for this project.",
    )


def submission_plan(
    *,
    group: Group | None,
    project: Project,
    members: Sequence[User],
    submitter: User,
    now: datetime.datetime,
) -> SubmissionPlan:
    """Decides an upload by `submitter` for `group` at `now`, in autograder.io's order: (1) no
    active submission, (2) the daily limit and bonus submissions, (3) the project open to
    students, (4) the deadline, its extension and late days, (5) the total limit. Course staff
    skip (2) to (5). The upload calls this with the group locked; `submission_limits` calls it
    to show the same answer before the upload."""
    plan = SubmissionPlan(
        project=project,
        group=group,
        submitter=submitter,
        now=now,
        daily=daily_allowance(group=group, project=project, member_count=len(members), now=now),
        total=total_allowance(group=group, project=project),
        late=late_day_plan(group=group, project=project, members=members, now=now),
        bonus_submissions_remaining=group.bonus_submissions_remaining if group else 0,
        limits_apply=not course_roles(submitter, project.course_id).is_staff,
    )
    if group is None:
        return plan.refused(NO_GROUP)
    if group_has_active_submission(group=group):
        return plan.refused(ACTIVE_SUBMISSION)
    if not plan.limits_apply:
        return plan

    is_bonus = is_past_limit = False
    if plan.daily.reached:
        if plan.bonus_submissions_remaining > 0:
            is_bonus = True
        elif project.allow_submissions_past_limit:
            is_past_limit = True
        else:
            return plan.refused(_daily_limit_reached(daily=plan.daily, project=project))
    if not project.visible_to_students or project.disallow_student_submissions:
        return plan.refused(SUBMISSIONS_CLOSED)
    late_refusal = _late_refusal(plan=plan.late, project=project, submitter=submitter)
    if late_refusal is not None:
        return plan.refused(late_refusal)
    if plan.total.reached:
        return plan.refused(_total_limit_reached(plan.total))

    charges = {m.user.pk: m.needed for m in plan.late.members if m.needed > 0 and m.enough}
    return dataclasses.replace(
        plan,
        is_bonus_submission=is_bonus,
        is_past_daily_limit=is_past_limit,
        is_late=plan.late.is_past_deadline,
        late_day_charges=charges,
        does_not_count_for=[m.user for m in plan.late.members if not m.enough],
    )


def submission_limits(*, user: User, project: Project, now: datetime.datetime) -> SubmissionPlan:
    """What `user` may still submit for `project` now: their group's counts (none without a
    group), their and their partners' late days, and what an upload now would be refused for
    or would spend."""
    group = group_for_user(project=project, user=user)
    members = list(group.members.order_by("pk")) if group is not None else [user]
    return submission_plan(group=group, project=project, members=members, submitter=user, now=now)


# --- What an upload's files would come to ------------------------------------------------------


def upload_refusals(*, names: Sequence[str], total_size: int | None) -> list[Refusal]:
    """Every reason the upload would refuse these files on their own, in the order it checks
    them (it raises the first): none at all, too many, a bad name, a name twice, too large.
    `total_size` None skips the size rule (the sizes are not known)."""
    found: list[Refusal] = []
    if not names:
        found.append(Refusal("no_files", "Upload at least one file.", field="files"))
    limit = settings.MAX_FILES_PER_SUBMISSION
    if len(names) > limit:
        found.append(
            Refusal(
                "too_many_files",
                f"A submission may have at most {limit} files; this one has {len(names)}.",
                field="files",
            )
        )
    for name in names:
        problem = filename_problem(name)
        if problem:
            found.append(Refusal("invalid_filename", problem, field="files", name=name))
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        found.append(
            Refusal(
                "duplicate_files",
                f"Uploaded more than once: {', '.join(duplicates)}.",
                field="files",
            )
        )
    max_bytes = settings.MAX_UPLOAD_BYTES
    if total_size is not None and total_size > max_bytes:
        found.append(
            Refusal(
                "upload_too_large",
                f"The files total {total_size} bytes; the limit is {max_bytes} bytes "
                f"({max_bytes / (1024 * 1024):.1f} MiB).",
                status=413,
                field="files",
            )
        )
    return found


def missing_files_refusal(match: MatchResult) -> Refusal | None:
    if not match.missing:
        return None
    needs = ", ".join(f"{pattern} ({count} more)" for pattern, count in match.missing.items())
    return Refusal("missing_files", f"Missing required files: {needs}.", field="files")


def instructor_name_clashes(*, project: Project, names: Sequence[str]) -> list[str]:
    """Kept files named like one of the project's instructor files. Tests run both in one
    working directory, where the instructor's file always wins, so a student file of the same
    name would silently not be graded; the upload refuses it instead."""
    return sorted(set(names) & set(project.instructor_files.values_list("name", flat=True)))


def instructor_name_refusal(clashes: Sequence[str]) -> Refusal:
    return Refusal(
        "instructor_file_name",
        f"{', '.join(clashes)}: the name of an instructor file of this project; rename your file.",
        field="files",
        name=clashes[0] if len(clashes) == 1 else None,
    )


@dataclass(frozen=True)
class ChosenFile:
    name: str
    size: int | None = None


@dataclass(frozen=True)
class FileCheck:
    """A dry run of an upload's files: how the expected patterns take them and everything the
    upload would refuse about them. Nothing about limits or deadlines (`submission_limits`)."""

    match: MatchResult
    refusals: list[Refusal]

    @property
    def acceptable(self) -> bool:
        return not self.refusals


def file_check(*, project: Project, files: Sequence[ChosenFile]) -> FileCheck:
    names = [chosen.name for chosen in files]
    sizes = [chosen.size for chosen in files]
    total = None if any(size is None for size in sizes) else sum(s or 0 for s in sizes)
    refusals = upload_refusals(names=names, total_size=total)
    match = match_files(names, list(project.expected_student_files.all()))
    missing = missing_files_refusal(match)
    if missing is not None:
        refusals.append(missing)
    for clash in instructor_name_clashes(project=project, names=match.accepted):
        refusals.append(instructor_name_refusal([clash]))
    return FileCheck(match=match, refusals=refusals)
