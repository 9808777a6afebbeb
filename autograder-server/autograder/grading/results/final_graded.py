"""Which submission is a group's (or a student's) final graded one, per the project's policy.

Only `finished_grading` submissions count. `most_recent` takes the newest; `best` takes the
highest total from the stored points (see `results_selectors.submission_scores`), the newest
among equals. A submission whose `does_not_count_for` lists a student (made late without
enough of their late days) is skipped for that student, not for the group.
"""

from collections import defaultdict
from collections.abc import Collection, Mapping
from decimal import Decimal

from autograder.accounts.models import User
from autograder.grading.results.selectors import submission_scores
from autograder.groups.models import Group
from autograder.projects.models import FinalGradedPolicy, Project
from autograder.submissions.models import Submission, SubmissionStatus


def _finished_by_group(
    *, project: Project, group_ids: Collection[int]
) -> dict[int, list[Submission]]:
    """Finished submissions of each group, newest first."""
    found: dict[int, list[Submission]] = {group_id: [] for group_id in group_ids}
    submissions = (
        Submission.objects.filter(
            project=project,
            group_id__in=list(group_ids),
            status=SubmissionStatus.FINISHED_GRADING,
        )
        .only("id", "group_id", "project_id", "timestamp", "status")
        .order_by("-timestamp", "-pk")
    )
    for submission in submissions:
        found[submission.group_id].append(submission)
    return found


def _not_counted_for(submission_ids: Collection[int]) -> dict[int, set[int]]:
    """Submission id → ids of users it doesn't count for."""
    through = Submission.does_not_count_for.through
    excluded: dict[int, set[int]] = defaultdict(set)
    for submission_id, user_id in through.objects.filter(
        submission_id__in=list(submission_ids)
    ).values_list("submission_id", "user_id"):
        excluded[submission_id].add(user_id)
    return excluded


def _pick(
    candidates: list[Submission], *, best: bool, totals: dict[int, Decimal]
) -> Submission | None:
    """`candidates` are newest first, so `max` keeps the newest of equal totals."""
    if not candidates:
        return None
    if not best:
        return candidates[0]
    return max(candidates, key=lambda s: totals.get(s.pk, Decimal(0)))


def _totals(project: Project, candidates: dict[int, list[Submission]]) -> dict[int, Decimal]:
    if project.final_graded_policy != FinalGradedPolicy.BEST:
        return {}
    ids = [s.pk for subs in candidates.values() for s in subs]
    return {pk: score.awarded for pk, score in submission_scores(submission_ids=ids).items()}


def final_graded_submissions(
    *, project: Project, group_ids: Collection[int]
) -> dict[int, Submission]:
    """Group id → its final graded submission (groups without one are absent). A constant
    number of queries however many groups."""
    candidates = _finished_by_group(project=project, group_ids=group_ids)
    totals = _totals(project, candidates)
    best = project.final_graded_policy == FinalGradedPolicy.BEST
    picked = {gid: _pick(subs, best=best, totals=totals) for gid, subs in candidates.items()}
    return {gid: sub for gid, sub in picked.items() if sub is not None}


def final_graded_submissions_for_users(
    *, project: Project, members: Mapping[int, Collection[int]]
) -> dict[tuple[int, int], Submission]:
    """(group id, user id) → that member's final graded submission, for `members` (group id →
    member ids). Pairs without one are absent. A constant number of queries."""
    candidates = _finished_by_group(project=project, group_ids=members)
    excluded = _not_counted_for([s.pk for subs in candidates.values() for s in subs])
    totals = _totals(project, candidates)
    best = project.final_graded_policy == FinalGradedPolicy.BEST
    picked: dict[tuple[int, int], Submission] = {}
    for group_id, user_ids in members.items():
        for user_id in user_ids:
            counted = [s for s in candidates[group_id] if user_id not in excluded.get(s.pk, ())]
            submission = _pick(counted, best=best, totals=totals)
            if submission is not None:
                picked[(group_id, user_id)] = submission
    return picked


def final_graded_submission(*, group: Group) -> Submission | None:
    return final_graded_submissions(project=group.project, group_ids=[group.pk]).get(group.pk)


def final_graded_submission_for_user(*, group: Group, user: User) -> Submission | None:
    return final_graded_submissions_for_users(
        project=group.project, members={group.pk: [user.pk]}
    ).get((group.pk, user.pk))
