"""Fractional mutation points (points per exposed bug with two decimals, as autograder.io's)
add up exactly wherever points are summed or shown: the suite's own result, the submission's
total for the student and staff, submission lists, the gradebook, its CSV and the score
downloads."""

import csv
import io
from decimal import Decimal
from typing import Any

import pytest

from autograder.exports.scores import score_rows
from autograder.grading.mutation.models import MutationSuiteResult, MutationTestSuite
from autograder.grading.results.selectors import submission_scores
from autograder.submissions.models import Submission
from tests.conftest import World
from tests.grading import factories as f
from tests.grading.mutation.test_api import VALID, post

pytestmark = pytest.mark.django_db


def test_points_per_exposed_bug_take_two_decimals(world: World) -> None:
    response = post(world, VALID | {"points_per_exposed_bug": "1.25", "max_points": None})
    assert response.status_code == 201, response.data
    assert response.data["points_per_exposed_bug"] == Decimal("1.25")
    assert response.data["points_possible"] == Decimal("3.75")  # 3 bugs
    suite = MutationTestSuite.objects.get()
    assert suite.points_for(2) == Decimal("2.50")

    rendered = world.client("staff").get(f"/api/mutation_suites/{suite.pk}/")
    assert b'"points_per_exposed_bug":1.25' in rendered.content  # a JSON number
    assert b'"points_possible":3.75' in rendered.content


@pytest.mark.parametrize("value", ["1.255", "-1", "10000.01", "many"])
def test_bad_points_per_bug_are_a_400_naming_the_field(world: World, value: str) -> None:
    response = post(world, VALID | {"points_per_exposed_bug": value})
    assert response.status_code == 400, response.data
    assert "points_per_exposed_bug" in response.data["fields"]
    assert not MutationTestSuite.objects.exists()


def test_the_cap_applies_to_fractional_points() -> None:
    suite = MutationTestSuite(
        buggy_impl_names=["a", "b", "c"], points_per_exposed_bug=Decimal("1.5"), max_points=4
    )
    assert (suite.points_for(2), suite.points_for(3), suite.points_possible) == (
        Decimal("3.0"),
        Decimal("4"),
        Decimal("4"),
    )


def _graded(w: World) -> Submission:
    """2 of 3 command points, and 2.5 of 3.75 mutation points: 4.5 of 6.75."""
    command = f.make_command(f.make_case(f.make_suite(w.project, "Public")), "run",
                             points_for_correct_return_code=3)  # fmt: skip
    suite = MutationTestSuite.objects.create(
        project=w.project, **VALID | {"points_per_exposed_bug": Decimal("1.25"), "max_points": None}
    )
    submission = f.make_submission(w.group)
    f.grade(submission, {command: 2})
    MutationSuiteResult.objects.create(
        submission=submission,
        suite=suite,
        suite_name=suite.name,
        bugs_exposed=["bug_a", "bug_b"],
        points_awarded=suite.points_for(2),
        points_possible=suite.points_possible,
    )
    return submission


def _csv(response: Any) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_totals_keep_the_fraction_everywhere(world: World) -> None:
    submission = _graded(world)

    score = submission_scores(submission_ids=[submission.pk])[submission.pk]
    assert (score.awarded, score.possible) == (Decimal("4.5"), Decimal("6.75"))

    for role in ("group_member", "staff"):
        body = world.client(role).get(f"/api/submissions/{submission.pk}/results/")
        assert body.status_code == 200
        assert b'"points_awarded":4.5,"points_possible":6.75' in body.content, role
        (mutation,) = body.json()["mutation_suites"]
        assert (mutation["points_awarded"], mutation["points_possible"]) == (2.5, 3.75)

    listed = world.client("group_member").get(f"/api/groups/{world.group.pk}/scores/").json()
    assert [(s["points_awarded"], s["points_possible"]) for s in listed] == [(4.5, 6.75)]

    staff = world.client("staff")
    (row, *_) = staff.get(f"/api/projects/{world.project.pk}/gradebook/").json()["results"]
    assert (row["points_awarded"], row["points_possible"]) == (4.5, 6.75)

    (member_row, *_) = [
        r
        for r in _csv(staff.get(f"/api/projects/{world.project.pk}/gradebook.csv"))
        if r["submission_timestamp"]
    ]
    assert (member_row["total_points"], member_row["points_possible"]) == ("4.5", "6.75")

    group = submission.group
    header, line = list(score_rows(project=world.project, rows=[(group, submission)]))
    cells = dict(zip(header, line, strict=True))
    assert (cells["total_points"], cells["points_possible"], cells["Public"]) == (
        "4.5",
        "6.75",
        "2",
    )
