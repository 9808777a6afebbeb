"""A project's statistics for staff, computed in one request with a fixed number of queries
however many groups: final scores, which tests fail most, first versus final score,
submissions over time and queue waits.

Groups with a staff or admin member are left out (their test submissions would skew every
figure). Scores are percentages of the points possible, so projects whose tests changed stay
comparable; submissions worth nothing (0 possible) have no percentage.
"""

import dataclasses
import statistics as stats
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone

from autograder.courses.models import CourseMembership, Role
from autograder.grading.mutation.models import MutationSuiteResult
from autograder.grading.results.final_graded import final_graded_submissions
from autograder.grading.results.models import AGTestCaseResult, AGTestCommandResult
from autograder.groups.models import Group
from autograder.projects.models import Project
from autograder.submissions.models import Submission, SubmissionStatus

HOURS_SHOWN = 48
WAIT_SAMPLE = 500
"""Queue waits are those of the latest this many submissions that were graded."""
_WAIT_BUCKETS: list[tuple[str, float]] = [
    ("< 10 s", 10),
    ("10-30 s", 30),
    ("30 s-1 min", 60),
    ("1-5 min", 300),
    ("5-15 min", 900),
    ("15-60 min", 3600),
    ("> 1 h", float("inf")),
]


@dataclasses.dataclass(frozen=True)
class StatsBin:
    label: str
    count: int


@dataclasses.dataclass(frozen=True)
class StatsTimeCount:
    start: datetime
    count: int


@dataclasses.dataclass(frozen=True)
class StatsStatusCount:
    status: str
    count: int


@dataclasses.dataclass(frozen=True)
class StatsTestPassRate:
    suite_id: int
    suite_name: str
    case_id: int
    case_name: str
    passed: int
    total: int
    """Final graded submissions with a result for this test."""


@dataclasses.dataclass(frozen=True)
class StatsFirstVsFinal:
    group_id: int
    first_percent: float
    final_percent: float


@dataclasses.dataclass(frozen=True)
class StatsQueueWaits:
    sample: int
    median_seconds: float | None
    bins: list[StatsBin]


@dataclasses.dataclass(frozen=True)
class ProjectStatistics:
    groups: int
    groups_with_final: int
    submissions: int
    by_status: list[StatsStatusCount]
    final_score_mean_percent: float | None
    final_score_median_percent: float | None
    final_score_histogram: list[StatsBin]
    """Ten bins of final graded scores in percent: 0-10 %, ..., 90-100 % (100 % included)."""
    tests: list[StatsTestPassRate]
    """The tests of final graded submissions, the most failed first."""
    first_vs_final: list[StatsFirstVsFinal]
    """Per group: its first graded submission's score and its final graded one's."""
    submissions_per_day: list[StatsTimeCount]
    submissions_per_hour: list[StatsTimeCount]
    """The last HOURS_SHOWN hours, every hour listed (0 where none)."""
    queue_waits: StatsQueueWaits


def _student_groups(project: Project) -> QuerySet[Group]:
    """The project's groups without a staff or admin member (as a subquery)."""
    staff = CourseMembership.objects.filter(
        course_id=project.course_id, role__in=[Role.ADMIN, Role.STAFF]
    ).values("user_id")
    return Group.objects.filter(project=project).exclude(members__in=staff).order_by()


def _submissions(project: Project) -> QuerySet[Submission]:
    """Submissions of the groups the statistics cover, filtered by a subquery rather than a
    list of ids (binding 500 ids costs more than the query)."""
    groups = _student_groups(project).values("pk")
    return Submission.objects.filter(project=project, group__in=groups).order_by()


