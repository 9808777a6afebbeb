"""Invitations and password resets, end to end through a real SMTP server (tests/smtp.py):
the API call, the Celery task, the message as delivered, and the link in it."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from autograder.accounts.api import ANY_ADDRESS_ANSWER
from autograder.accounts.models import User
from tests import factories
from tests.conftest import World
from tests.smtp import Inbox

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-new-passphrase-7"
Capture = Callable[..., Any]


def roster_add(world: World, capture: Capture, text: str) -> None:
    with capture(execute=True):
        response = world.client("admin").post(
            f"/api/courses/{world.course.pk}/roster/student/", {"text": text}, format="json"
        )
    assert response.status_code == 200, response.data


def set_password(uid: str, token: str, password: str = NEW_PASSWORD) -> Any:
    return APIClient().post(
        "/api/auth/password/set/",
        {"uid": uid, "token": token, "password": password},
        format="json",
    )


def logs_in(username: str, password: str) -> bool:
    response = APIClient().post(
        "/api/auth/login/", {"username": username, "password": password}, format="json"
    )
    return response.status_code == 200


def forgot(capture: Capture, email: str) -> Any:
    with capture(execute=True):
        return APIClient().post("/api/auth/password/forgot/", {"email": email}, format="json")


def test_a_student_added_without_a_password_is_invited_and_the_link_works_once(
    world: World, smtp_inbox: Inbox, django_capture_on_commit_callbacks: Capture
) -> None:
    roster_add(world, django_capture_on_commit_callbacks, "Ada Lovelace <ada@example.edu>")

    [mail] = smtp_inbox.to("ada@example.edu")
    assert mail["Subject"] == "You were added to EECS 280"
    assert mail["From"] == "Autograder <noreply@autograder.test>"
    body = smtp_inbox.body(mail)
    assert "Hello Ada Lovelace" in body and "as Student" in body
    uid, token = smtp_inbox.link(mail)

    check = APIClient().post("/api/auth/password/check/", {"uid": uid, "token": token})
    assert check.status_code == 200 and check.data == {"username": "ada@example.edu"}
    assert set_password(uid, token).status_code == 204
    assert logs_in("ada@example.edu", NEW_PASSWORD)

    again = set_password(uid, token, "another-long-passphrase-9")
    assert again.status_code == 400
    assert again.data["code"] == "invalid_link" and "token" in again.data["fields"]
    assert logs_in("ada@example.edu", NEW_PASSWORD)


def test_students_who_have_a_password_are_not_invited(
    world: World, smtp_inbox: Inbox, django_capture_on_commit_callbacks: Capture
) -> None:
    factories.make_user("has.password@example.edu")
    roster_add(world, django_capture_on_commit_callbacks, "has.password@example.edu")
    assert smtp_inbox.messages == []


def test_invitations_can_be_turned_off_for_single_sign_on_sites(
    world: World, smtp_inbox: Inbox, django_capture_on_commit_callbacks: Capture, settings: Any
) -> None:
    settings.EMAIL_INVITATIONS = False
    roster_add(world, django_capture_on_commit_callbacks, "sso.only@example.edu")
    assert User.objects.filter(username="sso.only@example.edu").exists()
    assert smtp_inbox.messages == []


def test_forgot_password_mails_a_link_that_works_once(
    smtp_inbox: Inbox, django_capture_on_commit_callbacks: Capture
) -> None:
    factories.make_user("bob@example.edu")
    response = forgot(django_capture_on_commit_callbacks, "Bob@Example.edu")
    assert response.status_code == 202

    [mail] = smtp_inbox.to("bob@example.edu")
    assert mail["Subject"] == "Reset your autograder password"
    uid, token = smtp_inbox.link(mail)
    assert set_password(uid, token).status_code == 204
    assert logs_in("bob@example.edu", NEW_PASSWORD)
    assert not logs_in("bob@example.edu", factories.PASSWORD)
    assert set_password(uid, token, "yet-another-passphrase-3").status_code == 400


def test_the_reset_form_answers_the_same_for_addresses_without_an_account(
    smtp_inbox: Inbox, django_capture_on_commit_callbacks: Capture
) -> None:
    factories.make_user("carol@example.edu")
    known = forgot(django_capture_on_commit_callbacks, "carol@example.edu")
    unknown = forgot(django_capture_on_commit_callbacks, "nobody@example.edu")

    assert (known.status_code, known.data) == (unknown.status_code, unknown.data)
    assert known.data == {"message": ANY_ADDRESS_ANSWER}
    assert [str(m["To"]) for m in smtp_inbox.messages] == ["carol@example.edu"]


def test_deactivated_accounts_get_no_reset_link(
    smtp_inbox: Inbox, django_capture_on_commit_callbacks: Capture
) -> None:
    factories.make_user("gone@example.edu", is_active=False)
    assert forgot(django_capture_on_commit_callbacks, "gone@example.edu").status_code == 202
    assert smtp_inbox.messages == []


def test_an_expired_link_is_refused(
    smtp_inbox: Inbox, django_capture_on_commit_callbacks: Capture, monkeypatch: Any, settings: Any
) -> None:
    factories.make_user("dan@example.edu")
    forgot(django_capture_on_commit_callbacks, "dan@example.edu")
    uid, token = smtp_inbox.link(smtp_inbox.to("dan@example.edu")[0])

    later = datetime.datetime.now() + datetime.timedelta(
        seconds=settings.PASSWORD_RESET_TIMEOUT + 60
    )
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    response = set_password(uid, token)
    assert response.status_code == 400 and response.data["code"] == "invalid_link"
    assert logs_in("dan@example.edu", factories.PASSWORD)


def test_a_weak_password_is_refused_and_the_link_still_works(
    smtp_inbox: Inbox, django_capture_on_commit_callbacks: Capture
) -> None:
    factories.make_user("erin@example.edu")
    forgot(django_capture_on_commit_callbacks, "erin@example.edu")
    uid, token = smtp_inbox.link(smtp_inbox.to("erin@example.edu")[0])

    weak = set_password(uid, token, "password")
    assert weak.status_code == 400 and "password" in weak.data["fields"]
    assert set_password(uid, token).status_code == 204


@pytest.mark.parametrize(
    ("uid", "token"),
    [
        ("garbage", "1-2"),
        ("", "x"),
        ("MTIzNDU2Nzg", "abc-def"),
        ("OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "abc-def"),  # past bigint
        ("_w", "abc-def"),  # not UTF-8
    ],
)
def test_malformed_links_are_a_400_naming_the_field(uid: str, token: str) -> None:
    response = set_password(uid, token)
    assert response.status_code == 400
    assert set(response.data["fields"]) & {"uid", "token"}


def test_mail_to_one_address_is_rate_limited_without_changing_the_answer(
    smtp_inbox: Inbox, django_capture_on_commit_callbacks: Capture, settings: Any
) -> None:
    settings.EMAIL_MAX_PER_ADDRESS = 2
    factories.make_user("flood@example.edu")
    answers = [forgot(django_capture_on_commit_callbacks, "flood@example.edu") for _ in range(4)]

    assert {(a.status_code, a.data["message"]) for a in answers} == {(202, ANY_ADDRESS_ANSWER)}
    assert len(smtp_inbox.to("flood@example.edu")) == 2


def test_a_mail_server_that_refuses_for_a_while_gets_the_message_on_retry(
    smtp_inbox: Inbox, django_capture_on_commit_callbacks: Capture
) -> None:
    factories.make_user("gina@example.edu")
    smtp_inbox.refuse_next = 2
    forgot(django_capture_on_commit_callbacks, "gina@example.edu")
    assert smtp_inbox.refuse_next == 0
    assert len(smtp_inbox.to("gina@example.edu")) == 1


def test_the_reset_request_does_the_same_database_work_for_any_address() -> None:
    """Same timing class: the request itself never looks the address up (the task does)."""
    factories.make_user("known@example.edu")
    counts = []
    for email in ("known@example.edu", "unknown@example.edu"):
        with CaptureQueriesContext(connection) as queries:
            response = APIClient().post(
                "/api/auth/password/forgot/", {"email": email}, format="json"
            )
        assert response.status_code == 202
        counts.append(len(queries))
    assert counts[0] == counts[1] == 0


def test_with_password_login_off_no_invitation_or_reset_is_sent(
    world: World, smtp_inbox: Inbox, django_capture_on_commit_callbacks: Capture, settings: Any
) -> None:
    settings.PASSWORD_LOGIN = False
    factories.make_user("single.sign.on@example.edu")
    roster_add(world, django_capture_on_commit_callbacks, "new.person@example.edu")
    answer = forgot(django_capture_on_commit_callbacks, "single.sign.on@example.edu")
    assert (answer.status_code, answer.data["message"]) == (202, ANY_ADDRESS_ANSWER)
    assert smtp_inbox.messages == []
