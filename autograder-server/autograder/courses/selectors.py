"""Reads about courses shared by views and other apps."""

from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from autograder.accounts.models import User
from autograder.common.errors import NotFoundError
from autograder.courses.models import Course, CourseMembership, LateDayBalance, Role


def late_days_remaining(*, course: Course, user: User) -> int:
    balance = LateDayBalance.objects.filter(course=course, user=user).first()
    if balance is None:
        return course.num_late_days
    balance.course = course
    return balance.remaining


def courses_for_user(user: User) -> QuerySet[Course]:
    """Courses the user holds any role in; superusers see every course."""
    if user.is_superuser:
        return Course.objects.all()
    return Course.objects.filter(memberships__user=user).distinct()


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
