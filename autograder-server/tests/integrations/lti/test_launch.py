"""Launches from a real platform: who lands where with which role, and every forged or stale
launch refused with a page that says why."""

import time
from typing import Any

import pytest
from django.test import Client

from autograder.accounts.models import User
from autograder.courses.models import CourseMembership, Role
from autograder.courses.roles import course_roles
from autograder.integrations.lti.models import LtiContext, LtiPlatform, LtiUserLink
from tests import factories
from tests.integrations.lti.conftest import Launch, login
from tests.integrations.lti.platform import Platform, new_key

pytestmark = pytest.mark.django_db


def linked_course(registration: LtiPlatform, platform: Platform) -> Any:
    course = factories.make_course(name="EECS 101")
    LtiContext.objects.create(platform=registration, context_id=platform.context_id, course=course)
    return course


def test_first_instructor_launch_creates_and_links_the_course(
    launch: Launch, platform: Platform, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    response = launch(client, "teacher")
    context = LtiContext.objects.get(context_id=platform.context_id)
    assert response.status_code == 302
    assert response["Location"] == f"/api/lti/link/{context.pk}/"

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "EECS 101 in the LMS" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        done = client.post(
            response["Location"],
            {"action": "new", "name": "EECS 101", "semester": "fall", "year": "2026"},
        )
    context.refresh_from_db()
    assert context.course is not None
    assert done["Location"] == f"/courses/{context.course.pk}"
    teacher = User.objects.get(email="teacher@lms.test")
    assert course_roles(teacher, context.course).is_admin
    assert len(callbacks) == 1  # the roster sync is queued once the link commits
    # Signed in: the API knows who this is.
    assert client.get("/api/users/me/").json()["username"] == "teacher@lms.test"


def test_instructor_links_an_existing_course_they_administer(
    launch: Launch, platform: Platform
) -> None:
    teacher = factories.make_user("teacher@lms.test")
    mine = factories.make_course(name="EECS 101")
    factories.add_role(mine, teacher, Role.ADMIN)
    not_mine = factories.make_course(name="EECS 999")
    client = Client()
    link_url = launch(client, "teacher")["Location"]
    assert "EECS 999" not in client.get(link_url).content.decode()

    refused = client.post(link_url, {"action": "existing", "course": str(not_mine.pk)})
    assert refused.status_code == 400
    assert "Only an admin of that course may link it." in refused.content.decode()

    done = client.post(link_url, {"action": "existing", "course": str(mine.pk)})
    assert done["Location"] == f"/courses/{mine.pk}"
    assert LtiContext.objects.get(context_id=platform.context_id).course == mine
    assert LtiUserLink.objects.get(subject="lms-teacher").user == teacher


def test_learner_lands_in_the_linked_course_as_a_student_with_a_new_account(
    launch: Launch, registration: LtiPlatform, platform: Platform
) -> None:
    course = linked_course(registration, platform)
    client = Client()
    response = launch(client, "alice")
    assert response.status_code == 302
    assert response["Location"] == f"/courses/{course.pk}"
    alice = User.objects.get(email="alice@lms.test")
    assert (alice.username, alice.first_name, alice.last_name) == (
        "alice@lms.test",
        "Alice",
        "Learner",
    )
    assert list(
        CourseMembership.objects.filter(course=course, user=alice).values_list("role", flat=True)
    ) == [Role.STUDENT]
    assert client.get(f"/api/courses/{course.pk}/").json()["my_roles"] == ["student"]


def test_instructor_of_a_linked_course_becomes_staff(
    launch: Launch, registration: LtiPlatform, platform: Platform
) -> None:
    course = linked_course(registration, platform)
    response = launch(Client(), "teacher")
    assert response["Location"] == f"/courses/{course.pk}"
    teacher = User.objects.get(email="teacher@lms.test")
    assert course_roles(teacher, course).is_staff
    assert not course_roles(teacher, course).is_admin


def test_existing_account_is_found_by_email(
    launch: Launch, registration: LtiPlatform, platform: Platform
) -> None:
    linked_course(registration, platform)
    existing = factories.make_user("alice.smith")
    existing.email = "Alice@LMS.test"
    existing.save(update_fields=["email"])
    launch(Client(), "alice")
    assert LtiUserLink.objects.get(subject="lms-alice").user == existing
    assert User.objects.filter(email__iexact="alice@lms.test").count() == 1


def test_learner_of_an_unlinked_course_is_told_to_wait_for_the_instructor(
    launch: Launch,
) -> None:
    response = launch(Client(), "alice")
    assert response.status_code == 409
    assert "not linked to a course here yet" in response.content.decode()


# --- Refusals: one test each ---------------------------------------------------------------


def forged_launch(client: Client, platform: Platform, *, key: Any = None, **claims: Any) -> Any:
    """A launch whose id_token the test signs itself, for the state and nonce the tool gave."""
    auth = login(client, platform, "alice")
    body = platform.claims(platform.users["alice"], auth["nonce"], **claims)
    return client.post(
        "/api/lti/launch/", {"id_token": platform.sign(body, key), "state": auth["state"]}
    )


def refused(response: Any, *words: str) -> None:
    assert response.status_code == 403, response.content
    page = response.content.decode()
    assert "The LMS launch was refused" in page
    for word in words:
        assert word in page
    assert "_auth_user_id" not in response.wsgi_request.session


def test_launch_signed_with_another_key_is_refused(
    registration: LtiPlatform, platform: Platform
) -> None:
    refused(forged_launch(Client(), platform, key=new_key()), "signature does not match")


def test_forged_launch_without_a_login_is_refused(
    registration: LtiPlatform, platform: Platform
) -> None:
    body = platform.claims(platform.users["alice"], "a-nonce-we-never-issued")
    response = Client().post(
        "/api/lti/launch/", {"id_token": platform.sign(body), "state": "state-made-up"}
    )
    refused(response, "not started from this browser")


def test_expired_launch_is_refused(registration: LtiPlatform, platform: Platform) -> None:
    past = int(time.time()) - 3600
    refused(forged_launch(Client(), platform, iat=past - 60, exp=past), "expired")


def test_replayed_launch_is_refused(launch: Launch, platform: Platform) -> None:
    client = Client()
    from tests.integrations.lti.conftest import authorize

    form = authorize(platform, login(client, platform, "teacher"))
    assert client.post("/api/lti/launch/", form).status_code == 302
    client.logout()
    refused(client.post("/api/lti/launch/", form), "already used")


def test_launch_for_another_audience_is_refused(
    registration: LtiPlatform, platform: Platform
) -> None:
    refused(
        forged_launch(Client(), platform, aud="some-other-tool", azp="some-other-tool"),
        "not addressed to this site",
    )


def test_launch_from_an_unregistered_deployment_is_refused(
    registration: LtiPlatform, platform: Platform
) -> None:
    claim = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
    refused(forged_launch(Client(), platform, **{claim: "deployment-9"}), "deployment")


def test_login_from_an_unknown_platform_is_refused(db: Any, platform: Platform) -> None:
    response = Client().get("/api/lti/login/", platform.login_params("alice"))
    assert response.status_code == 400
    assert "registered here" in response.content.decode()


def test_an_lms_email_never_signs_in_to_a_superuser_account(
    launch: Launch, registration: LtiPlatform, platform: Platform
) -> None:
    linked_course(registration, platform)
    factories.make_user("alice@lms.test", is_superuser=True, is_staff=True)
    response = launch(Client(), "alice")
    assert response.status_code == 403
    assert "site administrator" in response.content.decode()
    assert not LtiUserLink.objects.exists()
    assert "_auth_user_id" not in response.wsgi_request.session
