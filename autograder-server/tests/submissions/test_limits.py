"""What the project page shows before an upload (`selectors.submission_limits`, `my_limits/`)
is what the upload then does: each test reads the plan, uploads for real, and compares."""

import datetime
import zoneinfo
from typing import Any

import pytest
from rest_framework.test import APIClient

from autograder.accounts.models import User
from autograder.common.errors import ApplicationError
from autograder.courses.models import Course, LateDayBalance, Role
from autograder.groups.models import Group
from autograder.projects.models import Project
from autograder.submissions import selectors, services
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories
from tests.submissions.conftest import upload

pytestmark = pytest.mark.django_db

DETROIT = zoneinfo.ZoneInfo("America/Detroit")
NOW = datetime.datetime(2026, 3, 10, 15, 0, tzinfo=datetime.UTC)  # 11:00 in Detroit


def student(course: Course) -> User:
    return factories.add_role(course, factories.make_user(), Role.STUDENT)


def setup(
    members: int = 1, *, course: dict[str, Any] | None = None, **project: Any
) -> tuple[Project, Group, list[User]]:
    c = factories.make_course(**(course or {}))
    project.setdefault("closing_time", NOW + datetime.timedelta(days=7))
    p = factories.make_project(c, max_group_size=max(members, 1), **project)
    factories.make_expected_file(p, "*", 0, 1000)
    users = [student(c) for _ in range(members)]
    return p, factories.make_group(p, *users), users


def plan_for(user: User, project: Project, now: datetime.datetime) -> selectors.SubmissionPlan:
    project.refresh_from_db()
    return selectors.submission_limits(user=user, project=project, now=now)


def submit(group: Group, user: User, now: datetime.datetime) -> Submission:
    group.refresh_from_db()
    return services.submission_create(
        group=group, submitter=user, files=[upload("main.cpp")], now=now
    )


def finish(submission: Submission) -> None:
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.FINISHED_GRADING)


def upload_agrees(plan: selectors.SubmissionPlan, group: Group, user: User) -> Submission | None:
    """Uploads at the plan's time and asserts the upload did what the plan said."""
    if plan.refusal is not None:
        with pytest.raises(ApplicationError) as info:
            submit(group, user, plan.now)
        got = info.value
        assert (got.code, got.message, got.status) == (
            plan.refusal.code,
            plan.refusal.message,
            plan.refusal.status,
        )
        return None
    sub = submit(group, user, plan.now)
    assert sub.is_bonus_submission == plan.is_bonus_submission
    assert sub.is_past_daily_limit == plan.is_past_daily_limit
    assert sub.is_late == plan.is_late
    assert sub.late_days_charges == {str(k): v for k, v in plan.late_day_charges.items()}
    assert list(sub.does_not_count_for.all()) == plan.does_not_count_for
    return sub


# --- Daily limit -------------------------------------------------------------------------------


def test_remaining_today_drops_per_upload_and_is_back_at_the_reset() -> None:
    project, group, (alice,) = setup(
        submission_limit_per_day=2,
        allow_submissions_past_limit=False,
        submission_limit_reset_time=datetime.time(8, 0),
        submission_limit_reset_timezone="America/Detroit",
    )
    before = plan_for(alice, project, NOW)
    assert (before.daily.limit, before.daily.used, before.daily.remaining) == (2, 0, 2)
    reset = datetime.datetime(2026, 3, 11, 8, 0, tzinfo=DETROIT)
    assert before.daily.resets_at == reset
    assert before.daily.resets_at.isoformat() == "2026-03-11T08:00:00-04:00"

    finish(upload_agrees(before, group, alice) or pytest.fail("refused"))
    after_one = plan_for(alice, project, NOW + datetime.timedelta(minutes=1))
    assert after_one.daily.remaining == 1
    finish(upload_agrees(after_one, group, alice) or pytest.fail("refused"))

    full = plan_for(alice, project, NOW + datetime.timedelta(minutes=2))
    assert full.daily.remaining == 0
    assert full.refusal is not None and full.refusal.code == "daily_limit_reached"
    assert "2026-03-11T08:00:00-04:00" in full.refusal.message
    upload_agrees(full, group, alice)

    just_before = plan_for(alice, project, reset - datetime.timedelta(seconds=1))
    assert just_before.daily.remaining == 0
    at_reset = plan_for(alice, project, reset)
    assert (at_reset.daily.used, at_reset.daily.remaining) == (0, 2)
    assert at_reset.daily.resets_at == reset + datetime.timedelta(days=1)
    assert at_reset.refusal is None
    upload_agrees(at_reset, group, alice)


