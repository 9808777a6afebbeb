"""Assignment and Grade Services against the real platform, after a real grading in a
sandbox: each student's final graded score reaches the project's line item."""

from collections.abc import Iterator
from typing import Any

import pytest

from autograder.courses.models import Course, Role
from autograder.grading.config.models import AGTestCommand
from autograder.grading.reruns import services as reruns
from autograder.integrations.lti import services, tasks
from autograder.integrations.lti.claims import SCOPE_LINEITEM, SCOPE_SCORE
from autograder.integrations.lti.models import (
    LtiContext,
    LtiGradeStatus,
    LtiLineItem,
    LtiPlatform,
    LtiUserLink,
)
from autograder.projects.models import Project
from autograder.sandbox.docker_pool import DockerPoolManager
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories
from tests.grading import pipeline_helpers as h
from tests.integrations.lti.platform import Platform

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def provider() -> Iterator[DockerPoolManager]:
    manager = DockerPoolManager(pool_size=1)
    yield manager
    manager.close()


@pytest.fixture
def course(registration: LtiPlatform, platform: Platform) -> Course:
    course = factories.make_course(name="EECS 101")
    LtiContext.objects.create(
        platform=registration,
        context_id=platform.context_id,
        course=course,
        lineitems_url=f"{platform.url}/contexts/{platform.context_id}/lineitems",
        ags_scopes=[SCOPE_LINEITEM, SCOPE_SCORE],
    )
    return course


def project_of(course: Course) -> Project:
    """A project worth 5 points where a submission earns 2 (its second command fails)."""
    project = h.project_with_catch_all(course=course, name="P1 Hello")
    suite = h.suite(project)
    h.command(
        suite, "python3 main.py", expected_return_code="zero", points_for_correct_return_code=2
    )
    h.command(suite, "exit 1", expected_return_code="zero", points_for_correct_return_code=3)
    return project


def graded_project(provider: DockerPoolManager, course: Course) -> tuple[Project, Submission]:
    """`project_of`, with a submission graded in a real sandbox."""
    project = project_of(course)
    submission = h.grade(provider, h.submit(project))
    assert submission.status == SubmissionStatus.FINISHED_GRADING
    return project, submission


def link(registration: LtiPlatform, submission: Submission, subject: str) -> None:
    LtiUserLink.objects.create(platform=registration, subject=subject, user=submission.submitter)


def test_final_graded_score_arrives_at_a_new_line_item(
    provider: DockerPoolManager, course: Course, registration: LtiPlatform, platform: Platform
) -> None:
    project, submission = graded_project(provider, course)
    link(registration, submission, "lms-alice")

    tasks.send_grades.apply(args=(project.pk, None, False))

    (item,) = platform.line_items.values()
    assert item["label"] == "P1 Hello"
    assert item["resourceId"] == f"autograder-project-{project.pk}"
    assert item["scoreMaximum"] == 5
    score = platform.scores_by_label()["P1 Hello"]["lms-alice"]
    assert (score["scoreGiven"], score["scoreMaximum"]) == (2, 5)
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")
    status = LtiGradeStatus.objects.get(project=project, user=submission.submitter)
    assert (status.score_sent, status.score_maximum, status.error) == (2.0, 5.0, "")
    assert status.sent_at is not None


def test_unchanged_scores_are_not_sent_twice_unless_asked(
    provider: DockerPoolManager, course: Course, registration: LtiPlatform, platform: Platform
) -> None:
    project, submission = graded_project(provider, course)
    link(registration, submission, "lms-alice")
    assert services.grades_send(project=project).sent == 1
    again = services.grades_send(project=project)
    assert (again.sent, again.unchanged) == (0, 1)
    assert services.grades_send(project=project, force=True).sent == 1
    (posted,) = platform.scores.values()
    assert len(posted) == 2
    assert len(platform.line_items) == 1 and LtiLineItem.objects.count() == 1


def test_an_existing_line_item_of_the_project_is_reused(
    provider: DockerPoolManager, course: Course, registration: LtiPlatform, platform: Platform
) -> None:
    project, submission = graded_project(provider, course)
    existing = platform.create_line_item(
        {
            "label": "Made in the LMS",
            "scoreMaximum": 5,
            "resourceId": f"autograder-project-{project.pk}",
        }
    )
    link(registration, submission, "lms-alice")
    services.grades_send(project=project)
    assert list(platform.line_items) == [existing["id"]]
    assert platform.scores_by_label()["Made in the LMS"]["lms-alice"]["scoreGiven"] == 2


