"""Every write to courses, their rosters and late-day balances.

Roster writes lock the course row, so two concurrent edits of one course run one after the
other (which is what keeps "a course always has an admin" true). Unknown users named in a
roster are created without a usable password; they log in by single sign-on or after a password
reset.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import BaseUserManager
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import Lower

from autograder.accounts.models import User
from autograder.common.errors import (
    ApplicationError,
    ConflictError,
    field_error,
    from_validation_error,
)
from autograder.courses.models import Course, CourseMembership, LateDayBalance, Role
from autograder.courses.roles import forget_cached_roles
from autograder.projects.services import project_copy, project_delete

COURSE_EDITABLE_FIELDS = ("name", "semester", "year", "subtitle", "num_late_days")
MAX_IDENTIFIER_LENGTH = 150
"""The length of `User.username`: an identifier may become a username."""


# --- Courses --------------------------------------------------------------------------------


def _duplicate_course_error(course: Course) -> ApplicationError:
    return field_error(
        "name",
        f"A course named {course.name!r} already exists for {course.get_semester_display()} "
        f"{course.year}.",
        code="duplicate_course",
    )


def _course_validate_and_save(course: Course) -> Course:
    course.name = course.name.strip()
    if not course.name:
        raise field_error("name", "A course needs a name.")
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
    """Accounts made for identifiers that matched nobody."""
    not_found: list[str] = field(default_factory=list)
    """Identifiers a removal matched to no member of the roster."""


def identifier_problem(identifier: str) -> str | None:
    """Why `identifier` can't name a user (as a username or an email), or None."""
    if not identifier:
        return "May not be empty."
    if len(identifier) > MAX_IDENTIFIER_LENGTH:
        return f"Longer than {MAX_IDENTIFIER_LENGTH} characters."
    if any(ch.isspace() for ch in identifier):
        return f"{identifier!r} contains whitespace."
    if any(unicodedata.category(ch).startswith("C") for ch in identifier):
        return f"{identifier!r} contains a control or invisible character."
    return None


def identifiers_check(
    identifiers: list[str],
    *,
    field_name: str = "users",
    positions: list[int] | None = None,
    position_label: str = "item",
) -> None:
    """A 400 listing every invalid identifier under `field_name`, keyed by its position
    (`positions[i]`, or the index in the list)."""
    problems: dict[str, list[str]] = {}
    for index, identifier in enumerate(identifiers):
        problem = identifier_problem(identifier)
        if problem:
            position = positions[index] if positions is not None else index
            problems[str(position)] = [problem]
    if problems:
        first, reasons = next(iter(problems.items()))
        message = (
            f"{len(problems)} invalid username(s) or email(s); nothing was changed. "
            f"First: {position_label} {first}: {reasons[0]}"
        )
        raise ApplicationError(message, code="invalid_identifiers", fields={field_name: problems})


def _looks_like_email(identifier: str) -> bool:
    try:
        validate_email(identifier)
    except ValidationError:
        return False
    return True


def _by_lowered(users: Iterable[User], attribute: str) -> dict[str, list[User]]:
    found: dict[str, list[User]] = {}
    for user in users:
        found.setdefault(getattr(user, attribute).lower(), []).append(user)
    return found


def _find_users(identifiers: list[str], *, field_name: str) -> dict[str, User]:
    """Matches each identifier to a user: the exact username, else the one username equal
    ignoring case, else (for an email) the one account with that email. An identifier that
    matches several accounts ignoring case is a 400: guessing could enroll the wrong person."""
    exact = {user.username: user for user in User.objects.filter(username__in=identifiers)}
    rest = {identifier.lower() for identifier in identifiers if identifier not in exact}
    by_username = _by_lowered(
        User.objects.annotate(lowered=Lower("username")).filter(lowered__in=rest), "username"
    )
    by_email = _by_lowered(
        User.objects.annotate(lowered=Lower("email")).filter(lowered__in=rest), "email"
    )
    found: dict[str, User] = {}
    ambiguous: list[str] = []
    for identifier in identifiers:
        if identifier in exact:
            found[identifier] = exact[identifier]
            continue
        matches = by_username.get(identifier.lower()) or (
            by_email.get(identifier.lower(), []) if _looks_like_email(identifier) else []
        )
        if len(matches) == 1:
            found[identifier] = matches[0]
        elif matches:
            ambiguous.append(identifier)
    if ambiguous:
        message = f"Matches more than one account; give the exact username: {', '.join(ambiguous)}."
        raise field_error(field_name, message, code="ambiguous_users")
    return found


