"""Guests: a course's allowed guest domain and a project's `guests_can_submit`.

A guest is a signed-in user who is on no roster of the course but whose email is in the
course's guest domain. They see and submit to the course's projects that are visible to
students and let guests submit, and nothing else (no rosters, groups lists or other projects).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from autograder.accounts.models import User
from autograder.common.errors import ApplicationError
from autograder.courses.models import Course, Role
from autograder.courses.roles import course_roles
from autograder.groups.services import group_create
from autograder.projects.models import ExpectedStudentFile, Project
from tests import factories

pytestmark = pytest.mark.django_db

DOMAIN = "guest.example.org"


@dataclass
class GuestWorld:
    course: Course
    open_project: Project
    closed_project: Project
    hidden_project: Project
    users: dict[str, User]

    def client(self, who: str) -> APIClient:
        """A client as a freshly loaded user, as each real request has (roles are cached on
        the user object)."""
        client = APIClient()
        client.force_authenticate(user=User.objects.get(pk=self.users[who].pk))
        return client


@pytest.fixture
def gw(settings: Any, tmp_path: Any) -> GuestWorld:
    settings.MEDIA_ROOT = tmp_path / "media"
    course = factories.make_course(name="EECS 183", allowed_guest_domain=DOMAIN)
    open_project = factories.make_project(
        course, name="P1 Open", guests_can_submit=True, max_group_size=2
    )
    ExpectedStudentFile.objects.create(
        project=open_project, pattern="*", min_num_matches=0, max_num_matches=10
    )
    closed_project = factories.make_project(course, name="P2 Roster only")
    hidden_project = factories.make_project(
        course, name="P3 Hidden", guests_can_submit=True, visible_to_students=False
    )
    users = {
        "guest": factories.make_user("visitor@guest.example.org"),
        "guest_upper": factories.make_user("Loud@GUEST.Example.org"),
        "subdomain": factories.make_user("visitor@sub.guest.example.org"),
        "stranger": factories.make_user("visitor@elsewhere.org"),
        "student": factories.add_role(
            course, factories.make_user("student@guest.example.org"), Role.STUDENT
        ),
        "staff": factories.add_role(course, factories.make_user("ta@example.edu"), Role.STAFF),
    }
    return GuestWorld(course, open_project, closed_project, hidden_project, users)


# (who, method, url, expected status): the guest permission matrix.
MATRIX: list[tuple[str, str, Callable[[GuestWorld], str], int]] = [
    ("guest", "get", lambda w: f"/api/courses/{w.course.pk}/", 200),
    ("guest_upper", "get", lambda w: f"/api/courses/{w.course.pk}/", 200),
    ("subdomain", "get", lambda w: f"/api/courses/{w.course.pk}/", 403),
    ("stranger", "get", lambda w: f"/api/courses/{w.course.pk}/", 403),
    ("guest", "get", lambda w: f"/api/projects/{w.open_project.pk}/", 200),
    ("guest", "get", lambda w: f"/api/projects/{w.closed_project.pk}/", 404),
    ("guest", "get", lambda w: f"/api/projects/{w.hidden_project.pk}/", 404),
    ("stranger", "get", lambda w: f"/api/projects/{w.open_project.pk}/", 403),
    ("guest", "get", lambda w: f"/api/projects/{w.open_project.pk}/my_limits/", 200),
    ("guest", "get", lambda w: f"/api/projects/{w.closed_project.pk}/my_limits/", 404),
    ("guest", "post", lambda w: f"/api/projects/{w.open_project.pk}/groups/solo/", 201),
    ("guest", "post", lambda w: f"/api/projects/{w.closed_project.pk}/groups/solo/", 404),
    ("guest", "post", lambda w: f"/api/projects/{w.hidden_project.pk}/groups/solo/", 404),
    ("stranger", "post", lambda w: f"/api/projects/{w.open_project.pk}/groups/solo/", 403),
    ("guest", "get", lambda w: f"/api/projects/{w.open_project.pk}/groups/", 403),
    ("guest", "get", lambda w: f"/api/courses/{w.course.pk}/roster/student/", 403),
    ("guest", "get", lambda w: f"/api/courses/{w.course.pk}/late_days/", 403),
    ("guest", "patch", lambda w: f"/api/courses/{w.course.pk}/", 403),
    ("guest", "patch", lambda w: f"/api/projects/{w.open_project.pk}/", 403),
    ("guest", "get", lambda w: f"/api/projects/{w.open_project.pk}/instructor_files/", 403),
    ("student", "get", lambda w: f"/api/projects/{w.closed_project.pk}/", 200),
    ("staff", "get", lambda w: f"/api/projects/{w.hidden_project.pk}/", 200),
]


@pytest.mark.parametrize(("who", "method", "url", "expected"), MATRIX)
def test_guest_permission_matrix(
    gw: GuestWorld, who: str, method: str, url: Callable[[GuestWorld], str], expected: int
) -> None:
    client = gw.client(who)
    body = {"name": "renamed"} if method == "patch" else None
    response = getattr(client, method)(url(gw), body, format="json")
    assert response.status_code == expected, (who, url(gw), response.data)


def test_a_guest_lists_only_the_projects_guests_may_use(gw: GuestWorld) -> None:
    response = gw.client("guest").get(f"/api/courses/{gw.course.pk}/projects/")
    assert response.status_code == 200
    assert [p["name"] for p in response.data["results"]] == ["P1 Open"]
    student = gw.client("student").get(f"/api/courses/{gw.course.pk}/projects/")
    assert [p["name"] for p in student.data["results"]] == ["P1 Open", "P2 Roster only"]


def test_a_guest_sees_the_course_in_their_lists_as_guest(gw: GuestWorld) -> None:
    courses = gw.client("guest").get("/api/courses/").data["results"]
    assert [(c["name"], c["my_roles"]) for c in courses] == [("EECS 183", ["guest"])]
    me = gw.client("guest").get("/api/users/me/").data
    assert [(c["name"], c["roles"]) for c in me["courses"]] == [("EECS 183", ["guest"])]
    assert gw.client("stranger").get("/api/courses/").data["results"] == []


def test_a_rostered_user_of_the_guest_domain_is_a_student_not_a_guest(gw: GuestWorld) -> None:
    roles = course_roles(gw.users["student"], gw.course)
    assert roles.is_student and not roles.is_guest


def test_a_guest_works_alone_and_submits(gw: GuestWorld) -> None:
    client = gw.client("guest")
    group = client.post(f"/api/projects/{gw.open_project.pk}/groups/solo/")
    assert group.status_code == 201, group.data
    response = client.post(
        f"/api/groups/{group.data['id']}/submissions/",
        {"files": [SimpleUploadedFile("main.py", b"print(1)\n")]},
        format="multipart",
    )
    assert response.status_code == 201, response.data
    mine = client.get(f"/api/projects/{gw.open_project.pk}/my_submissions/")
    assert [s["id"] for s in mine.data["results"]] == [response.data["id"]]


def test_turning_guests_off_takes_the_project_away(gw: GuestWorld) -> None:
    client = gw.client("guest")
    assert client.get(f"/api/projects/{gw.open_project.pk}/").status_code == 200
    patch = gw.client("staff").patch(
        f"/api/projects/{gw.open_project.pk}/", {"guests_can_submit": False}, format="json"
    )
    assert patch.status_code == 403  # staff read settings; admins change them
    Project.objects.filter(pk=gw.open_project.pk).update(guests_can_submit=False)
    assert gw.client("guest").get(f"/api/projects/{gw.open_project.pk}/").status_code == 404
    Project.objects.filter(pk=gw.open_project.pk).update(guests_can_submit=True)
    Course.objects.filter(pk=gw.course.pk).update(allowed_guest_domain="")
    assert gw.client("guest").get(f"/api/projects/{gw.open_project.pk}/").status_code == 403


def test_an_admin_sets_the_guest_domain_normalized(gw: GuestWorld) -> None:
    admin = factories.add_role(gw.course, factories.make_user("prof@example.edu"), Role.ADMIN)
    client = APIClient()
    client.force_authenticate(user=admin)
    url = f"/api/courses/{gw.course.pk}/"
    response = client.patch(url, {"allowed_guest_domain": " @UMich.EDU "}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["allowed_guest_domain"] == "umich.edu"
    bad = client.patch(url, {"allowed_guest_domain": "umich"}, format="json")
    assert bad.status_code == 400
    assert "allowed_guest_domain" in bad.data["fields"]
    gw.course.refresh_from_db()
    assert gw.course.allowed_guest_domain == "umich.edu"
    project = client.patch(
        f"/api/projects/{gw.closed_project.pk}/", {"guests_can_submit": True}, format="json"
    )
    assert project.status_code == 200 and project.data["guests_can_submit"] is True


def test_a_guest_may_be_invited_only_by_a_guest_project(gw: GuestWorld) -> None:
    """Group checks count guests of a guest project as enrolled, and nobody else."""
    other_guest = factories.make_user("second@guest.example.org")
    group = group_create(project=gw.open_project, members=[gw.users["guest"], other_guest])
    assert group.members.count() == 2
    with pytest.raises(ApplicationError) as refused:
        group_create(project=gw.closed_project, members=[gw.users["guest"]])
    assert refused.value.code == "not_enrolled"
