from django.db.models import QuerySet

from autograder.accounts.models import ApiToken, User
from autograder.courses.models import Course, CourseMembership, Role


def api_tokens_of(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def courses_with_roles(*, user: User) -> list[tuple[Course, list[str]]]:
    """Every course the user has a role in, with the roles (admin implies staff)."""
    held: dict[int, set[str]] = {}
    for course_id, role in CourseMembership.objects.filter(user=user).values_list(
        "course_id", "role"
    ):
        held.setdefault(course_id, set()).add(role)
        if role == Role.ADMIN:
            held[course_id].add(Role.STAFF)
    order = [Role.ADMIN, Role.STAFF, Role.STUDENT, Role.HANDGRADER]
    courses = Course.objects.filter(pk__in=held)
    return [(course, [r.value for r in order if r in held[course.pk]]) for course in courses]
