"""Reads about courses shared by views and other apps."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower

from autograder.accounts.models import User
from autograder.common.errors import NotFoundError
from autograder.courses.models import Course, CourseMembership, LateDayBalance, Role
from autograder.courses.roles import email_domain
from autograder.courses.roster_input import EntryProblem, RosterEntry, RosterInput


def late_days_remaining(*, course: Course, user: User) -> int:
    balance = LateDayBalance.objects.filter(course=course, user=user).first()
    if balance is None:
        return course.num_late_days
    balance.course = course
    return balance.remaining


def courses_for_user(user: User) -> QuerySet[Course]:
    """Courses the user holds any role in or is a guest of (their email's domain is the
    course's allowed guest domain); superusers see every course."""
    if user.is_superuser:
        return Course.objects.all()
    member_of = Q(pk__in=CourseMembership.objects.filter(user=user).values("course_id"))
    domain = email_domain(user.email)
    if domain:
        member_of |= Q(allowed_guest_domain=domain)
    return Course.objects.filter(member_of)


def members_with_role(*, course: Course, role: Role) -> QuerySet[User]:
    return User.objects.filter(
        pk__in=CourseMembership.objects.filter(course=course, role=role).values("user_id")
    ).order_by("username")


def course_get(*, course_id: int) -> Course:
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        raise NotFoundError("No such course.")
    return course


@dataclass(frozen=True)
class LateDays:
    user: User
    remaining: int
    used: int
    extra_granted: int


def _with_balance(users: QuerySet[User], course: Course) -> QuerySet[User]:
    balance = LateDayBalance.objects.filter(course=course, user=OuterRef("pk"))
    return users.annotate(
        late_days_used=Coalesce(Subquery(balance.values("used")[:1]), 0),
        late_days_extra=Coalesce(Subquery(balance.values("extra_granted")[:1]), 0),
    )


def late_days_students(*, course: Course) -> QuerySet[User]:
    """The course's students by username, each with its balance annotated (see
    `late_days_of`); students who never used or got late days have no balance row yet."""
    return _with_balance(members_with_role(course=course, role=Role.STUDENT), course)


def late_days_of(*, course: Course, user: User) -> LateDays:
    """`user` must come from `late_days_students` or `late_days_user`."""
    used: int = getattr(user, "late_days_used", 0)
    extra: int = getattr(user, "late_days_extra", 0)
    return LateDays(
        user=user,
        remaining=max(0, course.num_late_days + extra - used),
        used=used,
        extra_granted=extra,
    )


def late_days_user(*, course: Course, user_id: int) -> User:
    """The user with their balance annotated: anyone with a role in the course or a balance
    in it (a student who has left keeps theirs). Anyone else is a 404."""
    in_course = Q(course_memberships__course=course) | Q(late_day_balances__course=course)
    user = _with_balance(User.objects.filter(in_course, pk=user_id).distinct(), course).first()
    if user is None:
        raise NotFoundError("No such user in this course.")
    return user


# --- Roster plans ---------------------------------------------------------------------------


class RosterMode(models.TextChoices):
    ADD = "add", "Add the people named"
    REPLACE = "replace", "Make the roster exactly the people named"
    REMOVE = "remove", "Remove the people named"


@dataclass(frozen=True)
class PlannedEntry:
    entry: RosterEntry
    user: User | None
    """The account the entry names; None when one will be created for it."""


@dataclass(frozen=True)
class RosterPlan:
    """What a roster change would do, worked out without writing anything: the preview shows
    it, and the services carry it out (under the course lock), so the two can't disagree."""

    mode: RosterMode
    add: list[PlannedEntry] = field(default_factory=list)
    """Named and not holding the role yet (add, replace)."""
    unchanged: list[PlannedEntry] = field(default_factory=list)
    """Named and already holding the role (add, replace)."""
    remove: list[User] = field(default_factory=list)
    """Losing the role: the named holders (remove), or the holders not named (replace)."""
    not_found: list[RosterEntry] = field(default_factory=list)
    """Named for removal but not holding the role."""
    problems: list[EntryProblem] = field(default_factory=list)
    """Entries that can't be used; the change is refused while there are any."""
    conflict: str = ""
    """Why the change would be refused as a whole (it would remove the last admin)."""


def _by_lowered(users: Iterable[User], attribute: str) -> dict[str, list[User]]:
    found: dict[str, list[User]] = {}
    for user in users:
        found.setdefault(getattr(user, attribute).lower(), []).append(user)
    return found


def _find_users(entries: list[RosterEntry]) -> tuple[dict[str, User], set[str]]:
    """Matches each identifier to a user: the exact username, else the one username equal
    ignoring case, else (for an address) the one account with that email. Returns the matches
    and the identifiers that match several accounts ignoring case: guessing could enroll the
    wrong person."""
    identifiers = [entry.identifier for entry in entries]
    exact = {user.username: user for user in User.objects.filter(username__in=identifiers)}
    rest = {identifier.lower() for identifier in identifiers if identifier not in exact}
    by_username = _by_lowered(
        User.objects.annotate(lowered=Lower("username")).filter(lowered__in=rest), "username"
    )
    by_email = _by_lowered(
        User.objects.annotate(lowered=Lower("email")).filter(lowered__in=rest), "email"
    )
    found: dict[str, User] = {}
    ambiguous: set[str] = set()
    for entry in entries:
        if entry.identifier in exact:
            found[entry.identifier] = exact[entry.identifier]
            continue
        lowered = entry.identifier.lower()
        matches = by_username.get(lowered) or (by_email.get(lowered, []) if entry.is_email else [])
        if len(matches) == 1:
            found[entry.identifier] = matches[0]
        elif matches:
            ambiguous.add(entry.identifier)
    return found, ambiguous


def _distinct(entries: list[RosterEntry]) -> list[RosterEntry]:
    """Each identifier once (the first mention wins)."""
    first: dict[str, RosterEntry] = {}
    for entry in entries:
        first.setdefault(entry.identifier, entry)
    return list(first.values())


def roster_plan(*, course: Course, role: Role, mode: RosterMode, roster: RosterInput) -> RosterPlan:
    """What adding, replacing with or removing the people in `roster` would change in the
    holders of `role`. A name that is not an address must be an existing account's username
    to be added: accounts are only made for email addresses."""
    entries = _distinct(roster.entries)
    found, ambiguous = _find_users(entries)
    problems = list(roster.problems)
    refused = set(ambiguous)
    for entry in entries:
        if entry.identifier in ambiguous:
            problems.append(
                EntryProblem(
                    entry.position,
                    entry.written,
                    f"{entry.identifier!r} matches more than one account; give the exact username.",
                )
            )
        elif entry.identifier not in found and not entry.is_email and mode != RosterMode.REMOVE:
            problems.append(
                EntryProblem(
                    entry.position,
                    entry.written,
                    f"{entry.identifier!r} is not an email address, and no account has that "
                    "username.",
                )
            )
            refused.add(entry.identifier)
    current = set(
        CourseMembership.objects.filter(course=course, role=role).values_list("user_id", flat=True)
    )
    if mode == RosterMode.REMOVE:
        kept = [entry for entry in entries if entry.identifier not in refused]
        return _removal_plan(kept, found, current, problems, course=course, role=role)
    add: list[PlannedEntry] = []
    unchanged: list[PlannedEntry] = []
    seen: set[int] = set()
    new_accounts: set[str] = set()
    for entry in entries:
        user = found.get(entry.identifier)
        # One person named twice (by username and by email, or in two cases) counts once.
        if user is not None:
            if user.pk in seen:
                continue
            seen.add(user.pk)
        elif entry.identifier.lower() in new_accounts or entry.identifier in refused:
            continue
        else:
            new_accounts.add(entry.identifier.lower())
        planned = PlannedEntry(entry, user)
        (unchanged if user is not None and user.pk in current else add).append(planned)
    plan = RosterPlan(mode, add=add, unchanged=unchanged, problems=problems)
    if mode == RosterMode.ADD:
        return plan
    removed = list(User.objects.filter(pk__in=current - seen).order_by("username"))
    conflict = _last_admin_conflict(course, role, remaining=len(add) + len(unchanged))
    return RosterPlan(
        mode, add=add, unchanged=unchanged, remove=removed, problems=problems, conflict=conflict
    )


def _removal_plan(
    entries: list[RosterEntry],
    found: dict[str, User],
    current: set[int],
    problems: list[EntryProblem],
    *,
    course: Course,
    role: Role,
) -> RosterPlan:
    removed: dict[int, User] = {}
    not_found: list[RosterEntry] = []
    for entry in entries:
        user = found.get(entry.identifier)
        if user is not None and user.pk in current:
            removed.setdefault(user.pk, user)
        else:
            not_found.append(entry)
    conflict = _last_admin_conflict(course, role, remaining=len(current) - len(removed))
    return RosterPlan(
        RosterMode.REMOVE,
        remove=list(removed.values()),
        not_found=not_found,
        problems=problems,
        conflict=conflict,
    )


def _last_admin_conflict(course: Course, role: Role, *, remaining: int) -> str:
    if role == Role.ADMIN and remaining == 0:
        return f"{course} needs at least one admin: add another admin before removing the last one."
    return ""
