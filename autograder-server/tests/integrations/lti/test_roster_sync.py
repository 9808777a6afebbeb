"""Names and Role Provisioning against the real platform: the tool gets a token with its
signed assertion (checked against our keyset) and reads the LMS roster."""

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from autograder.accounts.models import User
from autograder.courses.models import Course, CourseMembership, Role
from autograder.integrations.lti import tasks
from autograder.integrations.lti.models import LtiContext, LtiPlatform, LtiUserLink
from tests import factories
from tests.integrations.lti.platform import INSTRUCTOR, LEARNER, Platform

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(registration: LtiPlatform, platform: Platform) -> Course:
    course = factories.make_course(name="EECS 101")
    LtiContext.objects.create(
        platform=registration,
        context_id=platform.context_id,
        course=course,
        memberships_url=f"{platform.url}/contexts/{platform.context_id}/memberships",
    )
    return course


def admin_client(course: Course) -> APIClient:
    client = APIClient()
    client.force_authenticate(factories.add_role(course, factories.make_user(), Role.ADMIN))
    return client


def roles_in(course: Course) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for username, role in CourseMembership.objects.filter(course=course).values_list(
        "user__username", "role"
    ):
        found.setdefault(username, set()).add(role)
    return found


def test_sync_now_adds_learners_and_instructors_and_makes_accounts(
    course: Course, platform: Platform
) -> None:
    platform.add_user(
        "ta", "ta@lms.test", INSTRUCTOR.replace("#Instructor", "/Instructor#TeachingAssistant")
    )
    no_email = platform.add_user("ghost", "", LEARNER)
    response = admin_client(course).post(f"/api/courses/{course.pk}/lti/sync_roster/")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "students_added": 2,
        "staff_added": 2,
        "students_removed": 0,
        "skipped": [no_email.sub],
    }
    roles = roles_in(course)
    assert roles["alice@lms.test"] == {"student"}
    assert roles["bob@lms.test"] == {"student"}
    assert roles["teacher@lms.test"] == {"staff"}
    assert roles["ta@lms.test"] == {"staff"}
    assert User.objects.get(username="bob@lms.test").first_name == "Bob"
    assert LtiUserLink.objects.get(subject="lms-bob").user.username == "bob@lms.test"
    assert platform.token_requests == 1
    status = admin_client(course).get(f"/api/courses/{course.pk}/lti/").json()
    assert status["linked"] and status["roster_sync_count"] == 5
    assert status["roster_synced_at"] is not None and status["roster_sync_error"] == ""


def test_learners_the_lms_marks_inactive_lose_the_student_role(
    course: Course, platform: Platform
) -> None:
    client = admin_client(course)
    assert client.post(f"/api/courses/{course.pk}/lti/sync_roster/").status_code == 200
    hand_added = factories.add_role(course, factories.make_user("extra@x.edu"), Role.STUDENT)
    platform.users["bob"].status = "Inactive"
    response = client.post(f"/api/courses/{course.pk}/lti/sync_roster/")
    assert response.json()["students_removed"] == 1
    roles = roles_in(course)
    assert "bob@lms.test" not in roles
    assert roles["alice@lms.test"] == {"student"}
    assert roles[hand_added.username] == {"student"}, "people added by hand stay"


def test_sync_when_the_lms_is_down_reports_it_and_changes_nothing(
    course: Course, platform: Platform
) -> None:
    platform.stop()
    client = admin_client(course)
    response = client.post(f"/api/courses/{course.pk}/lti/sync_roster/")
    assert response.status_code == 409
    assert response.json()["code"] == "lms_unavailable"
    status = client.get(f"/api/courses/{course.pk}/lti/").json()
    assert "could not be read" in status["roster_sync_error"]
    assert not any(username.endswith("@lms.test") for username in roles_in(course))


def test_an_instructor_launch_queues_a_sync_that_runs(
    launch: Any,
    course: Course,
    platform: Platform,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(
        tasks, "enqueue_sync_roster", lambda *, context_id: queued.append(context_id)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert launch(Client(), "teacher").status_code == 302
    assert queued == [LtiContext.objects.get(course=course).pk]
    tasks.sync_roster.apply(args=(queued[0],))
    assert roles_in(course)["alice@lms.test"] == {"student"}


def test_a_class_launching_at_once_queues_one_sync(
    launch: Any,
    course: Course,
    platform: Platform,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(
        tasks, "enqueue_sync_roster", lambda *, context_id: queued.append(context_id)
    )
    with django_capture_on_commit_callbacks(execute=True):
        for who in ("alice", "bob", "teacher"):
            assert launch(Client(), who).status_code == 302
    assert len(queued) == 1
