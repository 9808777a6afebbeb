"""Every LTI write: registrations, accepting a launch, linking a course, roster sync (NRPS)
and grade passback (AGS)."""

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import requests
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.names_roles import NamesRolesProvisioningService

from autograder.accounts.models import User
from autograder.common.errors import (
    ApplicationError,
    ConflictError,
    PermissionDeniedError,
    field_error,
    from_validation_error,
)
from autograder.courses import services as course_services
from autograder.courses.models import Course, CourseMembership, Role
from autograder.courses.roles import course_roles, forget_cached_roles
from autograder.courses.roster_input import RosterEntry, RosterInput
from autograder.integrations.lti import selectors, tool
from autograder.integrations.lti.claims import SCOPE_SCORE, LaunchContext, Person
from autograder.integrations.lti.models import (
    LtiContext,
    LtiGradeStatus,
    LtiLineItem,
    LtiPlatform,
    LtiUsedNonce,
    LtiUserLink,
)
from autograder.projects.models import Project

logger = logging.getLogger(__name__)

PLATFORM_FIELDS = (
    "name",
    "issuer",
    "client_id",
    "deployment_ids",
    "keyset_url",
    "auth_login_url",
    "auth_token_url",
    "auth_audience",
)
ROSTER_STALE_AFTER = timedelta(hours=1)
"""A learner's launch syncs the roster again when the last sync is older than this."""
SYNC_QUEUED_SECONDS = 60
"""After a launch queues a roster sync, other launches of the course queue none this long."""


class LaunchRefusedError(ApplicationError):
    """A launch we can't accept; the launch page shows `message` to the person."""


# --- Registrations --------------------------------------------------------------------------


def _platform_save(platform: LtiPlatform) -> LtiPlatform:
    ids = platform.deployment_ids
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
        raise field_error("deployment_ids", "Give at least one deployment id (non-empty text).")
    platform.deployment_ids = sorted(set(ids))
    try:
        platform.full_clean()
    except ValidationError as exc:
        if "__all__" in exc.message_dict:
            raise ConflictError(
                "A platform with this issuer and client id is already registered.",
                code="duplicate_platform",
            ) from exc
        raise from_validation_error(exc) from exc
    platform.save()
    return platform


def platform_create(**fields: Any) -> LtiPlatform:
    with transaction.atomic():
        return _platform_save(LtiPlatform(**fields))


def platform_update(*, platform: LtiPlatform, **changes: Any) -> LtiPlatform:
    for name, value in changes.items():
        if name in PLATFORM_FIELDS:
            setattr(platform, name, value)
    with transaction.atomic():
        return _platform_save(platform)


def platform_delete(*, platform: LtiPlatform) -> None:
    """Forgets the registration, its contexts' links and what was sent; courses stay."""
    platform.delete()


# --- Launches -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LaunchOutcome:
    user: User
    context: LtiContext
    course: Course | None
    """The linked course; None when an instructor must first pick or create one."""


def _user_for(platform: LtiPlatform, person: Person) -> User:
    """The account of an LMS user: by an earlier link to their `sub`, else by email (made if
    nobody has it). The link is then kept, so a later email change in the LMS is harmless."""
    link = (
        LtiUserLink.objects.select_related("user")
        .filter(platform=platform, subject=person.subject)
        .first()
    )
    if link:
        return link.user
    if not person.email:
        raise LaunchRefusedError(
            "The LMS did not send your email address, so no account can be found or made. "
            "Ask the LMS administrator to share names and emails with this tool.",
            code="lti_no_email",
        )
    user = User.objects.filter(email__iexact=person.email).order_by("pk").first()
    if user is None:
        user = User.objects.filter(username__iexact=person.email).first()
    if user is not None and user.is_superuser:
        # An LMS may let people edit their email; a superuser account is never taken over
        # that way.
        raise LaunchRefusedError(
            "This email address belongs to a site administrator's account, which cannot be "
            "signed in to from an LMS. Sign in on the site itself.",
            code="lti_superuser_email",
            status=403,
        )
    if user is None:
        user = User.objects.create(
            username=person.email,
            email=User.objects.normalize_email(person.email),
            first_name=person.given_name,
            last_name=person.family_name,
            password=make_password(None),
        )
    LtiUserLink.objects.get_or_create(
        platform=platform, subject=person.subject, defaults={"user": user}
    )
    return user