def test_pooled_daily_limit_counts_every_member() -> None:
    project, group, (alice, bob) = setup(
        2, submission_limit_per_day=1, groups_combine_daily_submissions=True
    )
    plan = plan_for(bob, project, NOW)
    assert (plan.daily.limit, plan.daily.remaining) == (2, 2)
    finish(upload_agrees(plan, group, bob) or pytest.fail("refused"))
    assert plan_for(alice, project, NOW).daily.remaining == 1


def test_at_the_limit_a_bonus_submission_is_used_then_past_limit() -> None:
    project, group, (alice,) = setup(submission_limit_per_day=1)
    Group.objects.filter(pk=group.pk).update(bonus_submissions_remaining=1)
    finish(upload_agrees(plan_for(alice, project, NOW), group, alice) or pytest.fail("refused"))

    bonus = plan_for(alice, project, NOW)
    assert bonus.bonus_submissions_remaining == 1
    assert bonus.is_bonus_submission and not bonus.is_past_daily_limit
    finish(upload_agrees(bonus, group, alice) or pytest.fail("refused"))

    past = plan_for(alice, project, NOW)
    assert past.bonus_submissions_remaining == 0
    assert past.is_past_daily_limit and not past.is_bonus_submission
    upload_agrees(past, group, alice)


# --- Deadline and late days --------------------------------------------------------------------


def test_late_days_the_upload_charges_are_the_ones_shown() -> None:
    deadline = NOW - datetime.timedelta(hours=25)
    project, group, (alice,) = setup(
        closing_time=deadline, allow_late_days=True, course={"num_late_days": 3}
    )
    plan = plan_for(alice, project, NOW)
    assert plan.late.deadline == deadline and plan.late.days_late == 2
    assert plan.is_late and plan.late_day_charges == {alice.pk: 2}
    assert plan.submitter_late_days is not None and plan.submitter_late_days.remaining == 3
    finish(upload_agrees(plan, group, alice) or pytest.fail("refused"))

    same_day = plan_for(alice, project, deadline + datetime.timedelta(hours=48))
    assert same_day.submitter_late_days is not None
    assert (same_day.submitter_late_days.remaining, same_day.submitter_late_days.used) == (1, 2)
    assert same_day.is_late and same_day.late_day_charges == {}
    finish(upload_agrees(same_day, group, alice) or pytest.fail("refused"))

    next_day = plan_for(alice, project, deadline + datetime.timedelta(hours=48, seconds=1))
    assert next_day.late_day_charges == {alice.pk: 1}
    upload_agrees(next_day, group, alice)


def test_a_partner_without_late_days_is_shown_as_not_counted() -> None:
    project, group, (alice, bob) = setup(
        2,
        closing_time=NOW - datetime.timedelta(hours=1),
        allow_late_days=True,
        course={"num_late_days": 2},
    )
    LateDayBalance.objects.create(course=project.course, user=bob, used=2)
    plan = plan_for(alice, project, NOW)
    assert [(m.user, m.remaining, m.used, m.needed, m.enough) for m in plan.late.members] == [
        (alice, 2, 0, 1, True),
        (bob, 0, 2, 1, False),
    ]
    assert plan.does_not_count_for == [bob]
    upload_agrees(plan, group, alice)


@pytest.mark.parametrize(
    ("late_days_allowed", "code"),
    [(False, "deadline_passed"), (True, "not_enough_late_days")],
)
def test_a_refused_late_upload_is_refused_in_the_same_words(
    late_days_allowed: bool, code: str
) -> None:
    project, group, (alice,) = setup(
        closing_time=NOW - datetime.timedelta(hours=30),
        allow_late_days=late_days_allowed,
        course={"num_late_days": 1},
    )
    plan = plan_for(alice, project, NOW)
    assert plan.refusal is not None and plan.refusal.code == code
    upload_agrees(plan, group, alice)


def test_the_groups_extension_is_the_deadline() -> None:
    project, group, (alice,) = setup(closing_time=NOW - datetime.timedelta(days=1))
    extension = NOW + datetime.timedelta(hours=2)
    Group.objects.filter(pk=group.pk).update(extended_due_date=extension)
    plan = plan_for(alice, project, NOW)
    assert plan.late.deadline == extension and not plan.late.is_past_deadline
    assert plan.refusal is None
    upload_agrees(plan, group, alice)


