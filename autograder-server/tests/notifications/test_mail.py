"""Notification email through a real SMTP server (tests/smtp.py): group invitations, submission
receipts (and staff checking them), grading finished and each user's choice about it."""

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from autograder.accounts.models import User
from autograder.courses.models import Role
from autograder.notifications import tasks
from autograder.notifications.models import SubmissionReceipt
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories
from tests.conftest import World
from tests.smtp import Inbox

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]

MAIN = b"int main() { return 0; }\n"
NOTES = b"notes\n"


def user(world: World, role: str) -> User:
    found = world.users[role]
    assert isinstance(found, User)
    return found


def stored_submission(
    world: World, status: SubmissionStatus = SubmissionStatus.QUEUED
) -> Submission:
    """A submission of two files by the world's group (one member), queued unless told."""
    submission = Submission.objects.create(
        group=world.group,
        project=world.project,
        submitter=user(world, "group_member"),
        status=status,
        submitted_filenames=["main.cpp", "notes.txt"],
        total_size=len(MAIN) + len(NOTES),
    )
    for name, content in (("main.cpp", MAIN), ("notes.txt", NOTES)):
        default_storage.save(f"{submission.files_dir}/{name}", ContentFile(content))
    return submission


def test_each_recipient_of_a_group_invitation_is_mailed(
    world: World, smtp_inbox: Inbox, django_capture_on_commit_callbacks: Capture
) -> None:
    bob = factories.add_role(world.course, factories.make_user("bob@x.edu"), Role.STUDENT)
    factories.add_role(world.course, factories.make_user("carol@x.edu"), Role.STUDENT)
    bob.first_name = "Bob"
    bob.save()
    with django_capture_on_commit_callbacks(execute=True):
        sent = world.client("student").post(
            f"/api/projects/{world.project.pk}/invitations/",
            {"recipients": ["bob@x.edu", "carol@x.edu"]},
            format="json",
        )
    assert sent.status_code == 201, sent.data

    assert sorted(str(m["To"]) for m in smtp_inbox.messages) == ["bob@x.edu", "carol@x.edu"]
    mail = smtp_inbox.to("bob@x.edu")[0]
    assert mail["Subject"] == "Group invitation for P1 Stats"
    body = smtp_inbox.body(mail)
    assert "student@example.edu invited you" in body and "Invited: Bob, carol@x.edu" in body
    assert f"/projects/{world.project.pk}" in body