def _give_role(course: Course, user: User, role: Role) -> None:
    if role == Role.STAFF and course_roles(user, course).is_staff:
        return  # admins are staff already
    _, made = CourseMembership.objects.get_or_create(course=course, user=user, role=role)
    if made:
        forget_cached_roles(user)


def _context_for(platform: LtiPlatform, claims: LaunchContext) -> LtiContext:
    context, _ = LtiContext.objects.get_or_create(platform=platform, context_id=claims.context_id)
    context.title = claims.title or context.title
    context.deployment_id = claims.deployment_id
    # Endpoints are only replaced by a launch that announces them.
    context.memberships_url = claims.memberships_url or context.memberships_url
    if claims.lineitems_url:
        context.lineitems_url = claims.lineitems_url
        context.ags_scopes = claims.ags_scopes
    context.save()
    return context


def launch_accept(*, platform: LtiPlatform, body: dict[str, Any]) -> LaunchOutcome:
    """Turns a validated launch into an account with the role the LMS gives it in the linked
    course. The roster sync that a launch triggers is enqueued by the caller."""
    person = Person.from_launch(body)
    claims = LaunchContext.from_launch(body)
    if not person.subject:
        raise LaunchRefusedError(
            "The launch does not say who you are (no `sub`).", code="lti_no_sub"
        )
    if not claims.context_id:
        raise LaunchRefusedError(
            "The launch comes from outside a course (no context). Open the tool from a course.",
            code="lti_no_context",
        )
    if person.role is None:
        raise LaunchRefusedError(
            "The LMS gives you neither an instructor nor a learner role in this course.",
            code="lti_no_role",
        )
    with transaction.atomic():
        user = _user_for(platform, person)
        context = _context_for(platform, claims)
        course = context.course
        if course is None and person.role == Role.STUDENT:
            raise LaunchRefusedError(
                "This LMS course is not linked to a course here yet. Your instructor links it "
                "by opening the tool from the LMS once.",
                code="lti_course_not_linked",
                status=409,
            )
        if course is not None:
            _give_role(course, user, person.role)
    return LaunchOutcome(user=user, context=context, course=course)


def roster_sync_due(*, context: LtiContext, role: Role | None) -> bool:
    """Whether a launch should queue a sync: every instructor launch, and a learner's when
    the last sync is stale. A class launching at once queues one sync, not one each: a
    launch that queues one holds a short claim in the shared cache."""
    if not context.course_id or not context.memberships_url:
        return False
    stale = context.roster_synced_at is None or (
        timezone.now() - context.roster_synced_at > ROSTER_STALE_AFTER
    )
    if role != Role.STAFF and not stale:
        return False
    return bool(cache.add(f"lti-roster-sync-queued-{context.pk}", 1, SYNC_QUEUED_SECONDS))


def context_link(
    *,
    context: LtiContext,
    user: User,
    course: Course | None = None,
    new_course: dict[str, Any] | None = None,
) -> Course:
    """Links an unlinked LMS context to `course` (which `user` administers) or to a new
    course that `user` administers. The instructor's launch is what allows this, so an
    instructor without `can_create_courses` may still create the course of their LMS course."""
    with transaction.atomic():
        context = LtiContext.objects.select_for_update().get(pk=context.pk)
        if context.course_id is not None:
            raise ConflictError("This LMS course is already linked.", code="lti_already_linked")
        if course is not None:
            if not course_roles(user, course).is_admin:
                raise PermissionDeniedError("Only an admin of that course may link it.")
            if LtiContext.objects.filter(course=course).exists():
                raise field_error("course", "That course is already linked to an LMS course.")
        elif new_course is not None:
            course = course_services.course_create(creator=user, **new_course)
        else:
            raise field_error("course", "Pick a course or give a new course's name.")
        context.course = course
        context.save(update_fields=["course"])
    return course


