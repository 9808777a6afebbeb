import itertools
import json
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from autograder.accounts.models import User
from autograder.common.errors import ApplicationError, NotFoundError, PermissionDeniedError
from autograder.courses.models import Role
from autograder.grading.config.feedback_settings import FeedbackCategory as C
from autograder.grading.config.models import AGTestCommand, AGTestSuite
from autograder.grading.results.feedback import (
    REQUESTABLE_CATEGORIES,
    feedback_category_for,
    submission_feedback,
)
from autograder.grading.results.serializers import SubmissionFeedbackSerializer
from autograder.groups.models import GroupMembership
from autograder.projects.models import Project
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories as base
from tests.conftest import World
from tests.grading import factories as f


def feedback_body(*, submission: Submission, category: C) -> dict[str, Any]:
    """The results endpoint's body for `category`, as JSON gives it to the browser."""
    tree = submission_feedback(submission=submission, category=category)
    body: dict[str, Any] = json.loads(
        JSONRenderer().render(SubmissionFeedbackSerializer(tree).data)
    )
    return body


pytestmark = pytest.mark.django_db

ALL = set(REQUESTABLE_CATEGORIES)


def user(w: World, role: str) -> User:
    found = w.users[role]
    assert isinstance(found, User)
    return found


def allowed(viewer: User | AnonymousUser, submission: Submission) -> set[C]:
    found = set()
    for category in REQUESTABLE_CATEGORIES:
        try:
            feedback_category_for(user=viewer, submission=submission, requested=category)
        except PermissionDeniedError:
            continue
        found.add(category)
    return found


def join(w: World, role: Role) -> User:
    """A new user with `role` in the course, added to the world's group."""
    new = base.add_role(w.course, base.make_user(), role)
    w.group.members.add(new)
    GroupMembership.objects.create(group=w.group, project=w.project, user=new)
    return new


def set_deadline(project: Project, *, passed: bool, hidden: bool = False) -> None:
    project.closing_time = timezone.now() + (timedelta(hours=-1) if passed else timedelta(days=1))
    project.hide_final_graded_feedback = hidden
    project.save()


# --- Category decisions ----------------------------------------------------------------------


def member_expected(*, passed: bool, past_limit: bool, final: bool, hidden: bool) -> list[C]:
    """(default first) what a group member may request."""
    own = C.PAST_LIMIT if past_limit else C.NORMAL
    return [C.FINAL_GRADED, own] if passed and final and not hidden else [own]


@pytest.mark.parametrize(
    ("passed", "past_limit", "final", "hidden"),
    list(itertools.product([False, True], repeat=4)),
    ids=lambda v: str(v),
)
def test_category_table(world: World, passed: bool, past_limit: bool, final: bool, hidden: bool):
    set_deadline(world.project, passed=passed, hidden=hidden)
    earlier = timezone.now() - timedelta(hours=3)
    submission = f.make_submission(world.group, timestamp=earlier, is_past_daily_limit=past_limit)
    if not final:
        f.make_submission(world.group, timestamp=earlier + timedelta(minutes=5))
    staff_in_group = join(world, Role.STAFF)

    member = member_expected(passed=passed, past_limit=past_limit, final=final, hidden=hidden)
    staff_other = [C.STAFF_VIEWER] + ([C.FINAL_GRADED] if passed and final else [])
    expected: dict[str, list[C] | None] = {
        "group_member": member,
        "staff": staff_other,
        "handgrader": [C.STAFF_VIEWER],
        "admin": [C.STAFF_VIEWER, *sorted(ALL - {C.STAFF_VIEWER})],
        "superuser": [C.STAFF_VIEWER, *sorted(ALL - {C.STAFF_VIEWER})],
        "student": None,
        "other_course_student": None,
        "anonymous": None,
    }
    for role, wanted in expected.items():
        viewer = world.users[role]
        if wanted is None:
            with pytest.raises(PermissionDeniedError):
                feedback_category_for(user=viewer, submission=submission)
            continue
        assert feedback_category_for(user=viewer, submission=submission) == wanted[0], role
        assert allowed(viewer, submission) == set(wanted), role
    assert feedback_category_for(user=staff_in_group, submission=submission) == C.STAFF_VIEWER
    assert allowed(staff_in_group, submission) == ALL


