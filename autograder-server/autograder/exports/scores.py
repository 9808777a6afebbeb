"""Score rows of the CSV downloads.

Every row is one submission. `score_rows` builds them from the base columns (group,
submission) followed by the columns of each source in `SCORE_COLUMN_SOURCES`: the automated
tests' points, then every column other apps registered for the gradebook
(`grading.results.gradebook_columns`, e.g. handgrading), which score a group's final graded
submission and so fill only the rows of final graded submissions. Another kind of points joins
the CSVs by registering a gradebook column, or by adding a source here.
"""

import dataclasses
from collections.abc import Callable, Iterator, Sequence

from autograder.common.points import points_text
from autograder.grading.results.final_graded import final_graded_submissions
from autograder.grading.results.gradebook import (
    gradebook_mutation_suites,
    gradebook_suites,
    mutation_column_label,
)
from autograder.grading.results.gradebook_columns import gradebook_columns
from autograder.grading.results.selectors import submission_scores
from autograder.groups.models import Group
from autograder.projects.models import Project
from autograder.submissions.models import Submission

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclasses.dataclass(frozen=True)
class ScoreColumns:
    headers: list[str]
    values: dict[int, list[str]]
    """Submission id → one cell per header. Submissions left out get empty cells."""


ScoreColumnSource = Callable[[Project, Sequence[Submission]], ScoreColumns]


def cell(text: str) -> str:
    """Text a spreadsheet would run as a formula is prefixed with a quote."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def autograder_columns(project: Project, submissions: Sequence[Submission]) -> ScoreColumns:
    """Total and possible points of the automated tests, then each current suite's points,
    then each mutation suite's. One query for the scores however many submissions."""
    suites = gradebook_suites(project=project)
    mutation_suites = gradebook_mutation_suites(project=project)
    scores = submission_scores(submission_ids=[s.pk for s in submissions])
    values = {}
    for submission in submissions:
        score = scores[submission.pk]
        per_suite = [
            points_text(score.suites[s.pk].awarded) if s.pk in score.suites else "0" for s in suites
        ]
        per_mutation_suite = [
            points_text(score.mutation_suites[s.pk].awarded)
            if s.pk in score.mutation_suites
            else "0"
            for s in mutation_suites
        ]
        values[submission.pk] = [
            points_text(score.awarded),
            points_text(score.possible),
            *per_suite,
            *per_mutation_suite,
        ]
    headers = [
        "total_points",
        "points_possible",
        *(cell(s.name) for s in suites),
        *(cell(mutation_column_label(s)) for s in mutation_suites),
    ]
    return ScoreColumns(headers=headers, values=values)


def registered_columns(project: Project, submissions: Sequence[Submission]) -> ScoreColumns:
    """Points and points possible of each registered gradebook column that applies to the
    project, on the rows of each group's final graded submission."""
    group_ids = {s.group_id for s in submissions}
    finals = {s.pk for s in final_graded_submissions(project=project, group_ids=group_ids).values()}
    headers: list[str] = []
    values: dict[int, list[str]] = {s.pk: [] for s in submissions}
    for column in gradebook_columns():
        scores = column.scores(project, group_ids)
        if scores is None:
            continue
        headers += [cell(column.label), cell(f"{column.label} possible")]
        for submission in submissions:
            found = scores.get(submission.group_id) if submission.pk in finals else None
            values[submission.pk] += (
                [points_text(found[0]), points_text(found[1])] if found else ["", ""]
            )
    return ScoreColumns(headers=headers, values=values)


SCORE_COLUMN_SOURCES: list[ScoreColumnSource] = [autograder_columns, registered_columns]
"""Where the score columns come from, in column order."""

_BASE_HEADERS = ["group_id", "usernames", "submission_id", "timestamp", "status", "late"]


def score_rows(
    *,
    project: Project,
    rows: Sequence[tuple[Group, Submission | None]],
    on_row: Callable[[int], None] | None = None,
) -> Iterator[list[str]]:
    """The header, then one row per (group, submission) pair in `rows`; a pair without a
    submission (a group with no final graded one) has blank submission and score cells.
    Every query runs before the first row is produced; `on_row(n)` is told how many rows are
    done."""
    submissions = [submission for _, submission in rows if submission is not None]
    sources = [source(project, submissions) for source in SCORE_COLUMN_SOURCES]
    yield [*_BASE_HEADERS, *(header for source in sources for header in source.headers)]
    for done, (group, submission) in enumerate(rows, start=1):
        usernames = cell("; ".join(m.username for m in group.members.all()))
        if submission is None:
            blanks = ["" for source in sources for _ in source.headers]
            yield [str(group.pk), usernames, "", "", "", "", *blanks]
        else:
            yield [
                str(group.pk),
                usernames,
                str(submission.pk),
                submission.timestamp.isoformat(),
                submission.status,
                "yes" if submission.is_late else "no",
                *(
                    value
                    for source in sources
                    for value in source.values.get(submission.pk, ["" for _ in source.headers])
                ),
            ]
        if on_row is not None:
            on_row(done)