def context_unlink(*, course: Course) -> None:
    LtiContext.objects.filter(course=course).update(course=None)


def nonces_prune() -> int:
    cutoff = timezone.now() - timedelta(days=1)
    deleted, _ = LtiUsedNonce.objects.filter(used_at__lt=cutoff).delete()
    return deleted


# --- Roster sync (NRPS) ---------------------------------------------------------------------


@dataclass
class RosterSyncResult:
    students_added: int = 0
    staff_added: int = 0
    students_removed: int = 0
    skipped: list[str] = field(default_factory=list)
    """Members the LMS listed without an email address."""


def _roster(users: list[User]) -> RosterInput:
    entries = [
        RosterEntry(identifier=u.username, name="", position=i, written=u.username)
        for i, u in enumerate(users)
    ]
    return RosterInput(entries=entries, problems=[], field_name="users", position_label="item")


def roster_sync(*, context: LtiContext) -> RosterSyncResult:
    """Reads the LMS course's members (NRPS) and gives each active one their role here,
    making accounts by email; learners the LMS lists as inactive lose the student role.
    Nobody else is removed: staff may have added people by hand. A failure is recorded on
    the context for staff to see, then raised."""
    if context.course is None:
        raise ConflictError("This LMS course is not linked to a course.", code="lti_not_linked")
    if not context.memberships_url:
        raise ConflictError(
            "The LMS has not offered its roster service (Names and Role Provisioning) for "
            "this course; enable it for the tool and launch again.",
            code="lti_no_nrps",
        )
    connector = tool.service_connector(context.platform)
    service = NamesRolesProvisioningService(
        connector, {"context_memberships_url": context.memberships_url}
    )
    try:
        members = service.get_members()
    except (LtiException, requests.RequestException) as exc:
        context.roster_sync_error = f"The LMS roster could not be read: {exc}"[:2000]
        context.save(update_fields=["roster_sync_error"])
        raise
    result = RosterSyncResult()
    by_role: dict[Role, list[User]] = {Role.STUDENT: [], Role.STAFF: []}
    inactive: list[User] = []
    with transaction.atomic():
        for member in members:
            person = Person.from_member(dict(member))
            if person.role is None or not person.subject:
                continue
            try:
                user = _user_for(context.platform, person)
            except LaunchRefusedError:
                result.skipped.append(person.subject)
                continue
            if not person.active:
                if person.role == Role.STUDENT:
                    inactive.append(user)
            else:
                by_role[person.role].append(user)
        course = context.course
        staff = [u for u in by_role[Role.STAFF] if not course_roles(u, course).is_staff]
        if by_role[Role.STUDENT]:
            change = course_services.roster_add(
                course=course, role=Role.STUDENT, roster=_roster(by_role[Role.STUDENT])
            )
            result.students_added = len(change.added)
        if staff:
            change = course_services.roster_add(
                course=course, role=Role.STAFF, roster=_roster(staff)
            )
            result.staff_added = len(change.added)
        if inactive:
            change = course_services.roster_remove(
                course=course, role=Role.STUDENT, roster=_roster(inactive)
            )
            result.students_removed = len(change.removed)
        context.roster_synced_at = timezone.now()
        context.roster_sync_error = ""
        context.roster_sync_count = len(members)
        context.save(update_fields=["roster_synced_at", "roster_sync_error", "roster_sync_count"])
    for user in by_role[Role.STUDENT] + by_role[Role.STAFF] + inactive:
        forget_cached_roles(user)
    return result


# --- Grade passback (AGS) -------------------------------------------------------------------


@dataclass
class GradeSendResult:
    sent: int = 0
    unchanged: int = 0
    failed: int = 0
    retryable: bool = False
    """Some failures were the network or the LMS (5xx): trying again later may work."""


def _ags(context: LtiContext) -> AssignmentsGradesService:
    return AssignmentsGradesService(
        tool.service_connector(context.platform),
        {"scope": context.ags_scopes, "lineitems": context.lineitems_url},
    )


