"""Every sandbox-image endpoint, method and role: course staff read, course admins manage
their course's images, superusers the site's; students and handgraders get nothing."""

import pytest

from autograder.courses.models import Course
from autograder.images import services
from autograder.images.models import ImageBuild
from tests.conftest import ROLE_NAMES, World
from tests.permission_matrix import Endpoint, assert_matrix

pytestmark = pytest.mark.django_db

DOCKERFILE = "FROM ag-sandbox-default:latest\nRUN true\n"


def roles(**statuses: int) -> dict[str, int]:
    return {"anonymous": 401, "other_course_student": 403} | statuses


def staff_read(ok: int = 200) -> dict[str, int]:
    return roles(student=403, group_member=403, handgrader=403, staff=ok, admin=ok, superuser=ok)


def admin_write(ok: int = 200) -> dict[str, int]:
    return roles(student=403, group_member=403, handgrader=403, staff=403, admin=ok, superuser=ok)


def superuser_only(ok: int = 200) -> dict[str, int]:
    return {role: 403 for role in ROLE_NAMES} | {"anonymous": 401, "superuser": ok}


def course_image(course: Course) -> int:
    return services.image_create(course=course, display_name="Java", dockerfile=DOCKERFILE).pk


def site_image(w: World) -> int:
    return services.image_create(course=None, display_name="Site", dockerfile=DOCKERFILE).pk


def build_of(image_id: int) -> int:
    from autograder.images.models import SandboxImage

    return ImageBuild.objects.create(
        image=SandboxImage.objects.get(pk=image_id), dockerfile=DOCKERFILE
    ).pk


def body(w: World) -> dict[str, object]:
    return {"display_name": "C++", "dockerfile": DOCKERFILE}


MISSING = {role: 404 for role in ROLE_NAMES} | {"anonymous": 401}

ENDPOINTS: dict[str, Endpoint] = {
    "course list": Endpoint(
        "GET", lambda w: f"/api/courses/{w.course.pk}/sandbox_images/", staff_read()
    ),
    "course create": Endpoint(
        "POST",
        lambda w: f"/api/courses/{w.course.pk}/sandbox_images/",
        admin_write(201),
        body=body,
    ),
    "site list": Endpoint("GET", lambda w: "/api/site/sandbox_images/", superuser_only()),
    "site create": Endpoint(
        "POST", lambda w: "/api/site/sandbox_images/", superuser_only(201), body=body
    ),
    "runtimes": Endpoint(
        "GET",
        lambda w: "/api/sandbox_images/runtimes/",
        {role: 200 for role in ROLE_NAMES} | {"anonymous": 401},
    ),
    "detail": Endpoint(
        "GET", lambda w: f"/api/sandbox_images/{course_image(w.course)}/", staff_read()
    ),
    "site detail": Endpoint(
        "GET", lambda w: f"/api/sandbox_images/{site_image(w)}/", superuser_only()
    ),
    "missing": Endpoint("GET", lambda w: "/api/sandbox_images/999999/", MISSING),
    "edit": Endpoint(
        "PATCH",
        lambda w: f"/api/sandbox_images/{course_image(w.course)}/",
        admin_write(),
        body=lambda w: {"display_name": "Java 17"},
    ),
    "edit site image": Endpoint(
        "PATCH",
        lambda w: f"/api/sandbox_images/{site_image(w)}/",
        superuser_only(),
        body=lambda w: {"display_name": "Java 17"},
    ),
    "delete": Endpoint(
        "DELETE", lambda w: f"/api/sandbox_images/{course_image(w.course)}/", admin_write(204)
    ),
    "builds": Endpoint(
        "GET", lambda w: f"/api/sandbox_images/{course_image(w.course)}/builds/", staff_read()
    ),
    "start build": Endpoint(
        "POST",
        lambda w: f"/api/sandbox_images/{course_image(w.course)}/builds/",
        admin_write(201),
    ),
    "build detail": Endpoint(
        "GET", lambda w: f"/api/image_builds/{build_of(course_image(w.course))}/", staff_read()
    ),
    "cancel build": Endpoint(
        "POST",
        lambda w: f"/api/image_builds/{build_of(course_image(w.course))}/cancel/",
        admin_write(),
    ),
    "other course's image": Endpoint(
        "GET",
        lambda w: f"/api/sandbox_images/{course_image(w.other_course)}/",
        roles(
            other_course_student=403,
            student=403,
            group_member=403,
            handgrader=403,
            staff=403,
            admin=403,
            superuser=200,
        ),
    ),
}


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_permissions(name: str) -> None:
    assert_matrix(ENDPOINTS[name])
