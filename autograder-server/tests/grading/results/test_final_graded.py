from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from autograder.accounts.models import User
from autograder.courses.models import Role
from autograder.grading.config.models import AGTestCommand
from autograder.grading.results.final_graded import (
    final_graded_submission,
    final_graded_submission_for_user,
    final_graded_submissions,
)
from autograder.grading.results.selectors import Score, submission_scores
from autograder.groups.models import GroupMembership
from autograder.projects.models import FinalGradedPolicy
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories as base
from tests.conftest import World
from tests.grading import factories as f

pytestmark = pytest.mark.django_db


def member(w: World) -> User:
    found = w.users["group_member"]
    assert isinstance(found, User)
    return found


def hours_ago(hours: float) -> datetime:
    return timezone.now() - timedelta(hours=hours)


def one_command(w: World, points: int = 10) -> AGTestCommand:
    case = f.make_case(f.make_suite(w.project, "Tests"), "t")
    return f.make_command(case, "run", points_for_correct_return_code=points)


def graded(
    w: World,
    command: AGTestCommand,
    points: int,
    hours: float,
    status: str = SubmissionStatus.FINISHED_GRADING,
) -> Submission:
    submission = f.make_submission(w.group, timestamp=hours_ago(hours), status=status)
    f.grade(submission, {command: points})
    return submission


def use_best(w: World) -> None:
    w.project.final_graded_policy = FinalGradedPolicy.BEST
    w.project.save()


class TestMostRecent:
    def test_newest_finished_submission(self, world: World) -> None:
        command = one_command(world)
        graded(world, command, 10, hours=3)
        newest = graded(world, command, 2, hours=2)
        f.make_submission(world.group, status=SubmissionStatus.BEING_GRADED)
        f.make_submission(world.group, status=SubmissionStatus.ERROR, timestamp=hours_ago(1))
        assert final_graded_submission(group=world.group) == newest

    def test_none_without_finished_submissions(self, world: World) -> None:
        f.make_submission(world.group, status=SubmissionStatus.REJECTED)
        assert final_graded_submission(group=world.group) is None
        assert final_graded_submission_for_user(group=world.group, user=member(world)) is None

    def test_same_timestamp_takes_the_later_one(self, world: World) -> None:
        when = hours_ago(1)
        f.make_submission(world.group, timestamp=when)
        second = f.make_submission(world.group, timestamp=when)
        assert final_graded_submission(group=world.group) == second


class TestBest:
    def test_highest_total(self, world: World) -> None:
        use_best(world)
        command = one_command(world)
        best = graded(world, command, 9, hours=3)
        graded(world, command, 4, hours=2)
        assert final_graded_submission(group=world.group) == best

    def test_ties_go_to_the_most_recent(self, world: World) -> None:
        use_best(world)
        command = one_command(world)
        graded(world, command, 7, hours=3)
        newer = graded(world, command, 7, hours=2)
        graded(world, command, 1, hours=1)
        assert final_graded_submission(group=world.group) == newer

    def test_unfinished_submissions_never_win(self, world: World) -> None:
        use_best(world)
        command = one_command(world)
        finished = graded(world, command, 1, hours=3)
        graded(world, command, 10, hours=2, status=SubmissionStatus.WAITING_FOR_DEFERRED)
        assert final_graded_submission(group=world.group) == finished

    def test_deleted_tests_no_longer_count(self, world: World) -> None:
        use_best(world)
        command = one_command(world)
        bonus = f.make_command(command.case, "bonus", points_for_correct_return_code=100)
        first = f.make_submission(world.group, timestamp=hours_ago(3))
        f.grade(first, {command: 10, bonus: 100})
        second = f.make_submission(world.group, timestamp=hours_ago(2))
        f.grade(second, {command: 10, bonus: 0})
        assert final_graded_submission(group=world.group) == first
        bonus.delete()
        assert final_graded_submission(group=world.group) == second


class TestPerStudent:
    def test_skips_submissions_that_do_not_count_for_the_student(self, world: World) -> None:
        partner = base.add_role(world.course, base.make_user(), Role.STUDENT)
        world.group.members.add(partner)
        GroupMembership.objects.create(group=world.group, project=world.project, user=partner)
        on_time = f.make_submission(world.group, timestamp=hours_ago(5))
        late = f.make_submission(world.group, timestamp=hours_ago(1))
        late.does_not_count_for.add(member(world))
        assert final_graded_submission_for_user(group=world.group, user=member(world)) == on_time
        assert final_graded_submission_for_user(group=world.group, user=partner) == late
        assert final_graded_submission(group=world.group) == late

    def test_best_per_student(self, world: World) -> None:
        use_best(world)
        command = one_command(world)
        ok = graded(world, command, 5, hours=5)
        great = graded(world, command, 10, hours=1)
        great.does_not_count_for.add(member(world))
        assert final_graded_submission_for_user(group=world.group, user=member(world)) == ok


class TestBulk:
    def test_many_groups_in_constant_queries(
        self, world: World, django_assert_max_num_queries: object
    ) -> None:
        use_best(world)
        command = one_command(world)
        groups = [world.group, world.other_group]
        for _ in range(20):
            student = base.add_role(world.course, base.make_user(), Role.STUDENT)
            groups.append(base.make_group(world.project, student))
        expected = {}
        for i, group in enumerate(groups):
            for points in (i % 10, (i + 3) % 10):
                submission = f.make_submission(group, timestamp=hours_ago(points + 1))
                f.grade(submission, {command: points})
                if points == max(i % 10, (i + 3) % 10):
                    expected[group.pk] = submission
        with django_assert_max_num_queries(2):  # type: ignore[operator]
            found = final_graded_submissions(
                project=world.project, group_ids=[g.pk for g in groups]
            )
        assert found == expected


class TestScores:
    def test_scores_floor_each_case_and_split_by_suite(self, world: World) -> None:
        suite_a = f.make_suite(world.project, "A")
        case = f.make_case(suite_a)
        c1 = f.make_command(case, points_for_correct_return_code=2)
        c2 = f.make_command(case, points_for_correct_return_code=1)
        c3 = f.make_command(f.make_case(suite_a), points_for_correct_return_code=4)
        suite_b = f.make_suite(world.project, "B")
        c4 = f.make_command(f.make_case(suite_b), points_for_correct_return_code=5)
        submission = f.make_submission(world.group)
        f.grade(submission, {c1: -3, c2: 1, c3: 4, c4: 2})
        empty = f.make_submission(world.group, timestamp=hours_ago(1))
        scores = submission_scores(submission_ids=[submission.pk, empty.pk])
        score = scores[submission.pk]
        assert score.suites == {
            suite_a.pk: Score(awarded=Decimal(4), possible=Decimal(7)),
            suite_b.pk: Score(awarded=Decimal(2), possible=Decimal(5)),
        }
        assert (score.awarded, score.possible) == (Decimal(6), Decimal(12))
        assert (scores[empty.pk].awarded, scores[empty.pk].possible) == (Decimal(0), Decimal(0))
