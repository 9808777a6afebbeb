"""`is_final_graded` on the submissions a group's history lists: staff and handgraders always
see which submission is final graded; students only once final graded feedback is shown to
them."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from autograder.accounts.models import User
from autograder.courses.models import Role
from autograder.grading.config.models import AGTestCommand
from autograder.groups.models import GroupMembership
from autograder.projects.models import FinalGradedPolicy
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories as base
from tests.conftest import World
from tests.grading import factories as f
from tests.submissions.conftest import upload
from tests.submissions.helpers import accept_any_file

pytestmark = pytest.mark.django_db


def marked(w: World, role: str) -> list[int]:
    """Ids the group's history marks final graded for `role`, with every id listed."""
    response = w.client(role).get(f"/api/groups/{w.group.pk}/submissions/")
    assert response.status_code == 200, response.data
    rows: list[dict[str, Any]] = response.data["results"]
    return [row["id"] for row in rows if row["is_final_graded"]]


def detail_marked(w: World, role: str, submission: Submission) -> bool:
    response = w.client(role).get(f"/api/submissions/{submission.pk}/")
    assert response.status_code == 200, response.data
    return bool(response.data["is_final_graded"])


def deadline(w: World, *, hours_from_now: float, hidden: bool = False) -> None:
    w.project.closing_time = timezone.now() + timedelta(hours=hours_from_now)
    w.project.hide_final_graded_feedback = hidden
    w.project.save()


def one_command(w: World) -> AGTestCommand:
    case = f.make_case(f.make_suite(w.project, "Tests"), "t")
    return f.make_command(case, "run", points_for_correct_return_code=10)


def graded(w: World, command: AGTestCommand, points: int, hours_ago: float) -> Submission:
    submission = f.make_submission(w.group, timestamp=timezone.now() - timedelta(hours=hours_ago))
    f.grade(submission, {command: points})
    return submission


@pytest.fixture
def history(world: World) -> dict[str, Submission]:
    """A high score, then a lower one (the newest finished), then one still being graded."""
    command = one_command(world)
    return {
        "best": graded(world, command, 9, hours_ago=3),
        "newest": graded(world, command, 4, hours_ago=2),
        "grading": f.make_submission(
            world.group,
            status=SubmissionStatus.BEING_GRADED,
            timestamp=timezone.now() - timedelta(hours=1),
        ),
    }


class TestPolicies:
    def test_most_recent_marks_the_newest_finished_submission(
        self, world: World, history: dict[str, Submission]
    ) -> None:
        deadline(world, hours_from_now=-1)
        for role in ("staff", "group_member"):
            assert marked(world, role) == [history["newest"].pk]
            assert detail_marked(world, role, history["newest"])
            assert not detail_marked(world, role, history["best"])
            assert not detail_marked(world, role, history["grading"])

    def test_best_marks_the_highest_score_even_when_older(
        self, world: World, history: dict[str, Submission]
    ) -> None:
        world.project.final_graded_policy = FinalGradedPolicy.BEST
        deadline(world, hours_from_now=-1)
        for role in ("staff", "group_member"):
            assert marked(world, role) == [history["best"].pk]
            assert detail_marked(world, role, history["best"])
            assert not detail_marked(world, role, history["newest"])

    def test_nothing_is_marked_without_a_finished_submission(self, world: World) -> None:
        f.make_submission(world.group, status=SubmissionStatus.ERROR)
        assert marked(world, "staff") == []

    def test_the_marked_submission_is_the_one_with_final_graded_feedback(
        self, world: World, history: dict[str, Submission]
    ) -> None:
        world.project.final_graded_policy = FinalGradedPolicy.BEST
        deadline(world, hours_from_now=-1)
        client = world.client("group_member")
        for submission in history.values():
            response = client.get(
                f"/api/submissions/{submission.pk}/results/", {"feedback_category": "final_graded"}
            )
            assert (response.status_code == 200) == (submission.pk in marked(world, "group_member"))


class TestVisibility:
    def test_staff_and_handgraders_see_it_before_the_deadline_students_do_not(
        self, world: World, history: dict[str, Submission]
    ) -> None:
        deadline(world, hours_from_now=24)
        for role in ("staff", "admin", "handgrader", "superuser"):
            assert marked(world, role) == [history["newest"].pk], role
        assert marked(world, "group_member") == []
        assert not detail_marked(world, "group_member", history["newest"])

    def test_the_groups_extension_keeps_it_hidden_from_students(
        self, world: World, history: dict[str, Submission]
    ) -> None:
        deadline(world, hours_from_now=-1)
        world.group.extended_due_date = timezone.now() + timedelta(hours=5)
        world.group.save()
        assert marked(world, "group_member") == []
        assert marked(world, "staff") == [history["newest"].pk]

        world.group.extended_due_date = timezone.now() - timedelta(minutes=1)
        world.group.save()
        assert marked(world, "group_member") == [history["newest"].pk]

    def test_late_days_used_move_the_students_deadline(
        self, world: World, history: dict[str, Submission]
    ) -> None:
        deadline(world, hours_from_now=-1)
        member = world.users["group_member"]
        assert isinstance(member, User)
        world.group.late_days_used = {str(member.pk): 1}
        world.group.save()
        assert marked(world, "group_member") == []

    def test_hidden_final_graded_feedback_hides_it_from_students_only(
        self, world: World, history: dict[str, Submission]
    ) -> None:
        deadline(world, hours_from_now=-1, hidden=True)
        assert marked(world, "group_member") == []
        assert marked(world, "staff") == [history["newest"].pk]

    def test_a_student_sees_their_own_when_a_submission_does_not_count_for_them(
        self, world: World
    ) -> None:
        deadline(world, hours_from_now=-1)
        partner = base.add_role(world.course, base.make_user(), Role.STUDENT)
        world.group.members.add(partner)
        GroupMembership.objects.create(group=world.group, project=world.project, user=partner)
        on_time = f.make_submission(world.group, timestamp=timezone.now() - timedelta(hours=5))
        late = f.make_submission(world.group, timestamp=timezone.now() - timedelta(hours=2))
        member = world.users["group_member"]
        assert isinstance(member, User)
        late.does_not_count_for.add(member)
        world.users["partner"] = partner

        assert marked(world, "group_member") == [on_time.pk]
        assert marked(world, "partner") == [late.pk]
        assert marked(world, "staff") == [late.pk]


def test_new_and_removed_submissions_are_never_final_graded(world: World) -> None:
    world.project.closing_time = None
    world.project.save()
    accept_any_file(world.project)
    f.make_submission(world.group, timestamp=timezone.now() - timedelta(hours=1))
    client = world.client("group_member")
    created = client.post(
        f"/api/groups/{world.group.pk}/submissions/",
        {"files": [upload("a.cpp")]},
        format="multipart",
    )
    assert created.status_code == 201, created.data
    assert created.data["is_final_graded"] is False
    removed = client.post(f"/api/submissions/{created.data['id']}/remove_from_queue/")
    assert removed.status_code == 200, removed.data
    assert removed.data["is_final_graded"] is False


def test_one_computation_per_page(world: World, django_assert_max_num_queries: Any) -> None:
    world.project.final_graded_policy = FinalGradedPolicy.BEST
    world.project.save()
    command = one_command(world)
    for hours in range(1, 4):
        graded(world, command, hours, hours_ago=hours)
    client = world.client("staff")
    url = f"/api/groups/{world.group.pk}/submissions/"
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for hours in range(4, 30):
        graded(world, command, hours % 10, hours_ago=hours)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