class TestDeadlines:
    def test_extension_delays_final_graded(self, world: World) -> None:
        set_deadline(world.project, passed=True)
        world.group.extended_due_date = timezone.now() + timedelta(hours=2)
        world.group.save()
        submission = f.make_submission(world.group)
        assert allowed(user(world, "group_member"), submission) == {C.NORMAL}
        assert allowed(user(world, "staff"), submission) == {C.STAFF_VIEWER}

    def test_passed_extension_releases_final_graded(self, world: World) -> None:
        set_deadline(world.project, passed=False)
        world.group.extended_due_date = timezone.now() - timedelta(minutes=1)
        world.group.save()
        submission = f.make_submission(world.group)
        viewer = user(world, "group_member")
        assert feedback_category_for(user=viewer, submission=submission) == C.FINAL_GRADED

    def test_late_days_used_delay_final_graded_for_that_student(self, world: World) -> None:
        set_deadline(world.project, passed=True)
        member = user(world, "group_member")
        partner = join(world, Role.STUDENT)
        world.group.late_days_used = {str(member.pk): 1}
        world.group.save()
        submission = f.make_submission(world.group)
        assert feedback_category_for(user=member, submission=submission) == C.NORMAL
        assert feedback_category_for(user=partner, submission=submission) == C.FINAL_GRADED
        assert allowed(user(world, "staff"), submission) == {C.STAFF_VIEWER}

    def test_no_closing_time_counts_as_passed(self, world: World) -> None:
        world.project.closing_time = None
        world.project.save()
        submission = f.make_submission(world.group)
        viewer = user(world, "group_member")
        assert feedback_category_for(user=viewer, submission=submission) == C.FINAL_GRADED

    def test_unfinished_submission_is_never_final_graded(self, world: World) -> None:
        set_deadline(world.project, passed=True)
        f.make_submission(world.group, timestamp=timezone.now() - timedelta(hours=2))
        errored = f.make_submission(world.group, status=SubmissionStatus.ERROR)
        assert allowed(user(world, "group_member"), errored) == {C.NORMAL}

    def test_final_graded_is_per_student(self, world: World) -> None:
        """A late submission that doesn't count for one member is not their final graded one."""
        set_deadline(world.project, passed=True)
        member = user(world, "group_member")
        partner = join(world, Role.STUDENT)
        on_time = f.make_submission(world.group, timestamp=timezone.now() - timedelta(hours=2))
        late = f.make_submission(world.group)
        late.does_not_count_for.add(member)
        assert feedback_category_for(user=member, submission=on_time) == C.FINAL_GRADED
        assert feedback_category_for(user=member, submission=late) == C.NORMAL
        assert feedback_category_for(user=partner, submission=late) == C.FINAL_GRADED
        assert C.FINAL_GRADED in allowed(user(world, "staff"), late)


class TestAccess:
    def test_handgrader_sees_own_group_as_a_student(self, world: World) -> None:
        member = user(world, "group_member")
        base.add_role(world.course, member, Role.HANDGRADER)
        own = f.make_submission(world.group)
        other = f.make_submission(world.other_group)
        assert allowed(member, own) == {C.NORMAL}
        assert allowed(member, other) == {C.STAFF_VIEWER}

    def test_hidden_project_is_not_found_for_students(self, world: World) -> None:
        member = user(world, "group_member")
        group = base.make_group(world.hidden_project, member)
        submission = f.make_submission(group)
        with pytest.raises(NotFoundError):
            feedback_category_for(user=member, submission=submission)
        assert feedback_category_for(user=user(world, "staff"), submission=submission) == (
            C.STAFF_VIEWER
        )

    @pytest.mark.parametrize("requested", ["max", "first_failed_test", "NORMAL"])
    def test_unknown_category_is_bad_input(self, world: World, requested: str) -> None:
        submission = f.make_submission(world.group)
        with pytest.raises(ApplicationError) as caught:
            feedback_category_for(
                user=user(world, "admin"), submission=submission, requested=requested
            )
        assert caught.value.status == 400
        assert "feedback_category" in caught.value.fields

    def test_denied_request_names_the_category(self, world: World) -> None:
        submission = f.make_submission(world.group)
        with pytest.raises(PermissionDeniedError, match="staff_viewer"):
            feedback_category_for(
                user=user(world, "group_member"), submission=submission, requested="staff_viewer"
            )