def _line_item(
    context: LtiContext, ags: AssignmentsGradesService, project: Project, maximum: float
) -> str:
    """The URL of the project's gradebook column in the LMS, found by our resource id or
    created (labelled with the project's name) when missing."""
    stored = LtiLineItem.objects.filter(context=context, project=project).first()
    if stored:
        return stored.url
    wanted = (
        LineItem()
        .set_label(project.name)
        .set_score_maximum(maximum if maximum > 0 else 1)
        .set_resource_id(f"autograder-project-{project.pk}")
        .set_tag("autograder")
    )
    found = ags.find_or_create_lineitem(wanted, find_by="resource_id")
    url = found.get_id()
    if not url:
        raise LtiException("The LMS answered without the line item's id.")
    LtiLineItem.objects.get_or_create(context=context, project=project, defaults={"url": url})
    return str(url)


def _is_retryable(exc: Exception) -> bool:
    response = getattr(exc, "response", None)
    if isinstance(exc, requests.RequestException) and response is None:
        return True  # no answer at all: connection refused, timeout
    return response is not None and (response.status_code >= 500 or response.status_code == 429)


def _is_gone(exc: Exception) -> bool:
    response = getattr(exc, "response", None)
    return response is not None and response.status_code in (404, 410)


def _record(status: LtiGradeStatus, **values: Any) -> None:
    for name, value in values.items():
        setattr(status, name, value)
    status.attempted_at = timezone.now()
    status.save()


def grades_send(
    *, project: Project, user_ids: set[int] | None = None, force: bool = False
) -> GradeSendResult:
    """Posts each student's final graded score in `project` to its LMS line item (created if
    missing). Scores already sent unchanged are skipped unless `force`. Each student's
    outcome (score and time, or the error) is kept for staff to see."""
    context = selectors.context_of_course(course=project.course_id)
    if context is None:
        raise ConflictError("This course is not linked to an LMS course.", code="lti_not_linked")
    if not context.lineitems_url or SCOPE_SCORE not in context.ags_scopes:
        raise ConflictError(
            "The LMS has not offered grade passback (Assignment and Grade Services) with the "
            "score scope for this course; enable it for the tool and launch again.",
            code="lti_no_ags",
        )
    result = GradeSendResult()
    scores = selectors.final_scores(project=project, user_ids=user_ids)
    if not scores:
        return result
    subjects = dict(
        LtiUserLink.objects.filter(
            platform=context.platform, user__in=[s.user for s in scores]
        ).values_list("user_id", "subject")
    )
    ags = _ags(context)
    line_item_url: str | None = None
    for score in scores:
        status, _ = LtiGradeStatus.objects.get_or_create(project=project, user=score.user)
        unchanged = (
            status.score_sent == score.awarded
            and status.score_maximum == score.possible
            and not status.error
        )
        if unchanged and not force:
            result.unchanged += 1
            continue
        subject = subjects.get(score.user.pk)
        if subject is None:
            _record(
                status,
                error="No LMS account is known for this student: they have not launched the "
                "tool and the roster sync did not list them.",
            )
            result.failed += 1
            continue
        try:
            if line_item_url is None:
                line_item_url = _line_item(context, ags, project, score.possible)
            grade = (
                Grade()
                .set_score_given(score.awarded)
                .set_score_maximum(score.possible if score.possible > 0 else 1)
                .set_user_id(subject)
                .set_timestamp(timezone.now().isoformat())
                .set_activity_progress("Completed")
                .set_grading_progress("FullyGraded")
            )
            ags.put_grade(grade, LineItem({"id": line_item_url}))
        except (LtiException, requests.RequestException) as exc:
            logger.warning("Grade passback of project %s failed: %s", project.pk, exc)
            if _is_gone(exc) and line_item_url is not None:
                # The column was deleted in the LMS: forget it, so the retry makes a new one.
                LtiLineItem.objects.filter(context=context, project=project).delete()
                line_item_url = None
                result.retryable = True
            _record(status, error=f"The LMS refused or did not answer: {exc}"[:2000])
            result.failed += 1
            result.retryable = result.retryable or _is_retryable(exc)
            continue
        _record(
            status,
            score_sent=score.awarded,
            score_maximum=score.possible,
            sent_at=timezone.now(),
            error="",
        )
        result.sent += 1
    return result
