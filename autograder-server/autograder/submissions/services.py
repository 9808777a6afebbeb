"""Every write to submissions.

`submission_create` decides everything inside one transaction that holds the group row locked,
so two uploads for one group are settled one after the other; the partial unique constraint
`submission_one_active_per_group` is the backstop if a caller ever skips the lock. Checks run
in autograder.io's order; nothing is charged (bonus submissions, late days) until every check
has passed, and nothing is charged or stored if any later step fails.
"""

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from autograder.accounts.models import User
from autograder.common.errors import ApplicationError, ConflictError, PermissionDeniedError
from autograder.common.filenames import check_filename
from autograder.courses.roles import course_roles
from autograder.courses.selectors import late_days_remaining
from autograder.courses.services import late_days_charge, late_days_refund
from autograder.groups.models import Group
from autograder.projects.file_matching import match_files
from autograder.projects.models import Project
from autograder.submissions import selectors, signals
from autograder.submissions.models import Submission, SubmissionStatus
from autograder.submissions.status import submission_status_set

ACTIVE_CONSTRAINT = "submission_one_active_per_group"
REMOVABLE_STATUSES = (SubmissionStatus.RECEIVED, SubmissionStatus.QUEUED)


def _active_submission_exists() -> ConflictError:
    return ConflictError(
        "Your group already has a submission being received, queued or graded; wait for it "
        "to finish (or remove it from the queue) before submitting again.",
        code="active_submission_exists",
    )


def _refused(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, status=400)


@dataclass
class _Decision:
    """What the checks decided; applied only once every check has passed."""

    is_bonus_submission: bool = False
    is_past_daily_limit: bool = False
    is_late: bool = False
    late_day_charges: dict[int, int] = field(default_factory=dict)
    """User id → late days to charge."""
    does_not_count_for: list[User] = field(default_factory=list)


# --- Uploads ---------------------------------------------------------------------------------


def _check_uploads(files: Sequence[UploadedFile]) -> None:
    if not files:
        message = "Upload at least one file."
        raise ApplicationError(message, code="no_files", fields={"files": [message]})
    limit = settings.MAX_FILES_PER_SUBMISSION
    if len(files) > limit:
        message = f"A submission may have at most {limit} files; this one has {len(files)}."
        raise ApplicationError(message, code="too_many_files", fields={"files": [message]})
    names = [check_filename(upload.name or "", field="files") for upload in files]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        message = f"Uploaded more than once: {', '.join(duplicates)}."
        raise ApplicationError(message, code="duplicate_files", fields={"files": [message]})
    total = sum(upload.size or 0 for upload in files)
    max_bytes = settings.MAX_UPLOAD_BYTES
    if total > max_bytes:
        message = (
            f"The files total {total} bytes; the limit is {max_bytes} bytes "
            f"({max_bytes / (1024 * 1024):.1f} MiB)."
        )
        raise ApplicationError(
            message, code="upload_too_large", fields={"files": [message]}, status=413
        )


def _check_no_instructor_names(*, project: Project, names: Sequence[str]) -> None:
    """Refuses submitted files named like one of the project's instructor files.

    Tests run both in one working directory, where the instructor's file always wins; a
    student file of the same name would silently not be graded, so say so at upload.
    """
    clashes = sorted(set(names) & set(project.instructor_files.values_list("name", flat=True)))
    if clashes:
        message = (
            f"{', '.join(clashes)}: the name of an instructor file of this project; "
            "rename your file."
        )
        raise ApplicationError(message, code="instructor_file_name", fields={"files": [message]})


def _store_files(
    *, submission: Submission, uploads: dict[str, UploadedFile], written: list[str]
) -> None:
    for name in submission.submitted_filenames:
        path = selectors.submission_file_path(submission=submission, name=name)
        if default_storage.exists(path):  # a leftover from a rolled-back row with this id
            default_storage.delete(path)
        upload = uploads[name]
        upload.seek(0)
        stored = default_storage.save(path, upload)
        written.append(stored)
        if stored != path:
            raise RuntimeError(f"Storage saved {path!r} as {stored!r}.")


def _delete_files(paths: list[str]) -> None:
    for path in paths:
        default_storage.delete(path)


# --- The checks, in order --------------------------------------------------------------------


