"""Every write of notifications: receipts, the notices sent, and users' choices.

The senders run in Celery tasks (tasks.py) on the `small` queue, never in a request. Each
notice to each person is written as a SentNotice row in the same transaction that sends it, so
a task that runs twice (a retry, a redelivery) mails nobody twice, and a send that fails rolls
its row back and is retried.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from autograder.accounts.mail import mail_send
from autograder.accounts.models import User
from autograder.groups.models import GroupInvitation
from autograder.notifications.models import (
    NoticeKind,
    NotificationSettings,
    SentNotice,
    SubmissionReceipt,
)
from autograder.submissions.models import Submission, SubmissionStatus
from autograder.submissions.selectors import submission_file_path

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O or 1/I: codes are read aloud and typed from email."""
CHUNK = 1024 * 1024


def receipt_code_new() -> str:
    """Twelve random characters as XXXX-XXXX-XXXX (60 bits: not guessable in any number of
    tries a staff lookup allows)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def files_digest(*, submission: Submission) -> list[dict[str, object]]:
    """Name, size and SHA-256 of each stored file of `submission`, by name."""
    digests: list[dict[str, object]] = []
    for name in sorted(submission.submitted_filenames):
        sha = hashlib.sha256()
        size = 0
        with default_storage.open(submission_file_path(submission=submission, name=name)) as f:
            while chunk := f.read(CHUNK):
                sha.update(chunk)
                size += len(chunk)
        digests.append({"name": name, "size": size, "sha256": sha.hexdigest()})
    return digests


def manifest_sha256(files: list[dict[str, object]]) -> str:
    """One hash for a whole submission: SHA-256 of `sha256sum`'s output lines, by name, so a
    student can recompute it with `sha256sum * | sort -k2 | sha256sum`."""
    lines = "".join(f"{f['sha256']}  {f['name']}\n" for f in files)
    return hashlib.sha256(lines.encode()).hexdigest()


def receipt_create(*, submission: Submission) -> SubmissionReceipt:
    """The submission's receipt, made on first call from its stored files."""
    existing = SubmissionReceipt.objects.filter(submission=submission).first()
    if existing is not None:
        return existing
    files = files_digest(submission=submission)
    try:
        with transaction.atomic():
            return SubmissionReceipt.objects.create(
                submission=submission,
                code=receipt_code_new(),
                files=files,
                sha256=manifest_sha256(files),
            )
    except IntegrityError:  # made meanwhile by a second run of the task
        return SubmissionReceipt.objects.get(submission=submission)


def _send_once(*, kind: NoticeKind, object_id: int, user: User, subject: str, body: str) -> bool:
    if not user.email or not user.is_active:
        return False
    with transaction.atomic():
        _, created = SentNotice.objects.get_or_create(kind=kind, object_id=object_id, user=user)
        if not created:
            return False
        return mail_send(to=user.email, subject=subject, body=body)


def _site(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _size(n: object) -> str:
    size = int(str(n))
    return f"{size} bytes" if size < 10_000 else f"{size / 1024:.1f} KiB"


def receipt_mail_send(*, submission_id: int) -> int:
    """Makes the receipt and mails it to every member of the group; returns how many."""
    submission = (
        Submission.objects.select_related("project__course").filter(pk=submission_id).first()
    )
    if submission is None:
        return 0
    receipt = receipt_create(submission=submission)
    project = submission.project
    files = "\n".join(
        f"  {f['name']}  {_size(f['size'])}  sha256 {f['sha256']}" for f in receipt.files
    )
    body = (
        f"We received a submission for {project.name} ({project.course.name}) at "
        f"{submission.timestamp.isoformat(timespec='seconds')}.\n\n"
        f"Receipt code: {receipt.code}\n\n"
        f"Files:\n{files or '  (none)'}\n\n"
        f"SHA-256 of all files: {receipt.sha256}\n"
        "(sha256sum's lines for the files, sorted by name, hashed again.)\n\n"
        "Keep this message: course staff can look the code up to confirm what was received "
        "and when.\n"
        f"Your submission: {_site(f'/projects/{project.pk}/submissions/{submission.pk}')}\n"
    )
    subject = f"Receipt {receipt.code}: {project.name}"
    sent = 0
    for member in submission.group.members.all():
        sent += _send_once(
            kind=NoticeKind.RECEIPT,
            object_id=submission.pk,
            user=member,
            subject=subject,
            body=body,
        )
    return sent


def grading_finished_mail_send(*, submission_id: int) -> int:
    """Tells the members who want it that the submission has finished grading. The message
    carries no scores: what each person may see depends on the project's feedback settings,
    which the results page applies."""
    submission = (
        Submission.objects.select_related("project__course").filter(pk=submission_id).first()
    )
    if submission is None or submission.status != SubmissionStatus.FINISHED_GRADING:
        return 0
    project = submission.project
    opted_out = set(
        NotificationSettings.objects.filter(
            user__in=submission.group.members.all(), grading_finished=False
        ).values_list("user_id", flat=True)
    )
    body = (
        f"Your submission for {project.name} ({project.course.name}) from "
        f"{submission.timestamp.isoformat(timespec='seconds')} has finished grading.\n\n"
        f"See the results: {_site(f'/projects/{project.pk}/submissions/{submission.pk}')}\n\n"
        f"You can turn these messages off at {_site('/account/notifications')}.\n"
    )
    sent = 0
    for member in submission.group.members.exclude(pk__in=opted_out):
        sent += _send_once(
            kind=NoticeKind.GRADING_FINISHED,
            object_id=submission.pk,
            user=member,
            subject=f"Graded: {project.name}",
            body=body,
        )
    return sent


def group_invitation_mail_send(*, invitation_id: int) -> int:
    """Tells each recipient who invited them to a group, and where to answer."""
    invitation = (
        GroupInvitation.objects.select_related("project__course", "sender")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return 0
    project = invitation.project
    sender = invitation.sender
    others = ", ".join(
        r.get_full_name() or r.username for r in invitation.recipients.order_by("username")
    )
    full_name = sender.get_full_name()
    who = f"{full_name} ({sender.username})" if full_name else sender.username
    body = (
        f"{who} invited you to work "
        f"together on {project.name} ({project.course.name}). Invited: {others}.\n\n"
        f"Accept or decline on the project page: {_site(f'/projects/{project.pk}')}\n"
        "The group forms once everyone invited accepts.\n"
    )
    sent = 0
    for recipient in invitation.recipients.all():
        sent += _send_once(
            kind=NoticeKind.GROUP_INVITATION,
            object_id=invitation.pk,
            user=recipient,
            subject=f"Group invitation for {project.name}",
            body=body,
        )
    return sent


def notification_settings_update(*, user: User, grading_finished: bool) -> NotificationSettings:
    choice, _ = NotificationSettings.objects.update_or_create(
        user=user, defaults={"grading_finished": grading_finished}
    )
    return choice
