"""Final graded scores of a whole project: per group (the paginated gradebook) and per student
(the CSV). Both take a constant number of queries however many groups there are."""

import csv
import io
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Count, Max, Prefetch, QuerySet

from autograder.accounts.models import User
from autograder.common.points import points_text
from autograder.courses.models import CourseMembership, Role
from autograder.grading.config.models import AGTestSuite
from autograder.grading.mutation.models import MutationTestSuite
from autograder.grading.results.final_graded import (
    final_graded_submissions,
    final_graded_submissions_for_users,
)
from autograder.grading.results.gradebook_columns import GradebookColumn, gradebook_columns
from autograder.grading.results.selectors import SubmissionScore, submission_scores
from autograder.groups.models import Group, GroupMembership
from autograder.projects.models import Project
from autograder.submissions.models import Submission

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def gradebook_suites(*, project: Project) -> list[AGTestSuite]:
    return list(
        AGTestSuite.objects.filter(project=project)
        .only("id", "name", "order")
        .order_by("order", "pk")
    )


def gradebook_mutation_suites(*, project: Project) -> list[MutationTestSuite]:
    """The project's mutation suites, in order: a column each, after the suites'."""
    return list(
        MutationTestSuite.objects.filter(project=project)
        .only("id", "name", "order")
        .order_by("order", "pk")
    )


def mutation_column_label(suite: MutationTestSuite) -> str:
    """A mutation suite's header: marked, so it never reads as a suite of the same name."""
    return f"{suite.name} (mutation testing)"


def gradebook_groups(*, project: Project) -> QuerySet[Group]:
    members = User.objects.order_by("username").only("id", "username")
    return (
        Group.objects.filter(project=project)
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("pk")
    )


def _suite_scores(
    suites: list[AGTestSuite] | list[MutationTestSuite],
    score: SubmissionScore | None,
    *,
    mutation: bool = False,
) -> list[dict[str, Any]]:
    rows = []
    for suite in suites:
        by_suite = (score.mutation_suites if mutation else score.suites) if score else {}
        found = by_suite.get(suite.pk)
        rows.append(
            {
                "suite": suite.pk,
                "name": suite.name,
                "points_awarded": found.awarded if found else 0,
                "points_possible": found.possible if found else 0,
            }
        )
    return rows


def _extra_scores(
    project: Project, group_ids: list[int]
) -> list[tuple[GradebookColumn, Mapping[int, tuple[Decimal, Decimal]]]]:
    """The registered columns that apply to the project, with their scores."""
    found = [(column, column.scores(project, group_ids)) for column in gradebook_columns()]
    return [(column, scores) for column, scores in found if scores is not None]


def gradebook_rows(*, project: Project, groups: list[Group]) -> list[dict[str, Any]]:
    """One row per group in `groups` (members prefetched): its final graded submission, that
    submission's total and per-suite scores (the project's current suites, in order), and the
    scores of the columns other apps registered (`gradebook_columns`, e.g. handgrading)."""
    suites = gradebook_suites(project=project)
    mutation_suites = gradebook_mutation_suites(project=project)
    finals = final_graded_submissions(project=project, group_ids=[g.pk for g in groups])
    scores = submission_scores(submission_ids=[s.pk for s in finals.values()])
    extras = _extra_scores(project, [g.pk for g in groups])
    rows = []
    for group in groups:
        submission = finals.get(group.pk)
        score = scores[submission.pk] if submission else None
        rows.append(
            {
                "group": group.pk,
                "members": [{"id": m.pk, "username": m.username} for m in group.members.all()],
                "final_graded_submission": submission.pk if submission else None,
                "submission_timestamp": submission.timestamp if submission else None,
                "points_awarded": score.awarded if score else None,
                "points_possible": score.possible if score else None,
                "suites": _suite_scores(suites, score),
                "mutation_suites": _suite_scores(mutation_suites, score, mutation=True),
                "extra": [
                    {
                        "key": column.key,
                        "name": column.label,
                        "points_awarded": found[group.pk][0] if group.pk in found else None,
                        "points_possible": found[group.pk][1] if group.pk in found else None,
                    }
                    for column, found in extras
                ],
            }
        )
    return rows


GradebookEntry = tuple[Literal["group", "student"], int]
"""A gradebook row before it is filled in: a group, or an enrolled student in no group."""


def gradebook_entries(*, project: Project) -> list[GradebookEntry]:
    """Every row of the gradebook, in order: the project's groups, then the enrolled students
    who are in no group (by username), so the table lists everyone the CSV does. Ids only:
    the page shown is filled in by `gradebook_page_rows`."""
    group_ids = Group.objects.filter(project=project).order_by("pk").values_list("pk", flat=True)
    students = sorted(_students_without_group(project), key=lambda u: (u.username, u.pk))
    return [("group", pk) for pk in group_ids] + [("student", user.pk) for user in students]


