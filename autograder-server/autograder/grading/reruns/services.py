"""Staff-requested reruns: which submissions a rerun covers, starting and cancelling one, and
how far it got.

A rerun is a `RerunTask` with one `GradingJob` (kind `rerun`, queue `rerun`) per submission,
so reruns never take worker slots from students' new submissions. Progress is counted from
the jobs' states, which are the truth even when a job is cancelled while it runs.
"""

import dataclasses
import enum
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from autograder.accounts.models import User
from autograder.common.errors import ApplicationError, ConflictError, NotFoundError
from autograder.grading.config.models import AGTestCase, AGTestSuite
from autograder.grading.config.scoring import case_points
from autograder.grading.mutation.models import RERUN_SELECTION_KEY, MutationTestSuite
from autograder.grading.pipeline import jobs
from autograder.grading.pipeline.models import (
    UNFINISHED_JOB_STATES,
    GradingJob,
    ImageChoice,
    JobKind,
    JobState,
    RerunTask,
)
from autograder.grading.results.models import AGTestCommandResult
from autograder.projects.models import Project
from autograder.submissions.models import ACTIVE_STATUSES, Submission, SubmissionStatus

SuiteSelection = dict[str, list[int] | None]
"""Suite id (as a string, JSON's only key type) → None for every test case, or case ids."""

RERUNNABLE_STATUSES = (
    SubmissionStatus.FINISHED_GRADING,
    SubmissionStatus.WAITING_FOR_DEFERRED,
    SubmissionStatus.ERROR,
)
"""What `all`, `latest` and `best` choose from."""


class Selection(enum.StrEnum):
    ALL = "all"
    """Every graded (or failed) submission of the project."""
    LATEST = "latest"
    """Each group's most recent graded (or failed) submission."""
    BEST = "best"
    """Each group's highest-scoring one by the stored points, the most recent among equals."""
    LIST = "list"
    """The submissions whose ids are given."""


@dataclasses.dataclass(frozen=True)
class RerunProgress:
    total: int
    completed: int
    failed: int
    cancelled: int
    percent: float
    """Share of the jobs that completed, failed or were cancelled."""
    finished: bool
    """No job of the rerun waits or runs any more."""


@dataclasses.dataclass(frozen=True)
class RerunStatus:
    task: RerunTask
    progress: RerunProgress


@dataclasses.dataclass(frozen=True)
class RerunCreated:
    task: RerunTask
    skipped: int
    """Chosen submissions left out because a rerun of theirs was still waiting or running."""


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, fields={field: [message]})


def _ids(values: Iterable[int]) -> str:
    return ", ".join(str(value) for value in sorted(values))


# --- Choosing submissions --------------------------------------------------------------------


def _rerunnable(project: Project) -> QuerySet[Submission]:
    return Submission.objects.filter(project=project, status__in=RERUNNABLE_STATUSES).order_by(
        "-timestamp", "-pk"
    )


def _newest_per_group(submissions: Iterable[Submission]) -> dict[int, list[Submission]]:
    """Group id → its submissions in the order given (newest first)."""
    by_group: dict[int, list[Submission]] = defaultdict(list)
    for submission in submissions:
        by_group[submission.group_id].append(submission)
    return by_group


def submission_totals(*, submission_ids: Collection[int]) -> dict[int, int]:
    """Submission id → total points stored for it (0 without results). Each test case counts
    at least 0; results of suites, test cases or commands deleted since are left out, as
    everywhere scores are shown."""
    per_case: dict[tuple[int, int], list[int]] = defaultdict(list)
    rows = AGTestCommandResult.objects.filter(
        case_result__suite_result__submission_id__in=list(submission_ids),
        case_result__suite_result__suite__isnull=False,
        case_result__case__isnull=False,
        command__isnull=False,
    ).values_list("case_result__suite_result__submission_id", "case_result_id", "points_awarded")
    for submission_id, case_result_id, points in rows.iterator():
        per_case[(submission_id, case_result_id)].append(points)
    totals = dict.fromkeys(submission_ids, 0)
    for (submission_id, _), points_list in per_case.items():
        totals[submission_id] += case_points(points_list)
    return totals


def _best_per_group(project: Project) -> list[Submission]:
    by_group = _newest_per_group(_rerunnable(project))
    totals = submission_totals(submission_ids=[s.pk for subs in by_group.values() for s in subs])
    # max() keeps the first of equal totals, and each list is newest first.
    return [max(subs, key=lambda s: totals[s.pk]) for subs in by_group.values()]