def _check_daily_limit(
    *, group: Group, project: Project, members: list[User], now: datetime.datetime
) -> tuple[bool, bool]:
    """Returns (is_bonus_submission, is_past_daily_limit)."""
    limit = project.submission_limit_per_day
    if limit is None:
        return False, False
    if project.groups_combine_daily_submissions:
        limit *= len(members)
    used = selectors.submissions_counted_today(group=group, project=project, now=now)
    if used < limit:
        return False, False
    if group.bonus_submissions_remaining > 0:
        return True, False
    if project.allow_submissions_past_limit:
        return False, True
    _, resets_at = selectors.daily_window(project=project, now=now)
    raise _refused(
        f"Your group has used all {limit} submissions for today. The limit resets at "
        f"{resets_at.isoformat()} ({project.submission_limit_reset_timezone}).",
        "daily_limit_reached",
    )


def _check_open(project: Project) -> None:
    if not project.visible_to_students or project.disallow_student_submissions:
        raise _refused(
            "This project is not accepting submissions from students.", "submissions_closed"
        )


def _check_deadline(
    *,
    group: Group,
    project: Project,
    members: list[User],
    submitter: User,
    now: datetime.datetime,
    decision: _Decision,
) -> None:
    deadline = group.extended_due_date or project.closing_time
    if deadline is None or now <= deadline:
        return
    if not project.allow_late_days:
        raise _refused(f"The deadline has passed ({deadline.isoformat()}).", "deadline_passed")

    days_late = math.ceil((now - deadline) / datetime.timedelta(days=1))
    decision.is_late = True
    for member in members:
        needed = days_late - int(group.late_days_used.get(str(member.pk), 0))
        if needed <= 0:
            continue
        remaining = late_days_remaining(course=project.course, user=member)
        if remaining >= needed:
            decision.late_day_charges[member.pk] = needed
        elif member.pk == submitter.pk:
            raise _not_enough_late_days(days_late=days_late, needed=needed, remaining=remaining)
        else:
            decision.does_not_count_for.append(member)


def _not_enough_late_days(*, days_late: int, needed: int, remaining: int) -> ApplicationError:
    return _refused(
        f"The deadline has passed: this submission is {days_late} day(s) late and needs "
        f"{needed} more of your late days, but you have {remaining} left.",
        "not_enough_late_days",
    )


def _check_total_limit(*, group: Group, project: Project) -> None:
    limit = project.total_submission_limit
    if limit is not None and selectors.submissions_counted(group=group).count() >= limit:
        raise _refused(
            f"Your group has used all {limit} submissions allowed for this project.",
            "total_limit_reached",
        )


def _decide(
    *, group: Group, project: Project, members: list[User], submitter: User, now: datetime.datetime
) -> _Decision:
    """Checks (2) to (5); staff of the course skip them all."""
    decision = _Decision()
    if course_roles(submitter, project.course_id).is_staff:
        return decision
    decision.is_bonus_submission, decision.is_past_daily_limit = _check_daily_limit(
        group=group, project=project, members=members, now=now
    )
    _check_open(project)
    _check_deadline(
        group=group,
        project=project,
        members=members,
        submitter=submitter,
        now=now,
        decision=decision,
    )
    _check_total_limit(group=group, project=project)
    return decision


def _charge_late_days(
    *, group: Group, project: Project, members: list[User], submitter: User, decision: _Decision
) -> dict[str, int]:
    """Charges what `decision` planned; a member whose balance changed meanwhile goes into
    does_not_count_for (or, for the submitter, refuses the whole submission)."""
    charged: dict[str, int] = {}
    if not decision.late_day_charges:
        return charged

    for member in members:
        days = decision.late_day_charges.get(member.pk, 0)
        if days <= 0:
            continue
        if late_days_charge(course=project.course, user=member, days=days):
            key = str(member.pk)
            charged[key] = days
            group.late_days_used[key] = int(group.late_days_used.get(key, 0)) + days
        elif member.pk == submitter.pk:
            raise _refused(
                "The deadline has passed and you no longer have enough late days.",
                "not_enough_late_days",
            )
        else:
            decision.does_not_count_for.append(member)
    return charged


# --- Services --------------------------------------------------------------------------------


def submission_create(
    *,
    group: Group,
    submitter: User,
    files: Sequence[UploadedFile],
    honor_pledge_accepted: bool = False,
    now: datetime.datetime | None = None,
) -> Submission:
    """Accepts an upload for `group` or raises ApplicationError saying why not.

    Order: (1) no active submission, (2) daily limit and bonus submissions, (3) project open to
    students, (4) deadline with extension and late days, (5) total limit; then expected files.
    """
    now = now or timezone.now()
    _check_uploads(files)
    if group.project.use_honor_pledge and not honor_pledge_accepted:
        message = "Accept the honor pledge to submit."
        raise ApplicationError(
            message, code="honor_pledge_required", fields={"honor_pledge_accepted": [message]}
        )

    written: list[str] = []
    try:
        with transaction.atomic():
            return _create_locked(
                group=group, submitter=submitter, files=files, now=now, written=written
            )
    except IntegrityError as exc:
        _delete_files(written)
        if ACTIVE_CONSTRAINT in str(exc):
            raise _active_submission_exists() from exc
        raise
    except BaseException:
        _delete_files(written)
        raise