# --- Filtering -------------------------------------------------------------------------------


def command_named(body: dict[str, Any], name: str) -> dict[str, Any]:
    for suite in body["suites"]:
        for case in suite["cases"] or []:
            for command in case["commands"] or []:
                if command["name"] == name:
                    return dict(command)
    raise AssertionError(f"{name} not shown")


def simple_project(w: World) -> tuple[AGTestSuite, list[AGTestCommand]]:
    """One suite, one case, commands `a` (2 points) and `b` (3 points)."""
    suite = f.make_suite(w.project, "Public tests")
    case = f.make_case(suite, "basics")
    a = f.make_command(case, "a", points_for_correct_return_code=2)
    b = f.make_command(case, "b", points_for_correct_return_code=3)
    return suite, [a, b]


class TestFiltering:
    def test_hidden_command_is_not_leaked(self, world: World) -> None:
        _, (_, b) = simple_project(world)
        b.name = "secret-edge-case"
        b.feedback = {"normal": {"visible": False}}
        b.save()
        submission = f.make_submission(world.group)
        f.grade(submission, {b: 0})
        body = feedback_body(submission=submission, category=C.NORMAL)
        assert "secret-edge-case" not in json.dumps(body)
        assert body["points_awarded"] == 2
        assert body["points_possible"] == 2
        [case] = body["suites"][0]["cases"]
        assert [c["name"] for c in case["commands"]] == ["a"]
        staff = feedback_body(submission=submission, category=C.STAFF_VIEWER)
        assert (staff["points_awarded"], staff["points_possible"]) == (2, 5)

    def test_hidden_case_and_suite(self, world: World) -> None:
        suite, _ = simple_project(world)
        hidden_case = f.make_case(suite, "hidden case", feedback={"normal": {"visible": False}})
        f.make_command(hidden_case, "c")
        hidden_suite = f.make_suite(
            world.project, "Private", feedback={"normal": {"visible": False}}
        )
        f.make_command(f.make_case(hidden_suite), "d", points_for_correct_return_code=10)
        submission = f.make_submission(world.group)
        f.grade(submission)
        body = feedback_body(submission=submission, category=C.NORMAL)
        assert [s["name"] for s in body["suites"]] == ["Public tests"]
        assert [c["name"] for c in body["suites"][0]["cases"]] == ["basics"]
        assert (body["points_awarded"], body["points_possible"]) == (5, 5)
        staff = feedback_body(submission=submission, category=C.STAFF_VIEWER)
        assert (staff["points_awarded"], staff["points_possible"]) == (16, 16)

    def test_points_hidden(self, world: World) -> None:
        _, (a, b) = simple_project(world)
        b.feedback = {"normal": {"show_points": False}}
        b.save()
        submission = f.make_submission(world.group)
        f.grade(submission, {a: 0})
        body = feedback_body(submission=submission, category=C.NORMAL)
        shown_b = command_named(body, "b")
        assert shown_b["points_awarded"] is None and shown_b["points_possible"] is None
        assert shown_b["return_code_correct"] is True
        assert command_named(body, "a")["points_awarded"] == 0
        assert (body["points_awarded"], body["points_possible"]) == (0, 2)

    def test_output_and_return_code_levels(self, world: World) -> None:
        _, (a, b) = simple_project(world)
        a.feedback = {"normal": {"return_code_feedback": "none", "show_whether_timed_out": False}}
        a.save()
        b.feedback = {
            "normal": {
                "return_code_feedback": "expected_and_actual",
                "show_actual_return_code": True,
                "show_actual_stdout": True,
            }
        }
        b.save()
        submission = f.make_submission(world.group)
        f.grade(submission, {b: 0}, stdout=b"hello\n", timed_out=True)
        body = feedback_body(submission=submission, category=C.NORMAL)
        shown_a, shown_b = command_named(body, "a"), command_named(body, "b")
        assert shown_a["return_code_correct"] is None
        assert shown_a["actual_return_code"] is None
        assert shown_a["timed_out"] is None and shown_a["out_of_memory"] is None
        assert shown_a["stdout_available"] is False and shown_a["stdout_size"] is None
        assert shown_b["return_code_correct"] is False
        assert shown_b["expected_return_code"] == "zero"
        assert shown_b["actual_return_code"] == 1
        assert shown_b["timed_out"] is True
        assert shown_b["stdout_available"] is True and shown_b["stdout_size"] == 6
        assert shown_b["stderr_available"] is False
        assert shown_b["error_message"] is None

    def test_case_total_is_floored_at_zero(self, world: World) -> None:
        suite = f.make_suite(world.project)
        case = f.make_case(suite, "penalties")
        f.make_command(case, "a", points_for_correct_return_code=1)
        b = f.make_command(
            case, "b", points_for_correct_return_code=1, deduction_for_wrong_return_code=5
        )
        f.make_command(f.make_case(suite, "other"), "c", points_for_correct_return_code=4)
        submission = f.make_submission(world.group)
        f.grade(submission, {b: -5})
        body = feedback_body(submission=submission, category=C.NORMAL)
        cases = body["suites"][0]["cases"]
        assert (cases[0]["points_awarded"], cases[0]["points_possible"]) == (0, 2)
        assert command_named(body, "b")["points_awarded"] == -5
        assert (body["points_awarded"], body["points_possible"]) == (4, 6)

    def test_individual_commands_and_tests_hidden(self, world: World) -> None:
        suite, (a, _) = simple_project(world)
        a.case.feedback = {"normal": {"show_individual_commands": False}}
        a.case.save()
        submission = f.make_submission(world.group)
        f.grade(submission, {a: 0})
        body = feedback_body(submission=submission, category=C.NORMAL)
        [case] = body["suites"][0]["cases"]
        assert case["commands"] is None
        assert (case["points_awarded"], case["points_possible"]) == (3, 5)
        suite.feedback = {"normal": {"show_individual_tests": False}}
        suite.save()
        body = feedback_body(submission=submission, category=C.NORMAL)
        assert body["suites"][0]["cases"] is None
        assert body["suites"][0]["points_awarded"] == 3

    def test_suite_error_and_setup(self, world: World) -> None:
        suite = f.make_suite(world.project, "Build")
        submission = f.make_submission(world.group)
        f.make_suite_result(
            submission,
            suite,
            error_message="The sandbox image could not be started.",
            setup_return_code=2,
            setup_stdout=b"make: ***",
        )
        body = feedback_body(submission=submission, category=C.NORMAL)
        [shown] = body["suites"]
        assert shown["error_message"] == "The sandbox image could not be started."
        assert shown["setup_return_code"] == 2
        assert shown["setup_stdout_available"] is False and shown["setup_stdout_size"] is None
        past = feedback_body(submission=submission, category=C.PAST_LIMIT)
        assert past["suites"][0]["setup_return_code"] is None
        staff = feedback_body(submission=submission, category=C.STAFF_VIEWER)
        assert staff["suites"][0]["setup_stdout_size"] == 9

    def test_past_limit_shows_little_by_default(self, world: World) -> None:
        _, (a, _) = simple_project(world)
        submission = f.make_submission(world.group, is_past_daily_limit=True)
        f.grade(submission, {a: 0})
        body = feedback_body(submission=submission, category=C.PAST_LIMIT)
        shown = command_named(body, "a")
        assert shown["return_code_correct"] is None
        assert shown["points_awarded"] is None
        assert (body["points_awarded"], body["points_possible"]) == (0, 0)

    def test_staff_viewer_sees_command_errors(self, world: World) -> None:
        simple_project(world)
        submission = f.make_submission(world.group)
        f.grade(submission, error_message="exec failed")
        staff = feedback_body(submission=submission, category=C.STAFF_VIEWER)
        assert command_named(staff, "a")["error_message"] == "exec failed"


