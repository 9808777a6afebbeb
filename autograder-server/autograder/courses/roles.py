"""Who a user is in a course. Every permission check asks this module."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from autograder.accounts.models import User
from autograder.courses.models import Course, CourseMembership, Role


@dataclass(frozen=True)
class CourseRoles:
    is_admin: bool = False
    is_staff: bool = False
    is_student: bool = False
    is_handgrader: bool = False
    is_guest: bool = False
    """Not on the roster, but signed in with an email of the course's allowed guest domain:
    may use the course's projects that let guests submit, and nothing else. Never set
    together with a roster role."""

    @property
    def any(self) -> bool:
        """A roster role. Guests are not members: only checks that name them let them in."""
        return self.is_staff or self.is_student or self.is_handgrader

    def as_list(self) -> list[str]:
        names = [("admin", self.is_admin), ("staff", self.is_staff)]
        names += [("student", self.is_student), ("handgrader", self.is_handgrader)]
        names += [("guest", self.is_guest)]
        return [name for name, held in names if held]


def course_roles(user: User | AnonymousUser, course: Course | int) -> CourseRoles:
    """Roles of `user` in `course`. Superusers act as admins of every course."""
    if not user.is_authenticated:
        return CourseRoles()
    if user.is_superuser:
        return CourseRoles(is_admin=True, is_staff=True)
    course_id = course if isinstance(course, int) else course.pk
    cache: dict[int, CourseRoles] = user.__dict__.setdefault("_course_roles_cache", {})
    if course_id in cache:
        return cache[course_id]
    held = set(
        CourseMembership.objects.filter(user=user, course_id=course_id).values_list(
            "role", flat=True
        )
    )
    return course_roles_of_held(user, course, held)


def course_roles_of_held(user: User, course: Course | int, held: set[str]) -> CourseRoles:
    """Roles of `user` in `course` from `held`, their roster roles there as the caller read
    them in a query of its own (a hot read path asks with other things it needs); remembered
    for this user object like `course_roles`, which then asks no query."""
    course_id = course if isinstance(course, int) else course.pk
    roles = _from_held(held)
    if not held and is_guest_of(user, course):
        roles = CourseRoles(is_guest=True)
    user.__dict__.setdefault("_course_roles_cache", {})[course_id] = roles
    return roles


def email_domain(email: str) -> str:
    """The part after the last @, lowercased; empty for an address without one."""
    local, at, domain = email.strip().rpartition("@")
    return domain.lower() if at and local else ""


def is_guest_of(user: User, course: Course | int) -> bool:
    """Whether `user`'s email is in the course's allowed guest domain (stored normalized:
    lowercase, no @). A course without a guest domain has no guests."""
    domain = email_domain(user.email)
    if not domain:
        return False
    if isinstance(course, Course):
        return bool(course.allowed_guest_domain) and course.allowed_guest_domain == domain
    return Course.objects.filter(pk=course, allowed_guest_domain=domain).exists()


def course_roles_many(user: User, course_ids: Iterable[int]) -> dict[int, CourseRoles]:
    """Roles of `user` in each of `course_ids` with one query (for course lists)."""
    ids = list(course_ids)
    if user.is_superuser:
        return {course_id: CourseRoles(is_admin=True, is_staff=True) for course_id in ids}
    held: dict[int, set[str]] = {course_id: set() for course_id in ids}
    for course_id, role in CourseMembership.objects.filter(
        user=user, course_id__in=ids
    ).values_list("course_id", "role"):
        held[course_id].add(role)
    unheld = [course_id for course_id, roles in held.items() if not roles]
    domain = email_domain(user.email)
    guest_of = set(
        Course.objects.filter(pk__in=unheld, allowed_guest_domain=domain).values_list(
            "pk", flat=True
        )
        if unheld and domain
        else []
    )
    return {
        course_id: CourseRoles(is_guest=True) if course_id in guest_of else _from_held(roles)
        for course_id, roles in held.items()
    }


def _from_held(held: set[str]) -> CourseRoles:
    is_admin = Role.ADMIN in held
    return CourseRoles(
        is_admin=is_admin,
        is_staff=is_admin or Role.STAFF in held,
        is_student=Role.STUDENT in held,
        is_handgrader=Role.HANDGRADER in held,
    )


def forget_cached_roles(user: User) -> None:
    user.__dict__.pop("_course_roles_cache", None)
