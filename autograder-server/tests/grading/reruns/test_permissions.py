import pytest

from autograder.courses.models import Role
from autograder.grading.reruns import services as reruns
from autograder.projects.models import Project
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories
from tests.conftest import ROLE_NAMES
from tests.permission_matrix import Endpoint, assert_matrix

pytestmark = pytest.mark.django_db


def roles(**statuses: int) -> dict[str, int]:
    """Anonymous → 401 and a student of another course → 403 unless given."""
    return {"anonymous": 401, "other_course_student": 403} | statuses


def staff_read(ok: int = 200, students: int = 403) -> dict[str, int]:
    return roles(
        student=students, group_member=students, handgrader=403, staff=ok, admin=ok, superuser=ok
    )


def admin_write(ok: int, students: int = 403) -> dict[str, int]:
    return staff_read(ok, students) | {"staff": 403}


def rerun_in(project: Project) -> int:
    """A rerun still in progress: one graded submission waiting to be graded again."""
    student = factories.add_role(project.course, factories.make_user(), Role.STUDENT)
    Submission.objects.create(
        group=factories.make_group(project, student),
        project=project,
        submitter=student,
        status=SubmissionStatus.FINISHED_GRADING,
    )
    return reruns.rerun_create(project=project, creator=None, selection="all").task.pk


ENDPOINTS: dict[str, Endpoint] = {
    "list reruns": Endpoint("GET", lambda w: f"/api/projects/{w.project.pk}/reruns/", staff_read()),
    "list reruns of hidden project": Endpoint(
        "GET", lambda w: f"/api/projects/{w.hidden_project.pk}/reruns/", staff_read(students=404)
    ),
    "list reruns of missing project": Endpoint(
        "GET",
        lambda w: "/api/projects/999999/reruns/",
        {role: 404 for role in ROLE_NAMES} | {"anonymous": 401},
    ),
    "start rerun": Endpoint(
        "POST",
        lambda w: f"/api/projects/{w.project.pk}/reruns/",
        admin_write(201),
        body=lambda w: {"selection": "all"},
    ),
    "start rerun in hidden project": Endpoint(
        "POST",
        lambda w: f"/api/projects/{w.hidden_project.pk}/reruns/",
        admin_write(201, students=404),
        body=lambda w: {"selection": "latest"},
    ),
    "start rerun on the original images": Endpoint(
        "POST",
        lambda w: f"/api/projects/{w.project.pk}/reruns/",
        admin_write(201),
        body=lambda w: {"selection": "all", "image_choice": "original"},
    ),
    "rerun progress": Endpoint(
        "GET", lambda w: f"/api/reruns/{rerun_in(w.project)}/", staff_read()
    ),
    "rerun progress in hidden project": Endpoint(
        "GET", lambda w: f"/api/reruns/{rerun_in(w.hidden_project)}/", staff_read(students=404)
    ),
    "cancel rerun": Endpoint(
        "POST", lambda w: f"/api/reruns/{rerun_in(w.project)}/cancel/", admin_write(200)
    ),
    "cancel rerun in hidden project": Endpoint(
        "POST",
        lambda w: f"/api/reruns/{rerun_in(w.hidden_project)}/cancel/",
        admin_write(200, students=404),
    ),
}


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_rerun_endpoints(name: str) -> None:
    assert_matrix(ENDPOINTS[name])