def _listed(project: Project, submission_ids: Sequence[int] | None) -> list[Submission]:
    if not submission_ids:
        raise _invalid("submission_ids", "List the submissions to rerun.")
    wanted = set(submission_ids)
    found = list(Submission.objects.filter(project=project, pk__in=wanted).order_by("pk"))
    missing = wanted - {s.pk for s in found}
    if missing:
        raise _invalid("submission_ids", f"Not submissions of this project: {_ids(missing)}.")
    waiting = {s.pk for s in found if s.status in ACTIVE_STATUSES}
    if waiting:
        raise _invalid(
            "submission_ids",
            f"Not graded yet (they are still waiting or being graded): {_ids(waiting)}.",
        )
    return found


def submissions_for_rerun(
    *, project: Project, selection: str, submission_ids: Sequence[int] | None = None
) -> list[Submission]:
    if selection == Selection.LIST:
        return _listed(project, submission_ids)
    if submission_ids is not None:
        raise _invalid("submission_ids", "Submission ids go only with the selection 'list'.")
    if selection == Selection.ALL:
        return list(_rerunnable(project))
    if selection == Selection.LATEST:
        return [subs[0] for subs in _newest_per_group(_rerunnable(project)).values()]
    if selection == Selection.BEST:
        return _best_per_group(project)
    choices = ", ".join(s.value for s in Selection)
    raise _invalid("selection", f"Unknown selection {selection!r}; choose one of: {choices}.")


# --- Choosing suites -------------------------------------------------------------------------


def _suite_id(key: Any) -> int | None:
    text = str(key)
    return int(text) if text.isdigit() else None


def _case_ids(suite_key: str, cases: Any) -> list[int]:
    if not isinstance(cases, list) or not all(
        isinstance(c, int) and not isinstance(c, bool) for c in cases
    ):
        raise _invalid(
            "suite_selection", f"Suite {suite_key}: give null or a list of test case ids."
        )
    if not cases:
        raise _invalid(
            "suite_selection",
            f"Suite {suite_key}: choose at least one test case, or null for all of them.",
        )
    return sorted(set(cases))


def suite_selection_check(
    *, project: Project, suite_selection: dict[str, Any] | None
) -> SuiteSelection | None:
    """The selection normalised (sorted, without repeats), or a 400 naming what doesn't
    belong to the project."""
    if suite_selection is None:
        return None
    if not isinstance(suite_selection, dict) or not suite_selection:
        raise _invalid(
            "suite_selection",
            "Choose at least one suite, or leave suite_selection out to rerun every suite.",
        )
    suite_selection = dict(suite_selection)
    mutation = _mutation_suite_ids(project, suite_selection.pop(RERUN_SELECTION_KEY, None))
    chosen = {str(key): _suite_id(key) for key in suite_selection}
    known = set(
        AGTestSuite.objects.filter(
            project=project, pk__in=[i for i in chosen.values() if i is not None]
        ).values_list("pk", flat=True)
    )
    unknown = [key for key, suite_id in chosen.items() if suite_id not in known]
    if unknown:
        raise _invalid(
            "suite_selection", f"Not suites of this project: {', '.join(sorted(unknown))}."
        )
    normalised: SuiteSelection = {}
    for key, cases in suite_selection.items():
        suite_id = _suite_id(key)
        assert suite_id is not None
        normalised[str(suite_id)] = None if cases is None else _case_ids(str(key), cases)
    _check_cases(normalised)
    if mutation:
        normalised[RERUN_SELECTION_KEY] = mutation
    return normalised


def _mutation_suite_ids(project: Project, ids: Any) -> list[int]:
    """The mutation suites a selection lists under RERUN_SELECTION_KEY, checked."""
    if ids is None:
        return []
    if (
        not isinstance(ids, list)
        or not ids
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
    ):
        raise _invalid(
            "suite_selection", f"{RERUN_SELECTION_KEY}: give a list of mutation suite ids."
        )
    wanted = set(ids)
    known = set(
        MutationTestSuite.objects.filter(project=project, pk__in=wanted).values_list(
            "pk", flat=True
        )
    )
    if wanted - known:
        raise _invalid(
            "suite_selection",
            f"{RERUN_SELECTION_KEY}: not mutation suites of this project: {_ids(wanted - known)}.",
        )
    return sorted(wanted)


def _check_cases(selection: SuiteSelection) -> None:
    wanted = {int(key): set(cases) for key, cases in selection.items() if cases is not None}
    if not wanted:
        return
    found: dict[int, set[int]] = defaultdict(set)
    for suite_id, case_id in AGTestCase.objects.filter(
        suite_id__in=wanted, pk__in=set().union(*wanted.values())
    ).values_list("suite_id", "pk"):
        found[suite_id].add(case_id)
    problems = [
        f"Suite {suite_id}: not test cases of this suite: {_ids(cases - found[suite_id])}."
        for suite_id, cases in sorted(wanted.items())
        if cases - found[suite_id]
    ]
    if problems:
        raise ApplicationError(problems[0], fields={"suite_selection": problems})


