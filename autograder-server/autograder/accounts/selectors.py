from django.db.models import Q, QuerySet

from autograder.accounts.models import ApiToken, User
from autograder.courses.models import Course, CourseMembership, Role


def users_search(*, query: str = "", active: bool | None = None) -> QuerySet[User]:
    """Users whose username, email or name contains `query` (case-insensitive), for the
    superuser's user page; `active` narrows to active or deactivated accounts."""
    users = User.objects.all()
    for word in query.split():
        users = users.filter(
            Q(username__icontains=word)
            | Q(email__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
        )
    if active is not None:
        users = users.filter(is_active=active)
    return users.order_by("username")


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
    courses = list(Course.objects.filter(pk__in=held))
    listed = [(course, [r.value for r in order if r in held[course.pk]]) for course in courses]
    # Guests (email in a course's allowed guest domain) see the course too, as "guest".
    _, at, domain = user.email.strip().rpartition("@")
    if at and domain:
        guest_of = Course.objects.filter(allowed_guest_domain=domain.lower()).exclude(pk__in=held)
        listed += [(course, ["guest"]) for course in guest_of]
    return listed
