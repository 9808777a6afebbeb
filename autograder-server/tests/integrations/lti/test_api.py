"""Registrations, the URLs to paste into an LMS, and bad input answered with the field."""

from typing import Any

import jwt
import pytest
from jwt.algorithms import RSAAlgorithm
from rest_framework.test import APIClient

from autograder.courses.models import Role
from autograder.integrations.lti import keys, tasks
from autograder.integrations.lti.models import LtiContext, LtiPlatform
from tests import factories
from tests.integrations.lti.test_permissions import REGISTRATION

pytestmark = pytest.mark.django_db


@pytest.fixture
def root() -> APIClient:
    client = APIClient()
    client.force_authenticate(factories.make_user("root@x.edu", is_superuser=True))
    return client


def test_keyset_verifies_what_our_private_key_signs(root: APIClient) -> None:
    served = APIClient().get("/api/lti/jwks/").json()["keys"]
    assert len(served) == 1 and served[0]["alg"] == "RS256" and "d" not in served[0]
    token = jwt.encode(
        {"iss": "us"}, keys.private_key_pem(), algorithm="RS256", headers={"kid": served[0]["kid"]}
    )
    public = RSAAlgorithm.from_jwk(served[0])
    assert jwt.decode(token, public, algorithms=["RS256"])["iss"] == "us"  # type: ignore[arg-type]
    urls = root.get("/api/lti/tool/").json()
    assert urls["jwks_url"].endswith("/api/lti/jwks/")
    assert urls["login_url"].endswith("/api/lti/login/")
    assert urls["redirect_uris"] == [urls["launch_url"]]
    assert urls["public_jwk"]["kid"] == served[0]["kid"]


def test_register_edit_and_delete_a_platform(root: APIClient) -> None:
    created = root.post("/api/lti/platforms/", REGISTRATION, format="json")
    assert created.status_code == 201, created.json()
    url = f"/api/lti/platforms/{created.json()['id']}/"
    edited = root.patch(url, {"deployment_ids": ["1:abc", "2:def"]}, format="json").json()
    assert edited["deployment_ids"] == ["1:abc", "2:def"]
    assert [p["name"] for p in root.get("/api/lti/platforms/").json()] == ["Canvas"]
    assert root.delete(url).status_code == 204
    assert not LtiPlatform.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"issuer": "not a url"}, "issuer"),
        ({"deployment_ids": []}, "deployment_ids"),
        ({"deployment_ids": [""]}, "deployment_ids"),
        ({"keyset_url": ""}, "keyset_url"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_registrations_name_the_field(
    root: APIClient, change: dict[str, Any], field: str
) -> None:
    response = root.post("/api/lti/platforms/", REGISTRATION | change, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not LtiPlatform.objects.exists()


def test_a_second_registration_of_one_issuer_and_client_is_a_conflict(root: APIClient) -> None:
    assert root.post("/api/lti/platforms/", REGISTRATION, format="json").status_code == 201
    again = root.post("/api/lti/platforms/", REGISTRATION | {"name": "Again"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "duplicate_platform"
    other_client = REGISTRATION | {"client_id": "2"}
    assert root.post("/api/lti/platforms/", other_client, format="json").status_code == 201


def test_send_grades_now_queues_the_project_and_refuses_other_courses_projects(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    course = factories.make_course()
    project = factories.make_project(course)
    foreign = factories.make_project(factories.make_course())
    platform = LtiPlatform.objects.create(**REGISTRATION)
    LtiContext.objects.create(platform=platform, context_id="c1", course=course)
    staff = APIClient()
    staff.force_authenticate(factories.add_role(course, factories.make_user(), Role.STAFF))
    queued: list[dict[str, Any]] = []
    monkeypatch.setattr(tasks, "enqueue_send_grades", lambda **kw: queued.append(kw))
    url = f"/api/courses/{course.pk}/lti/grades/send/"

    bad = staff.post(url, {"project": foreign.pk}, format="json")
    assert bad.status_code == 400 and "project" in bad.json()["fields"]
    assert staff.post(url, {"project": "x"}, format="json").status_code == 400
    assert queued == []
    queued_answer = staff.post(url, {"project": project.pk}, format="json")
    assert queued_answer.status_code == 202
    assert queued_answer.json() == {"project": project.pk, "users": None}
    assert queued == [{"project_id": project.pk, "user_ids": None, "force": True}]


def test_grade_status_lists_every_student_of_every_project() -> None:
    course = factories.make_course()
    p1 = factories.make_project(course, name="P1")
    factories.make_project(course, name="P2")
    factories.add_role(course, factories.make_user("a@x.edu"), Role.STUDENT)
    factories.add_role(course, factories.make_user("b@x.edu"), Role.STUDENT)
    factories.add_role(course, factories.make_user("s@x.edu"), Role.STAFF)
    staff = APIClient()
    staff.force_authenticate(factories.make_user("root2@x.edu", is_superuser=True))
    rows = staff.get(f"/api/courses/{course.pk}/lti/grades/").json()
    assert [(r["project_name"], r["username"]) for r in rows] == [
        ("P1", "a@x.edu"),
        ("P1", "b@x.edu"),
        ("P2", "a@x.edu"),
        ("P2", "b@x.edu"),
    ]
    assert rows[0] | {"project": p1.pk} == rows[0]
    assert (rows[0]["score_sent"], rows[0]["sent_at"], rows[0]["error"]) == (None, None, "")