# --- Writes ----------------------------------------------------------------------------------


def rerun_create(
    *,
    project: Project,
    creator: User | None,
    selection: str,
    submission_ids: Sequence[int] | None = None,
    suite_selection: dict[str, Any] | None = None,
    image_choice: str = ImageChoice.CURRENT,
) -> RerunCreated:
    """Starts a rerun: one job per chosen submission, all created or none. A submission that
    already has a rerun waiting or running is skipped (a submission is rerun once at a time).
    `image_choice` says whether suites run on their current image or on the one each result
    recorded (see grading.pipeline.image_choice)."""
    if image_choice not in ImageChoice.values:
        choices = ", ".join(ImageChoice.values)
        raise _invalid(
            "image_choice", f"Unknown image choice {image_choice!r}; choose one of: {choices}."
        )
    suites = suite_selection_check(project=project, suite_selection=suite_selection)
    with transaction.atomic():
        # One rerun is started per project at a time, so two can't pick the same submission.
        list(Project.objects.select_for_update(no_key=True).filter(pk=project.pk).values("pk"))
        submissions = submissions_for_rerun(
            project=project, selection=selection, submission_ids=submission_ids
        )
        busy = set(
            GradingJob.objects.filter(
                submission__in=[s.pk for s in submissions],
                kind=JobKind.RERUN,
                state__in=UNFINISHED_JOB_STATES,
            ).values_list("submission_id", flat=True)
        )
        todo = [s for s in submissions if s.pk not in busy]
        task = RerunTask.objects.create(
            project=project,
            creator=creator,
            selection=selection,
            suite_selection=suites,
            image_choice=image_choice,
            total=len(todo),
            finished_at=None if todo else timezone.now(),
        )
        for submission in todo:
            jobs.job_enqueue(
                submission=submission,
                kind=JobKind.RERUN,
                suite_selection=suites,
                rerun_task=task,
            )
    return RerunCreated(task=task, skipped=len(busy))


def rerun_cancel(*, task: RerunTask) -> RerunTask:
    """Cancels the jobs that haven't started; a running job stops before its next suite.
    Cancelling twice is harmless; cancelling a finished rerun is refused."""
    with transaction.atomic():
        locked = RerunTask.objects.select_for_update().get(pk=task.pk)
        if locked.is_cancelled:
            return locked
        if locked.finished_at is not None:
            raise ConflictError("This rerun has already finished.", code="rerun_finished")
        now = timezone.now()
        jobs.jobs_cancel_pending(rerun_task=locked)
        locked.is_cancelled = True
        locked.finished_at = now
        locked.save(update_fields=["is_cancelled", "finished_at"])
    return locked


# --- Reads -----------------------------------------------------------------------------------


def reruns_of_project(*, project: Project) -> QuerySet[RerunTask]:
    return RerunTask.objects.filter(project=project).select_related("creator")


def rerun_get(*, rerun_id: int) -> RerunTask:
    task = (
        RerunTask.objects.select_related("project", "project__course", "creator")
        .filter(pk=rerun_id)
        .first()
    )
    if task is None:
        raise NotFoundError("No such rerun.")
    return task


def _progress(task: RerunTask, counts: dict[str, int]) -> RerunProgress:
    completed = counts.get(JobState.DONE, 0)
    failed = counts.get(JobState.FAILED, 0)
    cancelled = counts.get(JobState.CANCELLED, 0)
    active = sum(counts.get(state, 0) for state in UNFINISHED_JOB_STATES)
    total = task.total
    ended = completed + failed + cancelled
    return RerunProgress(
        total=total,
        completed=completed,
        failed=failed,
        cancelled=cancelled,
        percent=round(100 * ended / total, 1) if total else 100.0,
        finished=active == 0,
    )


def rerun_statuses(*, tasks: Sequence[RerunTask]) -> list[RerunStatus]:
    """Each task with its progress, in one query however many tasks."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        GradingJob.objects.filter(rerun_task__in=[t.pk for t in tasks])
        .values_list("rerun_task_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for task_id, state, n in rows:
        counts[task_id][state] = n
    return [RerunStatus(task=t, progress=_progress(t, counts[t.pk])) for t in tasks]


def rerun_status(*, task: RerunTask) -> RerunStatus:
    return rerun_statuses(tasks=[task])[0]
