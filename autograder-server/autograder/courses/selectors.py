"""Reads about courses shared by other apps."""

from django.db.models import QuerySet

from autograder.accounts.models import User
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