def test_failures_are_recorded_per_student_and_lms_errors_are_retried(
    provider: DockerPoolManager, course: Course, registration: LtiPlatform, platform: Platform
) -> None:
    project, submission = graded_project(provider, course)
    unknown = h.submit(project)  # a student the LMS never told us about
    h.grade(provider, unknown)
    link(registration, submission, "lms-alice")
    platform.fail_scores_with = 503

    result = services.grades_send(project=project)

    assert (result.sent, result.failed, result.retryable) == (0, 2, True)
    failing = LtiGradeStatus.objects.get(project=project, user=submission.submitter)
    assert "503" in failing.error
    assert failing.sent_at is None
    nobody = LtiGradeStatus.objects.get(project=project, user=unknown.submitter)
    assert "No LMS account is known" in nobody.error

    platform.fail_scores_with = 0
    retried = services.grades_send(project=project)
    assert (retried.sent, retried.failed, retried.retryable) == (1, 1, False)
    failing.refresh_from_db()
    assert (failing.score_sent, failing.error) == (2.0, "")


def test_students_without_a_finished_submission_are_not_sent(
    course: Course, registration: LtiPlatform, platform: Platform
) -> None:
    project = factories.make_project(course)
    student = factories.add_role(course, factories.make_user(), Role.STUDENT)
    factories.make_group(project, student)
    assert services.grades_send(project=project).sent == 0
    assert platform.scores == {}


def test_a_column_deleted_in_the_lms_is_made_again(
    provider: DockerPoolManager, course: Course, registration: LtiPlatform, platform: Platform
) -> None:
    project, submission = graded_project(provider, course)
    link(registration, submission, "lms-alice")
    assert services.grades_send(project=project).sent == 1
    platform.line_items.clear()  # an instructor deleted the column in the LMS

    gone = services.grades_send(project=project, force=True)

    assert (gone.failed, gone.retryable) == (1, True)
    assert not LtiLineItem.objects.exists()
    assert services.grades_send(project=project).sent == 1
    (item,) = platform.line_items.values()
    assert platform.scores[item["id"]][-1]["scoreGiven"] == 2


def test_after_grading_the_group_members_scores_are_sent(
    provider: DockerPoolManager,
    course: Course,
    registration: LtiPlatform,
    platform: Platform,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _project, submission = graded_project(provider, course)
    link(registration, submission, "lms-alice")
    # The task queues the send on the small queue; here it runs in this process.
    monkeypatch.setattr(
        tasks,
        "enqueue_send_grades",
        lambda **kw: tasks.send_grades.apply(args=(kw["project_id"], kw["user_ids"], kw["force"])),
    )
    tasks.send_grades_after_grading.apply(args=(submission.pk,))
    assert platform.scores_by_label()["P1 Hello"]["lms-alice"]["scoreGiven"] == 2


def test_after_grading_in_an_unlinked_course_nothing_is_sent(
    provider: DockerPoolManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = h.project_with_catch_all()
    h.command(h.suite(project), "true", expected_return_code="zero")
    submission = h.grade(provider, h.submit(project))
    queued: list[object] = []
    monkeypatch.setattr(tasks, "enqueue_send_grades", lambda **kw: queued.append(kw))
    tasks.send_grades_after_grading.apply(args=(submission.pk,))
    assert queued == []


def test_grading_in_an_unlinked_course_queues_no_passback_task(
    provider: DockerPoolManager,
    course: Course,
    registration: LtiPlatform,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(tasks, "enqueue_after_grading", queued.append)
    unlinked = h.project_with_catch_all()
    h.command(h.suite(unlinked), "true", expected_return_code="zero")
    with django_capture_on_commit_callbacks(execute=True):
        h.grade(provider, h.submit(unlinked))
    assert queued == []
    linked = h.submit(project_of(course))
    link(registration, linked, "lms-alice")
    with django_capture_on_commit_callbacks(execute=True):
        h.grade(provider, linked)
    assert queued == [linked.pk]


def test_grading_and_a_rerun_send_scores_through_the_job_done_signal(
    provider: DockerPoolManager,
    course: Course,
    registration: LtiPlatform,
    platform: Platform,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # What the receiver and the task queue on the small queue runs here, in this process.
    monkeypatch.setattr(
        tasks,
        "enqueue_after_grading",
        lambda submission_id: tasks.send_grades_after_grading.apply(args=(submission_id,)),
    )
    monkeypatch.setattr(
        tasks,
        "enqueue_send_grades",
        lambda **kw: tasks.send_grades.apply(args=(kw["project_id"], kw["user_ids"], kw["force"])),
    )
    project = project_of(course)
    submission = h.submit(project)
    link(registration, submission, "lms-alice")

    with django_capture_on_commit_callbacks(execute=True):
        h.grade(provider, submission)
    assert platform.scores_by_label()["P1 Hello"]["lms-alice"]["scoreGiven"] == 2

    failing = AGTestCommand.objects.get(case__suite__project=project, cmd="exit 1")
    failing.cmd = "exit 0"
    failing.save()
    with django_capture_on_commit_callbacks(execute=True):
        reruns.rerun_create(project=project, creator=None, selection="all")
    with django_capture_on_commit_callbacks(execute=True):
        h.grade(provider, submission)
    assert platform.scores_by_label()["P1 Hello"]["lms-alice"]["scoreGiven"] == 5
    status = LtiGradeStatus.objects.get(project=project, user=submission.submitter)
    assert (status.score_sent, status.score_maximum) == (5.0, 5.0)