class TestDeletedConfig:
    def test_deleted_command_only_for_staff_and_not_counted(self, world: World) -> None:
        _, (_, b) = simple_project(world)
        submission = f.make_submission(world.group)
        f.grade(submission)
        b.delete()
        body = feedback_body(submission=submission, category=C.NORMAL)
        assert [c["name"] for c in body["suites"][0]["cases"][0]["commands"]] == ["a"]
        assert body["points_awarded"] == 2
        staff = feedback_body(submission=submission, category=C.STAFF_VIEWER)
        deleted = command_named(staff, "b")
        assert deleted["config_deleted"] is True and deleted["command"] is None
        assert deleted["points_awarded"] == 3
        assert (staff["points_awarded"], staff["points_possible"]) == (2, 2)

    def test_deleted_suite_only_for_staff(self, world: World) -> None:
        suite, _ = simple_project(world)
        submission = f.make_submission(world.group)
        f.grade(submission)
        suite.delete()
        for category in (C.NORMAL, C.PAST_LIMIT, C.FINAL_GRADED):
            assert feedback_body(submission=submission, category=category)["suites"] == []
        staff = feedback_body(submission=submission, category=C.STAFF_VIEWER)
        [shown] = staff["suites"]
        assert shown["config_deleted"] is True and shown["name"] == "Public tests"
        assert (shown["points_awarded"], shown["points_possible"]) == (5, 5)
        assert (staff["points_awarded"], staff["points_possible"]) == (0, 0)


