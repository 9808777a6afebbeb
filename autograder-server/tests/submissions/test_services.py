import datetime
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from autograder.accounts.models import User
from autograder.common.errors import ApplicationError
from autograder.courses.models import Course, LateDayBalance, Role
from autograder.groups.models import Group
from autograder.projects.models import Project
from autograder.submissions import selectors, services
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories
from tests.submissions.conftest import stored_files, upload

pytestmark = pytest.mark.django_db

DETROIT = zoneinfo.ZoneInfo("America/Detroit")
NOW = datetime.datetime(2026, 3, 10, 15, 0, tzinfo=datetime.UTC)


def student(course: Course) -> User:
    return factories.add_role(course, factories.make_user(), Role.STUDENT)


def setup(
    members: int = 1,
    *,
    course: dict[str, Any] | None = None,
    catch_all: bool = True,
    **project: Any,
) -> tuple[Project, Group, list[User]]:
    """A project (accepting any file unless `catch_all` is off) and a group of new students."""
    c = factories.make_course(**(course or {}))
    project.setdefault("closing_time", NOW + datetime.timedelta(days=7))
    p = factories.make_project(c, max_group_size=max(members, 1), **project)
    if catch_all:
        factories.make_expected_file(p, "*", 0, 1000)
    users = [student(c) for _ in range(members)]
    return p, factories.make_group(p, *users), users


def submit(group: Group, submitter: User, *names: str, **kwargs: Any) -> Submission:
    files = [upload(name) for name in (names or ("main.cpp",))]
    kwargs.setdefault("now", NOW)
    return services.submission_create(group=group, submitter=submitter, files=files, **kwargs)


def refused(code: str, group: Group, submitter: User, **kwargs: Any) -> ApplicationError:
    with pytest.raises(ApplicationError) as info:
        submit(group, submitter, **kwargs)
    assert info.value.code == code, info.value.message
    return info.value


def finish(submission: Submission, status: str = SubmissionStatus.FINISHED_GRADING) -> None:
    Submission.objects.filter(pk=submission.pk).update(status=status)


def remaining(course: Course, user: User) -> int:
    from autograder.courses.selectors import late_days_remaining

    return late_days_remaining(course=course, user=user)


# --- Accepting, storing, matching --------------------------------------------------------------


def test_accepts_stores_files_and_queues(_media_root: Path) -> None:
    project, group, (alice,) = setup(catch_all=False)
    factories.make_expected_file(project, "main.cpp")
    factories.make_expected_file(project, "*.h", 0, 2)
    sub = services.submission_create(
        group=group,
        submitter=alice,
        files=[upload("main.cpp", b"A"), upload("x.h", b""), upload("notes.txt", b"B")],
        now=NOW,
    )
    assert sub.status == SubmissionStatus.QUEUED
    assert sub.timestamp == NOW
    assert sub.submitted_filenames == ["main.cpp", "x.h"]
    assert sub.discarded_files == ["notes.txt"]
    assert sub.missing_files == {}
    assert sub.total_size == 1
    assert stored_files(_media_root) == [f"{sub.files_dir}/main.cpp", f"{sub.files_dir}/x.h"]
    assert (_media_root / sub.files_dir / "main.cpp").read_bytes() == b"A"
    assert (_media_root / sub.files_dir / "x.h").read_bytes() == b""


def test_missing_required_pattern_refuses_and_stores_nothing(_media_root: Path) -> None:
    project, group, (alice,) = setup(catch_all=False)
    factories.make_expected_file(project, "main.cpp")
    factories.make_expected_file(project, "test_*.cpp", 2, 3)
    with pytest.raises(ApplicationError) as info:
        submit(group, alice, "main.cpp", "test_a.cpp")
    err = info.value
    assert err.code == "missing_files" and err.status == 400
    assert "test_*.cpp (1 more)" in err.message
    assert not Submission.objects.exists()
    assert stored_files(_media_root) == []