def gradebook_page_rows(*, project: Project, entries: list[GradebookEntry]) -> list[dict[str, Any]]:
    """The rows of `entries` (one page), in their order: groups as `gradebook_rows` gives
    them, students without a group with `group` null and no scores."""
    group_ids = [pk for kind, pk in entries if kind == "group"]
    groups = {g.pk: g for g in gradebook_groups(project=project).filter(pk__in=group_ids)}
    rows = {
        ("group", row["group"]): row
        for row in gradebook_rows(project=project, groups=[groups[pk] for pk in group_ids])
    }
    student_ids = [pk for kind, pk in entries if kind == "student"]
    if student_ids:
        suites = gradebook_suites(project=project)
        mutation_suites = gradebook_mutation_suites(project=project)
        extras = _extra_scores(project, [])
        for user in User.objects.filter(pk__in=student_ids).only("id", "username"):
            rows[("student", user.pk)] = {
                "group": None,
                "members": [{"id": user.pk, "username": user.username}],
                "final_graded_submission": None,
                "submission_timestamp": None,
                "points_awarded": None,
                "points_possible": None,
                "suites": _suite_scores(suites, None),
                "mutation_suites": _suite_scores(mutation_suites, None, mutation=True),
                "extra": [
                    {"key": c.key, "name": c.label, "points_awarded": None, "points_possible": None}
                    for c, _ in extras
                ],
            }
    return [rows[entry] for entry in entries if entry in rows]


def roster_version(*, project: Project) -> str:
    """Changes whenever a student joins or leaves the course, so a cached gradebook page
    (which lists students without a group) is not reused across roster changes."""
    found = CourseMembership.objects.filter(
        course_id=project.course_id, role=Role.STUDENT
    ).aggregate(count=Count("pk"), last=Max("pk"))
    return f"{found['count']}-{found['last']}"


def _cell(text: str) -> str:
    """Text a spreadsheet would run as a formula is prefixed with a quote."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _students_without_group(project: Project) -> list[User]:
    grouped = GroupMembership.objects.filter(project=project).values("user_id")
    enrolled = CourseMembership.objects.filter(
        course_id=project.course_id, role=Role.STUDENT
    ).values("user_id")
    return list(User.objects.filter(pk__in=enrolled).exclude(pk__in=grouped).only("id", "username"))


def gradebook_csv_rows(*, project: Project) -> Iterator[list[str]]:
    """The header, then one row per student sorted by username: every member of every group
    (with the submission that is final graded for them) and every enrolled student without a
    group (blank scores). Every query runs before the first row is produced."""
    suites = gradebook_suites(project=project)
    mutation_suites = gradebook_mutation_suites(project=project)
    groups = list(gradebook_groups(project=project))
    members = {group.pk: [m.pk for m in group.members.all()] for group in groups}
    finals = final_graded_submissions_for_users(project=project, members=members)
    scores = submission_scores(submission_ids={s.pk for s in finals.values()})
    entries: list[tuple[User, Group | None, Submission | None]] = [
        (member, group, finals.get((group.pk, member.pk)))
        for group in groups
        for member in group.members.all()
    ]
    entries += [(student, None, None) for student in _students_without_group(project)]
    entries.sort(key=lambda entry: (entry[0].username, entry[0].pk))
    extras = _extra_scores(project, [g.pk for g in groups])
    return _csv_rows(suites, mutation_suites, entries, scores, extras)


def _extra_cells(
    extras: list[tuple[GradebookColumn, Mapping[int, tuple[Decimal, Decimal]]]],
    group: Group | None,
) -> list[str]:
    cells = []
    for _, found in extras:
        score = found.get(group.pk) if group else None
        cells += [points_text(score[0]), points_text(score[1])] if score else ["", ""]
    return cells


def _csv_rows(
    suites: list[AGTestSuite],
    mutation_suites: list[MutationTestSuite],
    entries: list[tuple[User, Group | None, Submission | None]],
    scores: dict[int, SubmissionScore],
    extras: list[tuple[GradebookColumn, Mapping[int, tuple[Decimal, Decimal]]]],
) -> Iterator[list[str]]:
    extra_headers = [
        name for column, _ in extras for name in (column.label, f"{column.label} possible")
    ]
    yield [
        "username",
        "group_members",
        "submission_timestamp",
        "total_points",
        "points_possible",
        *(_cell(suite.name) for suite in suites),
        *(_cell(mutation_column_label(suite)) for suite in mutation_suites),
        *(_cell(name) for name in extra_headers),
    ]
    for user, group, submission in entries:
        names = "; ".join(m.username for m in group.members.all()) if group else ""
        if submission is None:
            yield [
                _cell(user.username),
                _cell(names),
                "",
                "",
                "",
                *("" for _ in suites),
                *("" for _ in mutation_suites),
                *_extra_cells(extras, group),
            ]
            continue
        score = scores[submission.pk]
        yield [
            _cell(user.username),
            _cell(names),
            submission.timestamp.isoformat(),
            points_text(score.awarded),
            points_text(score.possible),
            *(
                points_text(score.suites[s.pk].awarded) if s.pk in score.suites else "0"
                for s in suites
            ),
            *(
                points_text(score.mutation_suites[s.pk].awarded)
                if s.pk in score.mutation_suites
                else "0"
                for s in mutation_suites
            ),
            *_extra_cells(extras, group),
        ]


def csv_lines(rows: Iterator[list[str]]) -> Iterator[str]:
    """Each row as one CSV-encoded line, for a streaming response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