class TestFirstFailedOverride:
    OVERRIDE = {"first_failed_test": {"show_actual_stdout": True, "show_points": False}}

    def commands(self, w: World, n: int) -> list[AGTestCommand]:
        case = f.make_case(f.make_suite(w.project))
        return [
            f.make_command(case, f"cmd{i}", order=i, feedback=dict(self.OVERRIDE)) for i in range(n)
        ]

    def test_only_the_first_failing_command(self, world: World) -> None:
        _, c1, c2 = self.commands(world, 3)
        submission = f.make_submission(world.group)
        f.grade(submission, {c1: 0, c2: 0})
        body = feedback_body(submission=submission, category=C.NORMAL)
        assert command_named(body, "cmd0")["stdout_available"] is False
        assert command_named(body, "cmd1")["stdout_available"] is True
        assert command_named(body, "cmd1")["points_awarded"] is None
        assert command_named(body, "cmd2")["stdout_available"] is False

    def test_only_in_normal(self, world: World) -> None:
        _, c1 = self.commands(world, 2)
        submission = f.make_submission(world.group)
        f.grade(submission, {c1: 0})
        for category in (C.PAST_LIMIT, C.FINAL_GRADED):
            body = feedback_body(submission=submission, category=category)
            assert command_named(body, "cmd1")["stdout_available"] is False
        final = feedback_body(submission=submission, category=C.FINAL_GRADED)
        assert command_named(final, "cmd1")["points_awarded"] == 0

    def test_hidden_failures_without_override_do_not_decide(self, world: World) -> None:
        c0, c1 = self.commands(world, 2)
        c0.feedback = {"normal": {"visible": False}}
        c0.save()
        submission = f.make_submission(world.group)
        f.grade(submission, {c0: 0, c1: 0})
        body = feedback_body(submission=submission, category=C.NORMAL)
        assert command_named(body, "cmd1")["stdout_available"] is True

    def test_without_override_configured_nothing_changes(self, world: World) -> None:
        c0, c1 = self.commands(world, 2)
        c0.feedback = {}
        c0.save()
        submission = f.make_submission(world.group)
        f.grade(submission, {c0: 0, c1: 0})
        body = feedback_body(submission=submission, category=C.NORMAL)
        assert command_named(body, "cmd0")["stdout_available"] is False
        assert command_named(body, "cmd1")["stdout_available"] is False