def submission_totals(submission_ids: Collection[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """Submission id → (points awarded, points possible), counted as
    `selectors.submission_scores` counts them (each test case floored at zero, results of
    deleted configuration left out, mutation suites included) but from one grouped join
    rather than two subqueries per test case result: the statistics need totals only, for
    a thousand submissions at a time."""
    ids = list(submission_ids)
    per_case = (
        AGTestCommandResult.objects.filter(
            case_result__suite_result__submission_id__in=ids,
            case_result__suite_result__suite__isnull=False,
            case_result__case__isnull=False,
            command__isnull=False,
        )
        .order_by()
        .values_list("case_result__suite_result__submission_id", "case_result_id")
        .annotate(awarded=Sum("points_awarded"), possible=Sum("points_possible"))
    )
    totals = dict.fromkeys(ids, (Decimal(0), Decimal(0)))
    for submission_id, _, awarded, possible in per_case:
        done, of = totals[submission_id]
        totals[submission_id] = (done + max(awarded, 0), of + possible)
    mutation = MutationSuiteResult.objects.filter(submission_id__in=ids, suite__isnull=False)
    for submission_id, awarded, possible in mutation.values_list(
        "submission_id", "points_awarded", "points_possible"
    ):
        done, of = totals[submission_id]
        totals[submission_id] = (done + awarded, of + possible)
    return totals


def _percent(total: tuple[Decimal, Decimal]) -> float | None:
    awarded, possible = total
    return float(100 * awarded / possible) if possible else None


def _histogram(percents: list[float]) -> list[StatsBin]:
    counts = [0] * 10
    for percent in percents:
        counts[min(9, max(0, int(percent // 10)))] += 1
    return [StatsBin(label=f"{10 * i}-{10 * i + 10} %", count=c) for i, c in enumerate(counts)]


def _first_graded(submissions: QuerySet[Submission]) -> dict[int, int]:
    """Group id → its first graded submission's id: the first row per group of one query."""
    rows = (
        submissions.filter(status=SubmissionStatus.FINISHED_GRADING)
        .order_by("group_id", "timestamp", "pk")
        .values_list("group_id", "pk")
    )
    firsts: dict[int, int] = {}
    for group_id, pk in rows:
        firsts.setdefault(group_id, pk)
    return firsts


def _tests(submission_ids: list[int]) -> list[StatsTestPassRate]:
    """One aggregate query: per test case, how many of the submissions passed it (no command
    checked wrong, none timed out)."""
    wrong = AGTestCommandResult.objects.filter(case_result=OuterRef("pk"), command__isnull=False)
    wrong = wrong.filter(
        Q(return_code_correct=False)
        | Q(stdout_correct=False)
        | Q(stderr_correct=False)
        | Q(timed_out=True)
    )
    rows = (
        AGTestCaseResult.objects.filter(
            suite_result__submission_id__in=submission_ids,
            suite_result__suite__isnull=False,
            case__isnull=False,
        )
        .annotate(failed=Exists(wrong))
        .order_by()
        .values(
            "case_id",
            "case__name",
            "case__order",
            "case__suite_id",
            "case__suite__name",
            "case__suite__order",
        )
        .annotate(total=Count("pk"), failures=Count("pk", filter=Q(failed=True)))
    )
    found = [
        (
            row["total"] and row["failures"] / row["total"],
            row["case__suite__order"],
            row["case__order"],
            StatsTestPassRate(
                suite_id=row["case__suite_id"],
                suite_name=row["case__suite__name"],
                case_id=row["case_id"],
                case_name=row["case__name"],
                passed=row["total"] - row["failures"],
                total=row["total"],
            ),
        )
        for row in rows
    ]
    found.sort(key=lambda entry: (-entry[0], entry[1], entry[2], entry[3].case_id))
    return [entry[3] for entry in found]


def _per_day(submissions: QuerySet[Submission]) -> list[StatsTimeCount]:
    rows = (
        submissions.annotate(day=TruncDate("timestamp"))
        .order_by("day")
        .values("day")
        .annotate(count=Count("pk"))
    )
    return [
        StatsTimeCount(
            start=datetime.combine(row["day"], datetime.min.time(), tzinfo=UTC),
            count=row["count"],
        )
        for row in rows
    ]


def _per_hour(submissions: QuerySet[Submission], now: datetime) -> list[StatsTimeCount]:
    end = now.replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=HOURS_SHOWN - 1)
    rows = (
        submissions.filter(timestamp__gte=start)
        .annotate(hour=TruncHour("timestamp"))
        .order_by("hour")
        .values("hour")
        .annotate(count=Count("pk"))
    )
    counts = {row["hour"]: row["count"] for row in rows}
    hours = [start + timedelta(hours=i) for i in range(HOURS_SHOWN)]
    return [StatsTimeCount(start=hour, count=counts.get(hour, 0)) for hour in hours]


def _queue_waits(submissions: QuerySet[Submission]) -> StatsQueueWaits:
    waits = [
        wait.total_seconds()
        for wait in submissions.filter(queued_at__isnull=False, grading_started_at__isnull=False)
        .order_by("-timestamp")
        .annotate(wait=F("grading_started_at") - F("queued_at"))
        .values_list("wait", flat=True)[:WAIT_SAMPLE]
    ]
    counts = [0] * len(_WAIT_BUCKETS)
    for wait in waits:
        counts[next(i for i, (_, upper) in enumerate(_WAIT_BUCKETS) if wait < upper)] += 1
    labels = [label for label, _ in _WAIT_BUCKETS]
    bins = [StatsBin(label=label, count=count) for label, count in zip(labels, counts, strict=True)]
    median = max(0.0, stats.median(waits)) if waits else None
    return StatsQueueWaits(sample=len(waits), median_seconds=median, bins=bins)


def project_statistics(*, project: Project, now: datetime | None = None) -> ProjectStatistics:
    now = now or timezone.now()
    group_ids = list(_student_groups(project).values_list("pk", flat=True))
    submissions = _submissions(project)
    finals = final_graded_submissions(project=project, group_ids=group_ids)
    firsts = _first_graded(submissions)
    scores = submission_totals({s.pk for s in finals.values()} | set(firsts.values()))
    final_percents = {
        gid: p for gid, s in finals.items() if (p := _percent(scores[s.pk])) is not None
    }
    pairs = []
    for group_id, first_id in firsts.items():
        first = _percent(scores[first_id])
        final = final_percents.get(group_id)
        if first is not None and final is not None:
            pairs.append(
                StatsFirstVsFinal(group_id=group_id, first_percent=first, final_percent=final)
            )
    statuses = submissions.order_by("status").values("status").annotate(count=Count("pk"))
    by_status = [StatsStatusCount(status=row["status"], count=row["count"]) for row in statuses]
    values = list(final_percents.values())
    return ProjectStatistics(
        groups=len(group_ids),
        groups_with_final=len(finals),
        submissions=sum(s.count for s in by_status),
        by_status=by_status,
        final_score_mean_percent=stats.fmean(values) if values else None,
        final_score_median_percent=stats.median(values) if values else None,
        final_score_histogram=_histogram(values),
        tests=_tests([s.pk for s in finals.values()]),
        first_vs_final=pairs,
        submissions_per_day=_per_day(submissions),
        submissions_per_hour=_per_hour(submissions, now),
        queue_waits=_queue_waits(submissions),
    )