# --- Total limit, open, active, staff, no group ------------------------------------------------


def test_total_limit_remaining_and_reached() -> None:
    project, group, (alice,) = setup(total_submission_limit=1)
    plan = plan_for(alice, project, NOW)
    assert (plan.total.limit, plan.total.used, plan.total.remaining) == (1, 0, 1)
    finish(upload_agrees(plan, group, alice) or pytest.fail("refused"))
    reached = plan_for(alice, project, NOW)
    assert reached.total.remaining == 0
    assert reached.refusal is not None and reached.refusal.code == "total_limit_reached"
    upload_agrees(reached, group, alice)


def test_an_active_submission_and_a_closed_project_are_refusals() -> None:
    project, group, (alice,) = setup()
    upload_agrees(plan_for(alice, project, NOW), group, alice)
    active = plan_for(alice, project, NOW)
    assert active.refusal is not None
    assert (active.refusal.code, active.refusal.status) == ("active_submission_exists", 409)
    upload_agrees(active, group, alice)

    Submission.objects.update(status=SubmissionStatus.FINISHED_GRADING)
    Project.objects.filter(pk=project.pk).update(disallow_student_submissions=True)
    closed = plan_for(alice, project, NOW)
    assert closed.refusal is not None and closed.refusal.code == "submissions_closed"
    upload_agrees(closed, group, alice)


def test_limits_do_not_apply_to_staff() -> None:
    project, _, _ = setup(closing_time=NOW - datetime.timedelta(days=3), submission_limit_per_day=0)
    ta = factories.add_role(project.course, factories.make_user(), Role.STAFF)
    group = factories.make_group(project, ta)
    plan = plan_for(ta, project, NOW)
    assert not plan.limits_apply and plan.refusal is None
    assert plan.late.is_past_deadline and not plan.is_late and plan.late_day_charges == {}
    upload_agrees(plan, group, ta)


def test_without_a_group_nothing_is_counted_and_an_upload_needs_a_group() -> None:
    project, _, _ = setup(submission_limit_per_day=3, total_submission_limit=10)
    loner = student(project.course)
    plan = plan_for(loner, project, NOW)
    assert plan.group is None
    assert (plan.daily.remaining, plan.total.remaining) == (3, 10)
    assert plan.refusal is not None and plan.refusal.code == "no_group"
    assert [m.user for m in plan.late.members] == [loner]


# --- The endpoint ------------------------------------------------------------------------------


def test_my_limits_counts_down_as_the_api_accepts_uploads() -> None:
    project, group, (alice,) = setup(
        submission_limit_per_day=2,
        submission_limit_reset_timezone="Asia/Kolkata",
        closing_time=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1),
    )
    client = APIClient()
    client.force_authenticate(alice)
    url = f"/api/projects/{project.pk}/my_limits/"

    first = client.get(url)
    assert first.status_code == 200, first.data
    body = first.data
    assert body["group"] == group.pk
    assert (body["submissions_per_day"], body["submissions_remaining_today"]) == (2, 2)
    assert body["daily_limit_resets_at"].endswith("+05:30")
    assert body["reset_timezone"] == "Asia/Kolkata"
    assert body["refusal"] is None and body["limits_apply"] is True
    assert body["members"] == [
        {
            "username": alice.username,
            "late_days_remaining": project.course.num_late_days,
            "late_days_used": 0,
            "late_days_needed": 0,
            "would_count": True,
        }
    ]

    posted = client.post(
        f"/api/groups/{group.pk}/submissions/", {"files": [upload("main.cpp")]}, format="multipart"
    )
    assert posted.status_code == 201, posted.data
    second = client.get(url).data
    assert second["submissions_used_today"] == 1
    assert second["submissions_remaining_today"] == 1
    assert second["refusal"]["code"] == "active_submission_exists"

    mine = client.get(f"/api/projects/{project.pk}/my_submissions/")
    assert [s["id"] for s in mine.data["results"]] == [posted.data["id"]]


def test_my_submissions_is_empty_without_a_group() -> None:
    project, _, _ = setup()
    client = APIClient()
    client.force_authenticate(student(project.course))
    response = client.get(f"/api/projects/{project.pk}/my_submissions/")
    assert response.status_code == 200
    assert (response.data["count"], response.data["results"]) == (0, [])
