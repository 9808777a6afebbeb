"""Each mutation suite has its own column in the gradebook (page and CSV) and in the score
downloads, after the suites' columns; its points count in the total too."""

from decimal import Decimal

import pytest

from autograder.exports.scores import score_rows
from autograder.grading.mutation.models import MutationSuiteResult, MutationTestSuite
from tests.conftest import World
from tests.grading.mutation.test_api import VALID
from tests.grading.mutation.test_fractional_points import _csv, _graded

pytestmark = pytest.mark.django_db

COLUMN = "Your tests (mutation testing)"


def test_the_gradebook_has_a_column_per_mutation_suite(world: World) -> None:
    submission = _graded(world)
    second = MutationTestSuite.objects.create(
        project=world.project, **VALID | {"name": "=More tests", "max_points": None}
    )
    staff = world.client("staff")

    rows = staff.get(f"/api/projects/{world.project.pk}/gradebook/").json()["results"]
    by_group = {row["group"]: row for row in rows}
    graded, other = by_group[world.group.pk], by_group[world.other_group.pk]
    first_id = MutationSuiteResult.objects.get(submission=submission).suite_id
    assert graded["mutation_suites"] == [
        {"suite": first_id, "name": "Your tests", "points_awarded": 2.5, "points_possible": 3.75},
        {"suite": second.pk, "name": "=More tests", "points_awarded": 0, "points_possible": 0},
    ]
    assert [s["name"] for s in graded["suites"]] == ["Public"]
    assert [s["points_awarded"] for s in other["mutation_suites"]] == [0, 0]

    table = _csv(staff.get(f"/api/projects/{world.project.pk}/gradebook.csv"))
    assert list(table[0])[5:8] == ["Public", COLUMN, "'=More tests (mutation testing)"]
    (member,) = [r for r in table if r["submission_timestamp"]]
    assert (member["Public"], member[COLUMN], member["total_points"]) == ("2", "2.5", "4.5")
    (without,) = [r for r in table if r["username"] == "other.member@example.edu"]
    assert without[COLUMN] == ""


def test_the_score_downloads_have_the_column_too(world: World) -> None:
    submission = _graded(world)
    header, line = list(score_rows(project=world.project, rows=[(submission.group, submission)]))
    cells = dict(zip(header, line, strict=True))
    assert header.index(COLUMN) == header.index("Public") + 1
    assert (cells[COLUMN], cells["total_points"]) == ("2.5", "4.5")
    assert MutationSuiteResult.objects.get().points_awarded == Decimal("2.50")
