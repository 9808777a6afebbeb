"""Every write of the runner API: machine keys, works (each a real submission made by a
machine principal through `submissions.services`), and their callback deliveries.

A work's callback is one webhook attempt (`callbacks.services.post_signed`): signed under
the key's signing secret, POSTed through `callbacks.safe_http` (which refuses the platform's
own networks unless AG_CALLBACK_ALLOW_PRIVATE), and retried on the webhooks' schedule.
"""

import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from autograder.accounts.models import User, hash_token_key, new_token_key
from autograder.common.errors import ApplicationError, RateLimitedError, field_error
from autograder.courses.models import Course, CourseMembership, Role
from autograder.grading.config.feedback_settings import FeedbackCategory
from autograder.grading.results.feedback import submission_feedback
from autograder.grading.results.selectors import submission_scores
from autograder.groups.models import Group, GroupMembership
from autograder.integrations.callbacks import safe_http
from autograder.integrations.callbacks.models import DeliveryState
from autograder.integrations.callbacks.services import post_signed
from autograder.integrations.runner.models import (
    KEY_PREFIX_LENGTH,
    MachineKey,
    RunnerLane,
    RunnerWork,
)
from autograder.projects.models import Project
from autograder.submissions import services as submission_services
from autograder.submissions.models import ACTIVE_STATUSES, Submission, SubmissionStatus

GRADE_SCALE = 10
"""Callbacks carry `grade` out of 10 (correctomatic's own example: 7.98)."""
FINAL_STATUSES = (
    SubmissionStatus.FINISHED_GRADING,
    SubmissionStatus.ERROR,
    SubmissionStatus.REJECTED,
    SubmissionStatus.REMOVED_FROM_QUEUE,
)
EVENT = "runner_result"


# --- Machine keys ----------------------------------------------------------------------------


def _course_projects(course: Course, project_ids: Sequence[int]) -> list[Project]:
    projects = list(Project.objects.filter(course=course, pk__in=project_ids))
    if not project_ids:
        raise field_error("projects", "Choose at least one project the key may run.")
    missing = sorted(set(project_ids) - {p.pk for p in projects})
    if missing:
        raise field_error("projects", f"No project {missing} in this course.")
    return projects


def machine_key_create(
    *,
    course: Course,
    name: str,
    project_ids: Sequence[int],
    feedback_category: str,
    created_by: User,
) -> tuple[MachineKey, str]:
    """A new key and its secret (shown once: only its hash is kept)."""
    projects = _course_projects(course, project_ids)
    secret = new_token_key()
    key = MachineKey.objects.create(
        course=course,
        name=name,
        prefix=secret[:KEY_PREFIX_LENGTH],
        key_hash=hash_token_key(secret),
        signing_secret=secrets.token_hex(32),
        feedback_category=feedback_category,
        created_by=created_by,
    )
    key.projects.set(projects)
    return key, secret