def _find_or_create_users(
    identifiers: list[str], *, field_name: str
) -> tuple[list[User], list[User]]:
    """The users named, in order, and which of them were just created. Creating ignores
    conflicts, so a concurrent request creating the same account is harmless."""
    found = _find_users(identifiers, field_name=field_name)
    missing = [identifier for identifier in identifiers if identifier not in found]
    created: list[User] = []
    if missing:
        User.objects.bulk_create(
            [
                User(
                    username=identifier,
                    email=(
                        BaseUserManager.normalize_email(identifier)
                        if _looks_like_email(identifier)
                        else ""
                    ),
                    password=make_password(None),
                )
                for identifier in missing
            ],
            ignore_conflicts=True,
        )
        created = list(User.objects.filter(username__in=missing).order_by("username"))
        found.update({user.username: user for user in created})
    return [found[identifier] for identifier in identifiers], created


def _lock_course(course: Course) -> Course:
    return Course.objects.select_for_update().get(pk=course.pk)


def _member_ids(course: Course, role: Role) -> set[int]:
    return set(
        CourseMembership.objects.filter(course=course, role=role).values_list("user_id", flat=True)
    )


def _check_admin_left(*, course: Course, role: Role, remaining: int) -> None:
    if role == Role.ADMIN and remaining == 0:
        raise ConflictError(
            f"{course} needs at least one admin: add another admin before removing the last one.",
            code="last_admin",
        )


def _unique(users: Iterable[User]) -> list[User]:
    """`users` in order, each once (an account may be named by username and by email)."""
    return list({user.pk: user for user in users}.values())


def _prepare(identifiers: list[str], field_name: str) -> list[str]:
    identifiers_check(identifiers, field_name=field_name)
    return list(dict.fromkeys(identifiers))


def roster_add(
    *, course: Course, role: Role, identifiers: list[str], field_name: str = "users"
) -> RosterChange:
    """Gives `role` to everyone named (usernames or emails), creating unknown accounts.
    Listing someone who already has the role is fine; an admin is staff without also being
    added to the staff roster."""
    wanted = _prepare(identifiers, field_name)
    with transaction.atomic():
        _lock_course(course)
        users, created = _find_or_create_users(wanted, field_name=field_name)
        current = _member_ids(course, role)
        added = _unique(user for user in users if user.pk not in current)
        CourseMembership.objects.bulk_create(
            [CourseMembership(course=course, user=user, role=role) for user in added],
            ignore_conflicts=True,
        )
    return RosterChange(added=added, created=created)


def roster_remove(
    *, course: Course, role: Role, identifiers: list[str], field_name: str = "users"
) -> RosterChange:
    """Takes `role` from everyone named; identifiers that match no one holding it are reported
    in `not_found`. Their groups, submissions and late days stay. The last admin stays (409)."""
    wanted = _prepare(identifiers, field_name)
    with transaction.atomic():
        _lock_course(course)
        found = _find_users(wanted, field_name=field_name)
        current = _member_ids(course, role)
        removed = _unique(user for user in found.values() if user.pk in current)
        not_found = [i for i in wanted if i not in found or found[i].pk not in current]
        _check_admin_left(course=course, role=role, remaining=len(current) - len(removed))
        CourseMembership.objects.filter(course=course, role=role, user__in=removed).delete()
    return RosterChange(removed=removed, not_found=not_found)


def roster_replace(
    *, course: Course, role: Role, identifiers: list[str], field_name: str = "users"
) -> RosterChange:
    """Makes the holders of `role` exactly the users named (e.g. this term's class list):
    adds who is missing, creating unknown accounts, and removes who isn't listed."""
    wanted = _prepare(identifiers, field_name)
    with transaction.atomic():
        _lock_course(course)
        users, created = _find_or_create_users(wanted, field_name=field_name)
        keep = {user.pk for user in users}
        _check_admin_left(course=course, role=role, remaining=len(keep))
        current = _member_ids(course, role)
        added = _unique(user for user in users if user.pk not in current)
        removed = list(User.objects.filter(pk__in=current - keep).order_by("username"))
        CourseMembership.objects.filter(course=course, role=role, user__in=removed).delete()
        CourseMembership.objects.bulk_create(
            [CourseMembership(course=course, user=user, role=role) for user in added],
            ignore_conflicts=True,
        )
    return RosterChange(added=added, removed=removed, created=created)


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