@pytest.mark.parametrize(
    ("names", "code", "status"),
    [
        ([], "no_files", 400),
        (["a.cpp", "a.cpp"], "duplicate_files", 400),
        (["dir\\main.cpp"], "invalid_filename", 400),
        (["bad\x00name"], "invalid_filename", 400),
        (["tab\tname"], "invalid_filename", 400),
        (["é" * 128], "invalid_filename", 400),
    ],
)
def test_bad_uploads_are_refused_naming_files(names: list[str], code: str, status: int) -> None:
    _, group, (alice,) = setup()
    with pytest.raises(ApplicationError) as info:
        services.submission_create(
            group=group, submitter=alice, files=[upload(n) for n in names], now=NOW
        )
    assert (info.value.code, info.value.status) == (code, status)
    assert "files" in info.value.fields
    assert not Submission.objects.exists()


def test_too_many_files(settings: Any) -> None:
    settings.MAX_FILES_PER_SUBMISSION = 3
    _, group, (alice,) = setup()
    with pytest.raises(ApplicationError) as info:
        submit(group, alice, "a", "b", "c", "d")
    err = info.value
    assert err.code == "too_many_files" and "at most 3" in err.message


def test_total_size_over_the_cap_is_413_with_the_limit(settings: Any) -> None:
    settings.MAX_UPLOAD_BYTES = 10
    _, group, (alice,) = setup()
    with pytest.raises(ApplicationError) as info:
        services.submission_create(
            group=group, submitter=alice, files=[upload("a", b"123456"), upload("b", b"12345")]
        )
    assert info.value.status == 413 and "10 bytes" in info.value.message


def test_honor_pledge_must_be_accepted_when_the_project_uses_one() -> None:
    _, group, (alice,) = setup(use_honor_pledge=True, honor_pledge_text="I did it myself.")
    err = refused("honor_pledge_required", group, alice)
    assert "honor_pledge_accepted" in err.fields
    assert submit(group, alice, honor_pledge_accepted=True).status == SubmissionStatus.QUEUED


def test_only_members_may_submit() -> None:
    project, group, _ = setup()
    outsider = student(project.course)
    assert refused("permission_denied", group, outsider).status == 403


