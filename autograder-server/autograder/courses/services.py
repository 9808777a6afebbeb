"""Every write to courses, their rosters and late-day balances.

Roster writes lock the course row, so two concurrent edits of one course run one after the
other (which is what keeps "a course always has an admin" true). Accounts are made only for
email addresses that match nobody, named as written beside the address and without a usable
password; they log in by single sign-on or after a password reset.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import BaseUserManager
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Count

from autograder.accounts.models import User
from autograder.accounts.passwords import account_invitation_send
from autograder.common.errors import (
    ApplicationError,
    ConflictError,
    field_error,
    from_validation_error,
)
from autograder.courses import selectors
from autograder.courses.models import Course, CourseMembership, LateDayBalance, Role
from autograder.courses.roles import forget_cached_roles
from autograder.courses.roster_input import RosterEntry, RosterInput
from autograder.courses.selectors import RosterMode
from autograder.projects.services import project_copy, project_delete

COURSE_EDITABLE_FIELDS = (
    "name",
    "semester",
    "year",
    "subtitle",
    "num_late_days",
    "allowed_guest_domain",
)

_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")


# --- Courses --------------------------------------------------------------------------------


def _duplicate_course_error(course: Course) -> ApplicationError:
    return field_error(
        "name",
        f"A course named {course.name!r} already exists for {course.get_semester_display()} "
        f"{course.year}.",
        code="duplicate_course",
    )


def _normalized_guest_domain(raw: str) -> str:
    """`@UMich.edu ` and `umich.edu` mean the same domain; guests match it exactly (a
    subdomain such as `eecs.umich.edu` is another domain)."""
    domain = raw.strip().lower().removeprefix("@")
    if domain and not _DOMAIN.match(domain):
        raise field_error(
            "allowed_guest_domain",
            f"{raw.strip()!r} is not an email domain (write it like umich.edu), or leave it "
            "empty for no guests.",
        )
    return domain


def _course_validate_and_save(course: Course) -> Course:
    course.name = course.name.strip()
    if not course.name:
        raise field_error("name", "A course needs a name.")
    course.allowed_guest_domain = _normalized_guest_domain(course.allowed_guest_domain)
    try:
        course.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise from_validation_error(exc) from exc
    taken = Course.objects.filter(name=course.name, semester=course.semester, year=course.year)
    if taken.exclude(pk=course.pk).exists():
        raise _duplicate_course_error(course)
    try:
        with transaction.atomic():
            course.save()
    except IntegrityError as exc:
        raise _duplicate_course_error(course) from exc
    return course


def course_create(
    *,
    creator: User,
    name: str,
    semester: str,
    year: int,
    subtitle: str = "",
    num_late_days: int = 0,
    allowed_guest_domain: str = "",
) -> Course:
    """Creates a course with `creator` as its admin. Who may create courses is the API's
    check (superusers and users with `can_create_courses`)."""
    with transaction.atomic():
        course = _course_validate_and_save(
            Course(
                name=name,
                semester=semester,
                year=year,
                subtitle=subtitle,
                num_late_days=num_late_days,
                allowed_guest_domain=allowed_guest_domain,
            )
        )
        CourseMembership.objects.create(course=course, user=creator, role=Role.ADMIN)
    forget_cached_roles(creator)
    return course


def course_update(*, course: Course, **changes: Any) -> Course:
    """Applies `changes` (any of COURSE_EDITABLE_FIELDS). Changing `num_late_days` changes
    every student's remaining late days by the same amount."""
    unknown = sorted(set(changes) - set(COURSE_EDITABLE_FIELDS))
    if unknown:
        raise TypeError(f"Not editable course fields: {unknown}")
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        for name, value in changes.items():
            setattr(locked, name, value)
        return _course_validate_and_save(locked)


def course_delete(*, course: Course) -> None:
    """Deletes a course with its projects, rosters and late days. Refused (409) while any of
    its projects has submissions: students' work can't be brought back."""
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        count = locked.projects.aggregate(n=Count("submissions"))["n"]
        if count:
            raise ConflictError(
                f"{locked} has {count} submission(s); courses with submissions can't be deleted.",
                code="course_has_submissions",
            )
        for project in locked.projects.all():
            project_delete(project=project)
        locked.delete()


def course_copy(*, course: Course, new_name: str, new_semester: str, new_year: int) -> Course:
    """A new course with `course`'s settings, its admins, and a copy of every project (with
    expected and instructor files, hidden from students). Staff, students, handgraders,
    groups, submissions and late days stay behind. All or nothing."""
    written: list[str] = []
    try:
        with transaction.atomic():
            copy = _course_validate_and_save(
                Course(
                    name=new_name,
                    semester=new_semester,
                    year=new_year,
                    subtitle=course.subtitle,
                    num_late_days=course.num_late_days,
                    allowed_guest_domain=course.allowed_guest_domain,
                )
            )
            CourseMembership.objects.bulk_create(
                CourseMembership(course=copy, user_id=user_id, role=Role.ADMIN)
                for user_id in CourseMembership.objects.filter(
                    course=course, role=Role.ADMIN
                ).values_list("user_id", flat=True)
            )
            for project in course.projects.order_by("pk"):
                duplicate = project_copy(project=project, target_course=copy, new_name=None)
                written += duplicate.instructor_files.values_list("file_obj", flat=True)
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    return copy


