from typing import Any

import pytest

from autograder.accounts.models import User
from autograder.courses.models import Role
from autograder.groups import services
from autograder.groups.models import Group, GroupInvitation
from autograder.projects.models import Project
from tests import factories
from tests.conftest import ROLE_NAMES, World
from tests.permission_matrix import Endpoint, assert_matrix

pytestmark = pytest.mark.django_db


def roles(**statuses: int) -> dict[str, int]:
    """Anonymous → 401 and a student of another course → 403 unless given."""
    return {"anonymous": 401, "other_course_student": 403} | statuses


STAFF_ONLY = roles(
    student=403, group_member=403, handgrader=403, staff=200, admin=200, superuser=200
)


def new_student(w: World) -> User:
    return factories.add_role(w.course, factories.make_user(), Role.STUDENT)


def user(w: World, role: str) -> User:
    found = w.users[role]
    assert isinstance(found, User)
    return found


def invitation(w: World, project: Project, sender: User, *recipients: User) -> GroupInvitation:
    return services.group_invitation_create(
        project=project, sender=sender, recipients=list(recipients)
    )


def sent_by_student(w: World, project: Project) -> int:
    return invitation(w, project, user(w, "student"), new_student(w)).pk


def sent_to_student(w: World, project: Project) -> int:
    return invitation(w, project, new_student(w), user(w, "student")).pk


def students_see_only_their_group(w: World, role: str, response: Any) -> None:
    if role in {"student", "group_member"}:
        assert response.data["id"] == w.group.pk
        assert [m["username"] for m in response.data["members"]] == ["member@example.edu"]


def students_see_only_their_invitations(w: World, role: str, response: Any) -> None:
    expected = 1 if role in {"staff", "admin", "superuser"} else 0
    assert response.data["count"] == expected


def project_with_one_invitation(w: World) -> Project:
    """An invitation between two other students: only staff should see it."""
    invitation(w, w.project, new_student(w), new_student(w))
    return w.project


def hidden_pairs_project(w: World) -> Project:
    w.hidden_project.max_group_size = 2
    w.hidden_project.save()
    return w.hidden_project


def hidden_group(w: World) -> Group:
    return factories.make_group(w.hidden_project, user(w, "group_member"))


