"""Each graded submission's total as its viewer may see it, for submission lists (a student's
history, staff's student lookup). The same category and filtering as the results page, so a
list never shows a score the results hide."""

import dataclasses
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser

from autograder.accounts.models import User
from autograder.common.errors import PermissionDeniedError
from autograder.grading.config.feedback_settings import FeedbackCategory
from autograder.grading.results.feedback import feedback_category_for, submission_feedback
from autograder.groups.models import Group
from autograder.submissions.models import Submission, SubmissionStatus

GRADED_STATUSES = (SubmissionStatus.FINISHED_GRADING, SubmissionStatus.WAITING_FOR_DEFERRED)


@dataclasses.dataclass(frozen=True)
class SubmissionScore:
    submission: int
    feedback_category: FeedbackCategory
    points_awarded: Decimal
    points_possible: Decimal


def submission_scores(*, user: User | AnonymousUser, group: Group) -> list[SubmissionScore]:
    """The group's graded submissions, newest first, each with the score of the default
    category `user` sees it with; submissions they may not see results of are left out."""
    scores = []
    graded = Submission.objects.filter(group=group, status__in=GRADED_STATUSES)
    for submission in graded.select_related("group__project").order_by("-timestamp", "-pk"):
        try:
            category = feedback_category_for(user=user, submission=submission)
        except PermissionDeniedError:
            continue
        shown = submission_feedback(submission=submission, category=category)
        scores.append(
            SubmissionScore(
                submission=submission.pk,
                feedback_category=category,
                points_awarded=shown.points_awarded,
                points_possible=shown.points_possible,
            )
        )
    return scores