# --- Rosters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterChange:
    added: list[User] = field(default_factory=list)
    removed: list[User] = field(default_factory=list)
    created: list[User] = field(default_factory=list)
    """Accounts made for addresses that matched nobody."""
    not_found: list[str] = field(default_factory=list)
    """Identifiers a removal matched to no member of the roster."""


def _create_accounts(entries: list[RosterEntry]) -> dict[str, User]:
    """Accounts for `entries` (addresses that matched nobody), with the display name written
    beside each, by identifier. Creating ignores conflicts, so a concurrent request creating
    the same account is harmless."""
    if not entries:
        return {}
    accounts = []
    for entry in entries:
        first_name, last_name = entry.first_and_last_name()
        accounts.append(
            User(
                username=entry.identifier,
                email=BaseUserManager.normalize_email(entry.identifier),
                first_name=first_name,
                last_name=last_name,
                password=make_password(None),
            )
        )
    User.objects.bulk_create(accounts, ignore_conflicts=True)
    usernames = [entry.identifier for entry in entries]
    return {user.username: user for user in User.objects.filter(username__in=usernames)}


def _carry_out(
    *, course: Course, role: Role, mode: RosterMode, roster: RosterInput
) -> RosterChange:
    """Plans the change under the course lock (so two edits of one course run one after the
    other) and carries it out, or changes nothing: a 400 listing every entry that can't be
    used, or a 409 when the course would lose its last admin."""
    with transaction.atomic():
        Course.objects.select_for_update().get(pk=course.pk)
        plan = selectors.roster_plan(course=course, role=role, mode=mode, roster=roster)
        if plan.problems:
            raise roster.error(plan.problems)
        if plan.conflict:
            raise ConflictError(plan.conflict, code="last_admin")
        created = _create_accounts([p.entry for p in plan.add if p.user is None])
        added = [p.user or created[p.entry.identifier] for p in plan.add]
        CourseMembership.objects.filter(course=course, role=role, user__in=plan.remove).delete()
        CourseMembership.objects.bulk_create(
            [CourseMembership(course=course, user=user, role=role) for user in added],
            ignore_conflicts=True,
        )
        for user in added:  # those without a password are emailed a set-password link
            account_invitation_send(user=user, course_name=course.name, role=role.label)
    return RosterChange(
        added=added,
        removed=plan.remove,
        created=sorted(created.values(), key=lambda user: user.username),
        not_found=[entry.identifier for entry in plan.not_found],
    )


def roster_add(*, course: Course, role: Role, roster: RosterInput) -> RosterChange:
    """Gives `role` to everyone named, creating accounts for unknown addresses (named as
    written beside them). Listing someone who already has the role is fine; an admin is staff
    without also being added to the staff roster."""
    return _carry_out(course=course, role=role, mode=RosterMode.ADD, roster=roster)


def roster_remove(*, course: Course, role: Role, roster: RosterInput) -> RosterChange:
    """Takes `role` from everyone named; names that match no one holding it are reported in
    `not_found`. Their groups, submissions and late days stay. The last admin stays (409)."""
    return _carry_out(course=course, role=role, mode=RosterMode.REMOVE, roster=roster)


def roster_replace(*, course: Course, role: Role, roster: RosterInput) -> RosterChange:
    """Makes the holders of `role` exactly the people named (e.g. this term's class list):
    adds who is missing, creating accounts for unknown addresses, and removes who isn't
    listed."""
    return _carry_out(course=course, role=role, mode=RosterMode.REPLACE, roster=roster)


# --- Late days ------------------------------------------------------------------------------


def _locked_balance(*, course: Course, user: User) -> LateDayBalance:
    LateDayBalance.objects.get_or_create(course=course, user=user)
    balance = LateDayBalance.objects.select_for_update().get(course=course, user=user)
    balance.course = course
    return balance


def late_days_charge(*, course: Course, user: User, days: int) -> bool:
    """Spends `days` of the user's late days if they have that many; returns whether it did.
    The balance row is locked, so two submissions cannot spend the same day."""
    if days <= 0:
        return True
    with transaction.atomic():
        balance = _locked_balance(course=course, user=user)
        if balance.remaining < days:
            return False
        balance.used += days
        balance.save(update_fields=["used"])
    return True


def late_days_refund(*, course: Course, user: User, days: int) -> None:
    if days <= 0:
        return
    with transaction.atomic():
        balance = _locked_balance(course=course, user=user)
        balance.used = max(0, balance.used - days)
        balance.save(update_fields=["used"])


def late_days_set(*, course: Course, user: User, remaining: int) -> LateDayBalance:
    """Grants or takes away late days so the user has exactly `remaining` left. The grant is
    stored relative to the course allowance, so changing the allowance later moves it too."""
    if remaining < 0:
        raise field_error("remaining", "Remaining late days may not be negative.")
    with transaction.atomic():
        balance = _locked_balance(course=course, user=user)
        course.num_late_days = Course.objects.values_list("num_late_days", flat=True).get(
            pk=course.pk
        )
        balance.extra_granted = remaining - course.num_late_days + balance.used
        balance.save(update_fields=["extra_granted"])
    return balance