def test_a_refused_invitation_sends_nothing(
    world: World, smtp_inbox: Inbox, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        refused = world.client("student").post(
            f"/api/projects/{world.project.pk}/invitations/",
            {"recipients": ["outsider@example.edu"]},
            format="json",
        )
    assert refused.status_code == 400
    assert smtp_inbox.messages == []


def test_the_receipt_names_each_file_with_its_size_and_hash(
    world: World, smtp_inbox: Inbox
) -> None:
    submission = stored_submission(world)
    tasks.send_receipt.delay(submission.pk)

    [mail] = smtp_inbox.messages
    assert str(mail["To"]) == "member@example.edu"
    receipt = SubmissionReceipt.objects.get(submission=submission)
    assert mail["Subject"] == f"Receipt {receipt.code}: P1 Stats"
    body = smtp_inbox.body(mail)
    main_sha = hashlib.sha256(MAIN).hexdigest()
    notes_sha = hashlib.sha256(NOTES).hexdigest()
    assert f"main.cpp  {len(MAIN)} bytes  sha256 {main_sha}" in body
    assert f"notes.txt  {len(NOTES)} bytes  sha256 {notes_sha}" in body
    manifest = f"{main_sha}  main.cpp\n{notes_sha}  notes.txt\n"
    assert receipt.sha256 == hashlib.sha256(manifest.encode()).hexdigest()
    assert f"SHA-256 of all files: {receipt.sha256}" in body
    assert f"Receipt code: {receipt.code}" in body


def test_a_task_run_twice_mails_each_person_once(world: World, smtp_inbox: Inbox) -> None:
    submission = stored_submission(world)
    tasks.send_receipt.delay(submission.pk)
    tasks.send_receipt.delay(submission.pk)
    assert len(smtp_inbox.messages) == 1
    assert SubmissionReceipt.objects.filter(submission=submission).count() == 1


def test_staff_look_up_a_receipt_and_see_whether_the_files_still_match(
    world: World, smtp_inbox: Inbox
) -> None:
    submission = stored_submission(world)
    tasks.send_receipt.delay(submission.pk)
    receipt = SubmissionReceipt.objects.get(submission=submission)
    typed = receipt.code.replace("-", "").lower()

    found = world.client("staff").get(f"/api/courses/{world.course.pk}/receipts/{typed}/")
    assert found.status_code == 200, found.data
    assert found.data["submission_id"] == submission.pk
    assert found.data["members"] == ["member@example.edu"]
    assert [f["name"] for f in found.data["files"]] == ["main.cpp", "notes.txt"]
    assert found.data["files"][0]["sha256"] == hashlib.sha256(MAIN).hexdigest()
    assert found.data["files_unchanged"] is True

    path = f"{submission.files_dir}/main.cpp"
    default_storage.delete(path)
    default_storage.save(path, ContentFile(b"int main() { return 1; }\n"))
    again = world.client("staff").get(f"/api/courses/{world.course.pk}/receipts/{typed}/")
    assert again.data["files_unchanged"] is False


def test_a_receipt_is_unknown_in_another_course(world: World, smtp_inbox: Inbox) -> None:
    submission = stored_submission(world)
    tasks.send_receipt.delay(submission.pk)
    code = SubmissionReceipt.objects.get(submission=submission).code
    other_admin = factories.add_role(world.other_course, factories.make_user(), Role.ADMIN)
    client = world.client("anonymous")
    client.force_authenticate(user=other_admin)
    response = client.get(f"/api/courses/{world.other_course.pk}/receipts/{code}/")
    assert response.status_code == 404
    made_up = world.client("staff").get(f"/api/courses/{world.course.pk}/receipts/AAAA-BBBB-CCCC/")
    assert made_up.status_code == 404


def finished(world: World) -> Submission:
    submission = stored_submission(world)
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.FINISHED_GRADING)
    return submission


def test_grading_finished_is_mailed_to_members_who_want_it(world: World, smtp_inbox: Inbox) -> None:
    partner = factories.add_role(world.course, factories.make_user("partner@x.edu"), Role.STUDENT)
    world.group.members.add(partner)
    client = world.client("anonymous")
    client.force_authenticate(user=partner)
    off = client.patch("/api/users/me/notifications/", {"grading_finished": False}, format="json")
    assert off.status_code == 200 and off.data == {"grading_finished": False}

    submission = finished(world)
    tasks.send_grading_finished.delay(submission.pk)

    assert [str(m["To"]) for m in smtp_inbox.messages] == ["member@example.edu"]
    mail = smtp_inbox.messages[0]
    assert mail["Subject"] == "Graded: P1 Stats"
    body = smtp_inbox.body(mail)
    assert f"/projects/{world.project.pk}/submissions/{submission.pk}" in body
    assert "/account/notifications" in body


def test_no_grading_mail_before_grading_has_finished(world: World, smtp_inbox: Inbox) -> None:
    submission = stored_submission(world)
    tasks.send_grading_finished.delay(submission.pk)
    assert smtp_inbox.messages == []


def test_notification_choices_default_on_and_refuse_bad_values(world: World) -> None:
    client = world.client("student")
    assert client.get("/api/users/me/notifications/").data == {"grading_finished": True}
    bad = client.patch("/api/users/me/notifications/", {"grading_finished": "often"}, format="json")
    assert bad.status_code == 400 and "grading_finished" in bad.data["fields"]
    unknown = client.patch("/api/users/me/notifications/", {"spam": True}, format="json")
    assert unknown.status_code == 400