def machine_key_revoke(*, key: MachineKey) -> MachineKey:
    """Refused from now on; its works and their log stay. Revoking twice changes nothing."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def machine_key_touch(*, key: MachineKey) -> None:
    """Records use, at most once a minute (a busy caller doesn't write on every request)."""
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        MachineKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


# --- Works -----------------------------------------------------------------------------------


def _new_lane(key: MachineKey, project: Project, number: int) -> RunnerLane:
    """A machine principal: no password, inactive (no way to sign in or hold API tokens),
    staff of the course so that the project's deadline and submission limits don't apply
    (the runner's own limit is AG_RUNNER_MAX_PARALLEL lanes)."""
    user = User.objects.create(
        username=f"runner-key{key.pk}-p{project.pk}-{number}",
        first_name="Runner",
        last_name=key.name[:150],
        password=make_password(None),
        is_active=False,
    )
    CourseMembership.objects.create(course_id=project.course_id, user=user, role=Role.STAFF)
    group = Group.objects.create(project=project)
    GroupMembership.objects.create(group=group, project=project, user=user)
    group.members.add(user)
    return RunnerLane.objects.create(
        key=key, project=project, number=number, user=user, group=group
    )


def _free_lane(key: MachineKey, project: Project) -> RunnerLane:
    """A lane whose group has no submission in progress, locked for this transaction."""
    busy = Submission.objects.filter(status__in=ACTIVE_STATUSES).values("group_id")
    lane = (
        RunnerLane.objects.select_for_update(skip_locked=True)
        .filter(key=key, project=project)
        .exclude(group_id__in=busy)
        .select_related("user", "group")
        .order_by("number")
        .first()
    )
    if lane is not None:
        return lane
    MachineKey.objects.select_for_update().get(pk=key.pk)  # one lane maker at a time
    count = RunnerLane.objects.filter(key=key, project=project).count()
    if count >= settings.AG_RUNNER_MAX_PARALLEL:
        raise RateLimitedError(
            f"This key already has {count} works of this assignment in progress "
            f"(AG_RUNNER_MAX_PARALLEL); send this one when one of them is done.",
            retry_after=10,
        )
    return _new_lane(key, project, count + 1)


def work_submit(
    *,
    key: MachineKey,
    project_id: int,
    file: UploadedFile,
    work_id: str,
    params: dict[str, str],
    callback: str,
) -> RunnerWork:
    """Accepts a work: a submission of `file` to the project by one of the key's machine
    principals, queued for grading like any other. Refusals name their field."""
    if key.revoked_at is not None:
        raise ApplicationError("This key was revoked.", code="revoked")
    project = key.projects.filter(pk=project_id).select_related("course").first()
    if project is None:
        message = f"This key may not run assignment {project_id}."
        raise ApplicationError(
            message, code="not_allowed", fields={"assignment": [message]}, status=403
        )
    try:
        safe_http.check_url(callback)
    except safe_http.CallbackRefusedError as e:
        raise field_error("callback", str(e)) from None
    with transaction.atomic():
        lane = _free_lane(key, project)
        try:
            submission = submission_services.submission_create(
                group=lane.group, submitter=lane.user, files=[file], honor_pledge_accepted=True
            )
        except ApplicationError as e:  # what the project refuses is about the file
            fields = {"file": [e.message]}
            raise ApplicationError(e.message, code=e.code, fields=fields, status=e.status) from None
        return RunnerWork.objects.create(
            key=key,
            project=project,
            submission=submission,
            work_id=work_id,
            callback=callback,
            params=params,
        )


# --- Results and their delivery ----------------------------------------------------------------


def _comments(submission: Submission, category: str) -> list[str]:
    """One line per suite and test case that the key's feedback category shows."""
    feedback = submission_feedback(submission=submission, category=FeedbackCategory(category))
    lines = []
    for suite in feedback.suites:
        lines.append(f"{suite.name}: {suite.points_awarded}/{suite.points_possible}")
        for case in suite.cases or []:
            lines.append(
                f"{suite.name} / {case.name}: {case.points_awarded}/{case.points_possible}"
            )
    return lines


def work_result(*, work: RunnerWork) -> dict[str, Any]:
    """The callback body for a work whose submission reached a final status."""
    submission = work.submission
    if submission.status != SubmissionStatus.FINISHED_GRADING:
        reason = submission.error_msg or f"The submission was {submission.get_status_display()}."
        if submission.status == SubmissionStatus.REMOVED_FROM_QUEUE:
            reason = "Staff removed the work from the grading queue."
        return {"success": False, "work_id": work.work_id, "error": reason}
    score = submission_scores(submission_ids=[submission.pk])[submission.pk]
    awarded, possible = float(score.awarded), float(score.possible)  # sums may be Decimals
    grade = round(GRADE_SCALE * awarded / possible, 2) if possible else 0.0
    return {
        "success": True,
        "work_id": work.work_id,
        "grade": grade,
        "comments": _comments(submission, work.key.feedback_category),
    }


def work_finished(*, submission_id: int) -> int | None:
    """Records the callback body of the work the submission grades (once); its id, or None
    when the submission is no work or not final yet."""
    with transaction.atomic():
        work = (
            RunnerWork.objects.select_for_update()
            .select_related("submission", "key")
            .filter(submission_id=submission_id)
            .first()
        )
        if work is None or work.submission.status not in FINAL_STATUSES:
            return None
        if work.payload is None:
            work.payload = work_result(work=work)
            work.save(update_fields=["payload"])
        return work.pk


def callback_attempt(*, work_id: int) -> int | None:
    """One POST of the work's result; the seconds to wait before the next, or None when over."""
    work = RunnerWork.objects.select_related("key").get(pk=work_id)
    if work.state != DeliveryState.PENDING or work.payload is None:
        return None
    return post_signed(
        work,
        url=work.callback,
        secret=work.key.signing_secret,
        event=EVENT,
        delivery_header=f"work-{work.pk}",
    )
