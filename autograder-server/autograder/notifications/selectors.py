"""Reads of notifications: a user's choices, and receipts as staff look them up."""

import re

from autograder.accounts.models import User
from autograder.common.errors import NotFoundError
from autograder.courses.models import Course
from autograder.notifications.models import NotificationSettings, SubmissionReceipt
from autograder.notifications.services import files_digest

NO_RECEIPT = "No receipt of this course has that code."


def notification_settings_of(*, user: User) -> NotificationSettings:
    """The user's choices (the defaults, unsaved, when they never chose)."""
    found = NotificationSettings.objects.filter(user=user).first()
    return found or NotificationSettings(user=user)


def receipt_code_normalise(raw: str) -> str:
    """`r7k2 9qxm-4tzp` and `R7K29QXM4TZP` both mean R7K2-9QXM-4TZP."""
    compact = re.sub(r"[\s-]", "", raw).upper()
    return f"{compact[:4]}-{compact[4:8]}-{compact[8:]}" if len(compact) == 12 else compact


def receipt_of_course(*, course: Course, code: str) -> SubmissionReceipt:
    """The receipt with `code` for a submission of `course`; 404 otherwise (a code from
    another course is as unknown as a made-up one)."""
    receipt = (
        SubmissionReceipt.objects.select_related(
            "submission__project", "submission__group", "submission__submitter"
        )
        .filter(code=receipt_code_normalise(code), submission__project__course=course)
        .first()
    )
    if receipt is None:
        raise NotFoundError(NO_RECEIPT)
    return receipt


def receipt_files_unchanged(*, receipt: SubmissionReceipt) -> bool:
    """Whether the stored files still hash to what the receipt says."""
    try:
        return bool(files_digest(submission=receipt.submission) == receipt.files)
    except OSError:  # a file is gone
        return False