def test_failure_after_storing_deletes_files_and_rows(
    _media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, group, (alice,) = setup()

    def broken(*, submission: Submission) -> Submission:
        raise RuntimeError("queue down")

    monkeypatch.setattr(services, "submission_mark_queued", broken)
    with pytest.raises(RuntimeError):
        submit(group, alice, "a.cpp", "b.cpp")
    assert not Submission.objects.exists()
    assert stored_files(_media_root) == []


# --- (1) one active submission -----------------------------------------------------------------


def test_active_submission_blocks_before_any_other_check() -> None:
    project, group, (alice,) = setup(submission_limit_per_day=1)
    submit(group, alice)
    Project.objects.filter(pk=project.pk).update(visible_to_students=False)
    err = refused("active_submission_exists", group, alice)
    assert err.status == 409


@pytest.mark.parametrize(
    "status", [SubmissionStatus.WAITING_FOR_DEFERRED, SubmissionStatus.FINISHED_GRADING]
)
def test_a_finished_submission_does_not_block(status: str) -> None:
    _, group, (alice,) = setup()
    finish(submit(group, alice), status)
    assert submit(group, alice).status == SubmissionStatus.QUEUED


def test_unique_constraint_allows_one_active_submission_per_group() -> None:
    project, group, (alice,) = setup()
    Submission.objects.create(group=group, project=project, submitter=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(
            group=group, project=project, submitter=alice, status=SubmissionStatus.QUEUED
        )
    Submission.objects.create(
        group=group, project=project, submitter=alice, status=SubmissionStatus.FINISHED_GRADING
    )


def test_unique_constraint_is_the_backstop_when_the_check_is_skipped(
    _media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, group, (alice,) = setup()
    first = submit(group, alice)
    monkeypatch.setattr(selectors, "group_has_active_submission", lambda **_: False)
    err = refused("active_submission_exists", group, alice)
    assert err.status == 409
    assert list(Submission.objects.values_list("pk", flat=True)) == [first.pk]
    assert stored_files(_media_root) == [f"{first.files_dir}/main.cpp"]


# --- (2) daily limit and bonus submissions -----------------------------------------------------


def test_daily_limit_marks_past_limit_when_allowed() -> None:
    _, group, (alice,) = setup(submission_limit_per_day=2, allow_submissions_past_limit=True)
    for _ in range(2):
        sub = submit(group, alice)
        assert not sub.is_past_daily_limit
        finish(sub)
    assert submit(group, alice).is_past_daily_limit


def test_daily_limit_refuses_when_past_limit_is_not_allowed() -> None:
    _, group, (alice,) = setup(
        submission_limit_per_day=1,
        allow_submissions_past_limit=False,
        submission_limit_reset_timezone="America/Detroit",
    )
    finish(submit(group, alice))
    err = refused("daily_limit_reached", group, alice)
    assert err.status == 400
    assert "2026-03-11T00:00:00-04:00" in err.message


@pytest.mark.parametrize(
    "status",
    [SubmissionStatus.REMOVED_FROM_QUEUE, SubmissionStatus.REJECTED, SubmissionStatus.ERROR],
)
def test_removed_rejected_and_errored_submissions_do_not_count(status: str) -> None:
    _, group, (alice,) = setup(submission_limit_per_day=1, allow_submissions_past_limit=False)
    finish(submit(group, alice), status)
    assert not submit(group, alice).is_past_daily_limit


def test_daily_window_starts_at_the_reset_time_in_the_projects_zone() -> None:
    reset = datetime.time(8, 0)
    _, group, (alice,) = setup(
        submission_limit_per_day=1,
        allow_submissions_past_limit=False,
        submission_limit_reset_time=reset,
        submission_limit_reset_timezone="America/Detroit",
    )
    day = datetime.date(2026, 3, 2)
    just_before = datetime.datetime.combine(day, datetime.time(7, 59, 59), tzinfo=DETROIT)
    at_reset = datetime.datetime.combine(day, reset, tzinfo=DETROIT)
    finish(submit(group, alice, now=just_before))
    finish(submit(group, alice, now=at_reset))  # a new day: allowed
    refused("daily_limit_reached", group, alice, now=at_reset + datetime.timedelta(hours=23))
    assert submit(group, alice, now=at_reset + datetime.timedelta(days=1)).status == "queued"


def test_daily_window_across_a_dst_change() -> None:
    project = factories.make_project(
        submission_limit_reset_time=datetime.time(0, 0),
        submission_limit_reset_timezone="America/Detroit",
    )
    now = datetime.datetime(2026, 3, 8, 12, 0, tzinfo=DETROIT)  # clocks spring forward at 2:00
    start, end = selectors.daily_window(project=project, now=now)
    assert start == datetime.datetime(2026, 3, 8, 5, 0, tzinfo=datetime.UTC)
    assert end.astimezone(datetime.UTC) - start == datetime.timedelta(hours=23)


def test_pooled_daily_limit_is_multiplied_by_group_size() -> None:
    _, group, (alice, bob) = setup(
        2, submission_limit_per_day=1, groups_combine_daily_submissions=True
    )
    finish(submit(group, alice))
    second = submit(group, bob)
    assert not second.is_past_daily_limit
    finish(second)
    assert submit(group, alice).is_past_daily_limit


def test_bonus_submission_is_spent_automatically_and_refunded_on_removal() -> None:
    _, group, (alice,) = setup(submission_limit_per_day=1, allow_submissions_past_limit=False)
    Group.objects.filter(pk=group.pk).update(bonus_submissions_remaining=1)
    first = submit(group, alice)
    assert not first.is_bonus_submission
    finish(first)
    bonus = submit(group, alice)
    assert bonus.is_bonus_submission and not bonus.is_past_daily_limit
    group.refresh_from_db()
    assert group.bonus_submissions_remaining == 0

    services.submission_remove_from_queue(submission=bonus)
    group.refresh_from_db()
    assert group.bonus_submissions_remaining == 1
    assert submit(group, alice).is_bonus_submission


def test_refused_submission_spends_no_bonus() -> None:
    project, group, (alice,) = setup(submission_limit_per_day=1, catch_all=False)
    factories.make_expected_file(project, "main.cpp")
    Group.objects.filter(pk=group.pk).update(bonus_submissions_remaining=1)
    finish(submit(group, alice))
    with pytest.raises(ApplicationError) as info:
        submit(group, alice, "other.cpp")
    assert info.value.code == "missing_files"
    group.refresh_from_db()
    assert group.bonus_submissions_remaining == 1


# --- (3) project open --------------------------------------------------------------------------


def test_disallowed_student_submissions_are_refused() -> None:
    _, group, (alice,) = setup(disallow_student_submissions=True)
    assert "not accepting" in refused("submissions_closed", group, alice).message


def test_hidden_project_refuses_students() -> None:
    _, group, (alice,) = setup(visible_to_students=False)
    refused("submissions_closed", group, alice)


# --- (4) deadline and late days ----------------------------------------------------------------


def test_past_the_deadline_without_late_days_is_refused() -> None:
    _, group, (alice,) = setup(closing_time=NOW - datetime.timedelta(minutes=1))
    assert "deadline has passed" in refused("deadline_passed", group, alice).message


def test_on_the_deadline_exactly_is_on_time() -> None:
    _, group, (alice,) = setup(closing_time=NOW)
    assert not submit(group, alice).is_late


def test_extension_replaces_the_deadline() -> None:
    _, group, (alice,) = setup(closing_time=NOW - datetime.timedelta(days=1))
    Group.objects.filter(pk=group.pk).update(extended_due_date=NOW + datetime.timedelta(hours=1))
    group.refresh_from_db()
    assert not submit(group, alice).is_late
    Group.objects.filter(pk=group.pk).update(extended_due_date=NOW - datetime.timedelta(hours=1))
    group.refresh_from_db()
    Submission.objects.update(status=SubmissionStatus.FINISHED_GRADING)
    refused("deadline_passed", group, alice)


def test_late_days_are_charged_as_whole_days() -> None:
    deadline = NOW - datetime.timedelta(hours=25)
    project, group, (alice,) = setup(
        closing_time=deadline, allow_late_days=True, course={"num_late_days": 3}
    )
    sub = submit(group, alice)
    assert sub.is_late and sub.late_days_charged == 2
    assert remaining(project.course, alice) == 1
    group.refresh_from_db()
    assert group.late_days_used == {str(alice.pk): 2}

    finish(sub)
    again = submit(group, alice, now=deadline + datetime.timedelta(hours=48))  # still day 2
    assert again.is_late and again.late_days_charged == 0
    assert remaining(project.course, alice) == 1

    finish(again)
    third = submit(group, alice, now=deadline + datetime.timedelta(hours=48, seconds=1))
    assert third.late_days_charged == 1
    assert remaining(project.course, alice) == 0


def test_late_days_count_from_the_extension() -> None:
    project, group, (alice,) = setup(
        closing_time=NOW - datetime.timedelta(days=5),
        allow_late_days=True,
        course={"num_late_days": 2},
    )
    Group.objects.filter(pk=group.pk).update(extended_due_date=NOW - datetime.timedelta(hours=1))
    group.refresh_from_db()
    assert submit(group, alice).late_days_charged == 1
    assert remaining(project.course, alice) == 1


def test_member_without_late_days_does_not_count_for_them() -> None:
    project, group, (alice, bob) = setup(
        2,
        closing_time=NOW - datetime.timedelta(hours=1),
        allow_late_days=True,
        course={"num_late_days": 2},
    )
    LateDayBalance.objects.create(course=project.course, user=bob, used=2)
    sub = submit(group, alice)
    assert list(sub.does_not_count_for.all()) == [bob]
    assert sub.late_days_charges == {str(alice.pk): 1}
    assert remaining(project.course, alice) == 1
    assert remaining(project.course, bob) == 0


def test_submitter_without_late_days_is_refused_and_nothing_is_charged() -> None:
    project, group, (alice, bob) = setup(
        2,
        closing_time=NOW - datetime.timedelta(hours=1),
        allow_late_days=True,
        course={"num_late_days": 2},
        submission_limit_per_day=1,
    )
    Group.objects.filter(pk=group.pk).update(bonus_submissions_remaining=1)
    Submission.objects.create(
        group=group, project=project, submitter=bob, timestamp=NOW, status="finished_grading"
    )
    LateDayBalance.objects.create(course=project.course, user=alice, used=2)
    err = refused("not_enough_late_days", group, alice)
    assert "you have 0 left" in err.message
    assert remaining(project.course, bob) == 2
    group.refresh_from_db()
    assert group.late_days_used == {} and group.bonus_submissions_remaining == 1


def test_removal_refunds_the_late_days_it_charged() -> None:
    project, group, (alice, bob) = setup(
        2,
        closing_time=NOW - datetime.timedelta(hours=30),
        allow_late_days=True,
        course={"num_late_days": 3},
    )
    sub = submit(group, bob)
    assert remaining(project.course, alice) == 1
    services.submission_remove_from_queue(submission=sub)
    assert remaining(project.course, alice) == 3 and remaining(project.course, bob) == 3
    group.refresh_from_db()
    assert group.late_days_used == {str(alice.pk): 0, str(bob.pk): 0}


# --- (5) total limit, staff bypass -------------------------------------------------------------


def test_total_submission_limit() -> None:
    _, group, (alice,) = setup(total_submission_limit=2)
    finish(submit(group, alice))
    finish(submit(group, alice), SubmissionStatus.ERROR)
    finish(submit(group, alice))
    assert "all 2 submissions" in refused("total_limit_reached", group, alice).message


def test_staff_bypass_limits_visibility_and_deadlines() -> None:
    project, group, (alice,) = setup(
        visible_to_students=False,
        disallow_student_submissions=True,
        closing_time=NOW - datetime.timedelta(days=3),
        submission_limit_per_day=1,
        allow_submissions_past_limit=False,
        total_submission_limit=1,
    )
    factories.add_role(project.course, alice, Role.STAFF)
    for _ in range(3):
        sub = submit(group, alice)
        assert not (sub.is_late or sub.is_past_daily_limit or sub.is_bonus_submission)
        finish(sub)


# --- Removing from the queue -------------------------------------------------------------------


def test_remove_from_queue_only_while_received_or_queued() -> None:
    _, group, (alice,) = setup()
    sub = submit(group, alice)
    removed = services.submission_remove_from_queue(submission=sub)
    assert removed.status == SubmissionStatus.REMOVED_FROM_QUEUE
    with pytest.raises(ApplicationError) as info:
        services.submission_remove_from_queue(submission=sub)
    assert (info.value.status, info.value.code) == (409, "not_removable")

    graded = submit(group, alice)
    finish(graded, SubmissionStatus.BEING_GRADED)
    with pytest.raises(ApplicationError):
        services.submission_remove_from_queue(submission=graded)


def test_timestamp_defaults_to_now() -> None:
    _, group, (alice,) = setup(closing_time=None)
    before = timezone.now()
    sub = services.submission_create(group=group, submitter=alice, files=[upload("a")])
    assert before <= sub.timestamp <= timezone.now()
