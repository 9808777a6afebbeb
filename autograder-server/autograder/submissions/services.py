"""Every write to submissions.

`submission_create` decides everything inside one transaction that holds the group row locked,
so two uploads for one group are settled one after the other; the partial unique constraint
`submission_one_active_per_group` is the backstop if a caller ever skips the lock. The rules
themselves are reads in `selectors` (`upload_refusals`, `submission_plan`, the expected-file
match), shared with the project page's `my_limits/` and `file_check/`: this module raises what
they refuse and charges what they plan. Nothing is charged (bonus submissions, late days)
until every check has passed, and nothing is charged or stored if any later step fails.
"""

import datetime
from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from autograder.accounts.models import User
from autograder.common.errors import ApplicationError, ConflictError, PermissionDeniedError
from autograder.courses.services import late_days_charge, late_days_refund
from autograder.groups.models import Group
from autograder.projects.file_matching import match_files
from autograder.projects.models import Project
from autograder.submissions import selectors, signals
from autograder.submissions.models import Submission, SubmissionStatus
from autograder.submissions.status import submission_status_set

ACTIVE_CONSTRAINT = "submission_one_active_per_group"
REMOVABLE_STATUSES = (SubmissionStatus.RECEIVED, SubmissionStatus.QUEUED)


def _check_uploads(files: Sequence[UploadedFile]) -> None:
    """The files' own rules (`selectors.upload_refusals`); raises the first one broken."""
    refusals = selectors.upload_refusals(
        names=[upload.name or "" for upload in files],
        total_size=sum(upload.size or 0 for upload in files),
    )
    if refusals:
        raise refusals[0].as_error()


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


def _charge_late_days(
    *,
    group: Group,
    project: Project,
    members: list[User],
    submitter: User,
    plan: selectors.SubmissionPlan,
    does_not_count_for: list[User],
) -> dict[str, int]:
    """Charges what `plan` planned; a member whose balance changed meanwhile goes into
    does_not_count_for (or, for the submitter, refuses the whole submission)."""
    charged: dict[str, int] = {}
    if not plan.late_day_charges:
        return charged
    for member in members:
        days = plan.late_day_charges.get(member.pk, 0)
        if days <= 0:
            continue
        if late_days_charge(course=project.course, user=member, days=days):
            key = str(member.pk)
            charged[key] = days
            group.late_days_used[key] = int(group.late_days_used.get(key, 0)) + days
        elif member.pk == submitter.pk:
            raise ApplicationError(
                "The deadline has passed and you no longer have enough late days.",
                code="not_enough_late_days",
            )
        else:
            does_not_count_for.append(member)
    return charged


# --- Services --------------------------------------------------------------------------------


def submission_create(
    *,
    group: Group,
    submitter: User,
    files: Sequence[UploadedFile],
    honor_pledge_accepted: bool = False,
    now: datetime.datetime | None = None,
    queue: bool = True,
) -> Submission:
    """Accepts an upload for `group` or raises ApplicationError saying why not.

    Order: (1) no active submission, (2) daily limit and bonus submissions, (3) project open to
    students, (4) deadline with extension and late days, (5) total limit; then expected files.
    With `queue=False` the submission stays `received` for a caller that still has files to
    add (EiPL questions: the code a language model writes) before `submission_mark_queued`.
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
                group=group,
                submitter=submitter,
                files=files,
                now=now,
                written=written,
                queue=queue,
            )
    except IntegrityError as exc:
        _delete_files(written)
        if ACTIVE_CONSTRAINT in str(exc):
            raise selectors.ACTIVE_SUBMISSION.as_error() from exc
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
    queue: bool = True,
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
    plan = selectors.submission_plan(
        group=locked, project=project, members=members, submitter=submitter, now=now
    )
    if plan.refusal is not None:
        raise plan.refusal.as_error()

    uploads = {upload.name or "": upload for upload in files}
    matched = match_files(list(uploads), list(project.expected_student_files.all()))
    missing = selectors.missing_files_refusal(matched)
    if missing is not None:
        raise missing.as_error()
    clashes = selectors.instructor_name_clashes(project=project, names=matched.accepted)
    if clashes:
        raise selectors.instructor_name_refusal(clashes).as_error()

    if plan.is_bonus_submission:
        locked.bonus_submissions_remaining -= 1
    does_not_count_for = list(plan.does_not_count_for)
    charged = _charge_late_days(
        group=locked,
        project=project,
        members=members,
        submitter=submitter,
        plan=plan,
        does_not_count_for=does_not_count_for,
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
        is_past_daily_limit=plan.is_past_daily_limit,
        is_bonus_submission=plan.is_bonus_submission,
        is_late=plan.is_late,
        late_days_charged=max(charged.values(), default=0),
        late_days_charges=charged,
    )
    submission.does_not_count_for.set(does_not_count_for)
    _store_files(submission=submission, uploads=uploads, written=written)
    if queue:
        submission_mark_queued(submission=submission)
    return submission


def submission_files_add(*, submission: Submission, files: dict[str, bytes]) -> Submission:
    """Stores files made for a `received` submission after its upload (EiPL's generated code)
    and lists them with its submitted files. Call inside the transaction that then queues it;
    a name already submitted is replaced."""
    for name, content in files.items():
        path = selectors.submission_file_path(submission=submission, name=name)
        if default_storage.exists(path):
            default_storage.delete(path)
        stored = default_storage.save(path, ContentFile(content))
        if stored != path:
            raise RuntimeError(f"Storage saved {path!r} as {stored!r}.")
    names = [n for n in submission.submitted_filenames if n not in files] + list(files)
    Submission.objects.filter(pk=submission.pk, status=SubmissionStatus.RECEIVED).update(
        submitted_filenames=names,
        total_size=submission.total_size + sum(len(c) for c in files.values()),
    )
    submission.refresh_from_db(fields=["submitted_filenames", "total_size"])
    return submission


def submission_mark_queued(*, submission: Submission) -> Submission:
    """received → queued, once the files are stored. The grading pipeline hears of it
    (`signals.submission_queued`) in this transaction and enqueues its job, which workers are
    woken for only after commit, so a worker never sees a submission that isn't committed."""
    submission_status_set(
        submission_id=submission.pk,
        status=SubmissionStatus.QUEUED,
        only_from=[SubmissionStatus.RECEIVED],
        queued_at=timezone.now(),
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
