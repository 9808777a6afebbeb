"""Celery tasks of LTI, on the `small` queue: thin wrappers over the services, retried with
backoff when the LMS is unreachable or answers 5xx."""

import logging
from typing import Any

import requests
from celery import Task, shared_task
from django.conf import settings
from pylti1p3.exception import LtiException

from autograder.common.errors import ApplicationError
from autograder.groups.models import GroupMembership
from autograder.integrations.lti import services
from autograder.integrations.lti.models import LtiContext
from autograder.projects.models import Project
from autograder.submissions.models import Submission

logger = logging.getLogger(__name__)

SEND_GRADES_TASK = "lti.send_grades"
SYNC_ROSTER_TASK = "lti.sync_roster"
AFTER_GRADING_TASK = "lti.send_grades_after_grading"
MAX_RETRIES = 6
"""With backoff doubling from 30 s (capped at 30 min), about an hour of retrying."""


def small_queue() -> str:
    return f"{settings.QUEUE_PREFIX}small"


@shared_task(
    bind=True, name=SEND_GRADES_TASK, ignore_result=True, time_limit=600, max_retries=MAX_RETRIES
)
def send_grades(
    self: Task[Any, Any], project_id: int, user_ids: list[int] | None = None, force: bool = False
) -> None:
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return
    try:
        result = services.grades_send(
            project=project, user_ids=set(user_ids) if user_ids is not None else None, force=force
        )
    except ApplicationError as exc:
        logger.info("Grades of project %s not sent: %s", project_id, exc.message)
        return
    if result.retryable:
        raise self.retry(countdown=min(30 * 2**self.request.retries, 1800))


@shared_task(
    bind=True, name=SYNC_ROSTER_TASK, ignore_result=True, time_limit=600, max_retries=MAX_RETRIES
)
def sync_roster(self: Task[Any, Any], context_id: int) -> None:
    context = LtiContext.objects.select_related("platform", "course").filter(pk=context_id).first()
    if context is None or context.course is None:
        return
    try:
        services.roster_sync(context=context)
    except ApplicationError as exc:
        logger.info("Roster of LMS context %s not synced: %s", context_id, exc.message)
    except (LtiException, requests.RequestException) as exc:
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 1800)) from exc


def enqueue_send_grades(*, project_id: int, user_ids: list[int] | None, force: bool) -> None:
    send_grades.apply_async(args=(project_id, user_ids, force), queue=small_queue())


@shared_task(name=AFTER_GRADING_TASK, ignore_result=True, time_limit=60)
def send_grades_after_grading(submission_id: int) -> None:
    """After a grading or a rerun: send the scores of the submission's group members, when
    its course is linked to an LMS course (most are not: then nothing more happens)."""
    found = (
        Submission.objects.filter(pk=submission_id, project__course__lti_context__isnull=False)
        .values_list("project_id", "group_id")
        .first()
    )
    if found is None:
        return
    project_id, group_id = found
    members = list(
        GroupMembership.objects.filter(group_id=group_id).values_list("user_id", flat=True)
    )
    enqueue_send_grades(project_id=project_id, user_ids=members, force=False)


def submission_course_linked(submission_id: int) -> bool:
    """Whether the submission's course is linked to an LMS course."""
    return Submission.objects.filter(
        pk=submission_id, project__course__lti_context__isnull=False
    ).exists()


def enqueue_after_grading(submission_id: int) -> None:
    send_grades_after_grading.apply_async(args=(submission_id,), queue=small_queue())


def enqueue_sync_roster(*, context_id: int) -> None:
    sync_roster.apply_async(args=(context_id,), queue=small_queue())


@shared_task(name="lti.prune_nonces", ignore_result=True, time_limit=300)
def prune_nonces() -> None:
    services.nonces_prune()