def _create_locked(
    *,
    group: Group,
    submitter: User,
    files: Sequence[UploadedFile],
    now: datetime.datetime,
    written: list[str],
) -> Submission:
    locked = (
        Group.objects.select_for_update(of=("self",))
        .select_related("project", "project__course")
        .get(pk=group.pk)
    )
    project = locked.project
    members = list(locked.members.order_by("pk"))
    if submitter.pk not in {member.pk for member in members}:
        raise PermissionDeniedError("Only members of this group may submit for it.")
    if selectors.group_has_active_submission(group=locked):
        raise _active_submission_exists()

    decision = _decide(group=locked, project=project, members=members, submitter=submitter, now=now)

    uploads = {upload.name or "": upload for upload in files}
    matched = match_files(list(uploads), list(project.expected_student_files.all()))
    if matched.missing:
        needs = ", ".join(f"{pattern} ({count} more)" for pattern, count in matched.missing.items())
        message = f"Missing required files: {needs}."
        raise ApplicationError(message, code="missing_files", fields={"files": [message]})
    _check_no_instructor_names(project=project, names=matched.accepted)

    if decision.is_bonus_submission:
        locked.bonus_submissions_remaining -= 1
    charged = _charge_late_days(
        group=locked, project=project, members=members, submitter=submitter, decision=decision
    )
    locked.save(update_fields=["bonus_submissions_remaining", "late_days_used", "last_modified"])

    submission = Submission.objects.create(
        group=locked,
        project=project,
        submitter=submitter,
        timestamp=now,
        status=SubmissionStatus.RECEIVED,
        submitted_filenames=matched.accepted,
        discarded_files=matched.discarded,
        missing_files=matched.missing,
        total_size=sum(uploads[name].size or 0 for name in matched.accepted),
        is_past_daily_limit=decision.is_past_daily_limit,
        is_bonus_submission=decision.is_bonus_submission,
        is_late=decision.is_late,
        late_days_charged=max(charged.values(), default=0),
        late_days_charges=charged,
    )
    submission.does_not_count_for.set(decision.does_not_count_for)
    _store_files(submission=submission, uploads=uploads, written=written)
    submission_mark_queued(submission=submission)
    return submission


def submission_mark_queued(*, submission: Submission) -> Submission:
    """received → queued, once the files are stored. The grading pipeline hears of it
    (`signals.submission_queued`) in this transaction and enqueues its job, which workers are
    woken for only after commit, so a worker never sees a submission that isn't committed."""
    now = timezone.now()
    submission_status_set(
        submission_id=submission.pk,
        status=SubmissionStatus.QUEUED,
        only_from=[SubmissionStatus.RECEIVED],
        queued_at=now,
    )
    submission.refresh_from_db(fields=["status", "queued_at", "last_modified"])
    signals.submission_queued.send(sender=Submission, submission=submission)
    return submission


def submission_remove_from_queue(*, submission: Submission) -> Submission:
    """Takes a received or queued submission out of the queue and gives back what it spent:
    its bonus submission, and the late days it charged. A removable submission is always the
    group's newest (a group has at most one active submission), so its late-day charge is
    always the group's latest and refunding it restores the balances exactly."""
    with transaction.atomic():
        group = (
            Group.objects.select_for_update(of=("self",))
            .select_related("project__course")
            .get(pk=submission.group_id)
        )
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.status not in REMOVABLE_STATUSES:
            raise ConflictError(
                f"Only received or queued submissions can be removed from the queue; this "
                f"one is {locked.get_status_display().lower()}.",
                code="not_removable",
            )
        submission_status_set(submission_id=locked.pk, status=SubmissionStatus.REMOVED_FROM_QUEUE)
        locked.refresh_from_db(fields=["status", "last_modified"])
        signals.submission_removed_from_queue.send(sender=Submission, submission=locked)

        if locked.is_bonus_submission:
            group.bonus_submissions_remaining += 1
        charges = {int(key): int(days) for key, days in locked.late_days_charges.items()}
        for user in User.objects.filter(pk__in=charges):
            late_days_refund(course=group.project.course, user=user, days=charges[user.pk])
            key = str(user.pk)
            group.late_days_used[key] = max(
                0, int(group.late_days_used.get(key, 0)) - charges[user.pk]
            )
        group.save(update_fields=["bonus_submissions_remaining", "late_days_used", "last_modified"])
    return locked