ENDPOINTS: dict[str, Endpoint] = {
    "list groups": Endpoint(
        "GET",
        lambda w: f"/api/projects/{w.project.pk}/groups/",
        roles(student=403, group_member=403, handgrader=200, staff=200, admin=200, superuser=200),
    ),
    "list groups of hidden project": Endpoint(
        "GET",
        lambda w: f"/api/projects/{w.hidden_project.pk}/groups/",
        roles(student=404, group_member=404, handgrader=200, staff=200, admin=200, superuser=200),
    ),
    "list groups of missing project": Endpoint(
        "GET",
        lambda w: "/api/projects/999999/groups/",
        {role: 404 for role in ROLE_NAMES} | {"anonymous": 401},
    ),
    "create group": Endpoint(
        "POST",
        lambda w: f"/api/projects/{w.project.pk}/groups/",
        STAFF_ONLY | {"staff": 201, "admin": 201, "superuser": 201},
        body=lambda w: {"members": [new_student(w).username]},
    ),
    "create group in hidden project": Endpoint(
        "POST",
        lambda w: f"/api/projects/{w.hidden_project.pk}/groups/",
        STAFF_ONLY | {"staff": 201, "admin": 201, "superuser": 201},
        body=lambda w: {"members": [new_student(w).username]},
    ),
    "solo group": Endpoint(
        "POST",
        lambda w: f"/api/projects/{w.project.pk}/groups/solo/",
        roles(student=201, group_member=409, handgrader=403, staff=201, admin=201, superuser=201),
    ),
    "solo group in hidden project": Endpoint(
        "POST",
        lambda w: f"/api/projects/{w.hidden_project.pk}/groups/solo/",
        roles(student=404, group_member=404, handgrader=403, staff=201, admin=201, superuser=201),
    ),
    "my group": Endpoint(
        "GET",
        lambda w: f"/api/projects/{w.project.pk}/my_group/",
        roles(student=404, group_member=200, handgrader=404, staff=404, admin=404, superuser=404),
        check=students_see_only_their_group,
    ),
    "my group in hidden project": Endpoint(
        "GET",
        lambda w: f"/api/projects/{hidden_group(w).project_id}/my_group/",
        roles(student=404, group_member=404, handgrader=404, staff=404, admin=404, superuser=404),
    ),
    "group detail": Endpoint(
        "GET",
        lambda w: f"/api/groups/{w.group.pk}/",
        roles(student=403, group_member=200, handgrader=200, staff=200, admin=200, superuser=200),
        check=students_see_only_their_group,
    ),
    "group detail in hidden project": Endpoint(
        "GET",
        lambda w: f"/api/groups/{hidden_group(w).pk}/",
        roles(student=404, group_member=404, handgrader=200, staff=200, admin=200, superuser=200),
    ),
    "edit group": Endpoint(
        "PATCH",
        lambda w: f"/api/groups/{w.group.pk}/",
        STAFF_ONLY,
        body=lambda w: {"bonus_submissions_remaining": 4},
    ),
    "delete group": Endpoint(
        "DELETE",
        lambda w: f"/api/groups/{w.group.pk}/",
        STAFF_ONLY | {"staff": 204, "admin": 204, "superuser": 204},
    ),
    "merge groups": Endpoint(
        "POST",
        lambda w: f"/api/groups/{w.group.pk}/merge/",
        STAFF_ONLY,
        body=lambda w: {"other_group": w.other_group.pk},
    ),
    "list invitations": Endpoint(
        "GET",
        lambda w: f"/api/projects/{project_with_one_invitation(w).pk}/invitations/",
        roles(student=200, group_member=200, handgrader=200, staff=200, admin=200, superuser=200),
        check=students_see_only_their_invitations,
    ),
    "list invitations of hidden project": Endpoint(
        "GET",
        lambda w: f"/api/projects/{w.hidden_project.pk}/invitations/",
        roles(student=404, group_member=404, handgrader=200, staff=200, admin=200, superuser=200),
    ),
    "send invitation": Endpoint(
        "POST",
        lambda w: f"/api/projects/{w.project.pk}/invitations/",
        roles(student=201, group_member=409, handgrader=403, staff=201, admin=201, superuser=201),
        body=lambda w: {"recipients": [new_student(w).username]},
    ),
    "send invitation in hidden project": Endpoint(
        "POST",
        lambda w: f"/api/projects/{hidden_pairs_project(w).pk}/invitations/",
        roles(student=404, group_member=404, handgrader=403, staff=201, admin=201, superuser=201),
        body=lambda w: {"recipients": [new_student(w).username]},
    ),
    "invitation detail (student sent it)": Endpoint(
        "GET",
        lambda w: f"/api/invitations/{sent_by_student(w, w.project)}/",
        roles(student=200, group_member=403, handgrader=403, staff=200, admin=200, superuser=200),
    ),
    "invitation detail in hidden project": Endpoint(
        "GET",
        lambda w: f"/api/invitations/{sent_by_student(w, hidden_pairs_project(w))}/",
        roles(student=404, group_member=404, handgrader=403, staff=200, admin=200, superuser=200),
    ),
    "withdraw invitation (student sent it)": Endpoint(
        "DELETE",
        lambda w: f"/api/invitations/{sent_by_student(w, w.project)}/",
        roles(student=204, group_member=403, handgrader=403, staff=204, admin=204, superuser=204),
    ),
    "accept invitation (student received it)": Endpoint(
        "POST",
        lambda w: f"/api/invitations/{sent_to_student(w, w.project)}/accept/",
        roles(student=201, group_member=403, handgrader=403, staff=403, admin=403, superuser=403),
    ),
    "reject invitation (student received it)": Endpoint(
        "POST",
        lambda w: f"/api/invitations/{sent_to_student(w, w.project)}/reject/",
        roles(student=204, group_member=403, handgrader=403, staff=403, admin=403, superuser=403),
    ),
    "accept invitation in hidden project": Endpoint(
        "POST",
        lambda w: f"/api/invitations/{sent_to_student(w, hidden_pairs_project(w))}/accept/",
        roles(student=404, group_member=404, handgrader=403, staff=403, admin=403, superuser=403),
    ),
}


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_group_endpoints(name: str) -> None:
    assert_matrix(ENDPOINTS[name])
