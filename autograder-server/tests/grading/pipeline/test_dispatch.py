"""Claiming, fairness, leases and the reaper, against real PostgreSQL (no sandboxes)."""

import datetime
import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from autograder.grading.pipeline import dispatch, jobs, reaper
from autograder.grading.pipeline.models import GradingJob, JobKind, JobState
from autograder.projects.models import Project
from autograder.submissions.models import Submission, SubmissionStatus
from tests.grading import pipeline_helpers as h

pytestmark = pytest.mark.django_db


def queued(project: Project, n: int) -> list[Submission]:
    return [h.submit(project) for _ in range(n)]


def claim(owner: str = "w1", queue: str = "fast") -> GradingJob | None:
    return jobs.job_claim_next(queue=queue, owner=owner)


def test_submissions_go_to_the_queue_of_their_worst_case(settings: Any) -> None:
    settings.GRADING_FAST_QUEUE_SECONDS = 60
    quick = h.project_with_catch_all()
    h.command(h.suite(quick), "true", time_limit_s=30)
    slow = h.project_with_catch_all()
    slow_suite = h.suite(slow, setup_command="make", setup_time_limit_s=50)
    h.command(slow_suite, "true", time_limit_s=30)

    assert GradingJob.objects.get(submission=h.submit(quick)).queue == "fast"
    assert GradingJob.objects.get(submission=h.submit(slow)).queue == "grader"


def test_claims_oldest_first_within_a_project_and_never_twice() -> None:
    project = h.project_with_catch_all()
    first, second = queued(project, 2)

    a, b = claim("w1"), claim("w2")

    assert a is not None and b is not None
    assert [a.submission_id, b.submission_id] == [first.pk, second.pk]
    assert (a.state, a.attempts, a.lease_owner) == (JobState.RUNNING, 1, "w1")
    assert a.lease_expires_at is not None and a.lease_expires_at > timezone.now()
    assert claim("w3") is None


@pytest.mark.django_db(transaction=True)
def test_a_job_locked_by_another_claimer_is_skipped_not_waited_for() -> None:
    """While another worker's claim holds the oldest job's row, a claim takes the next job at
    once (SKIP LOCKED): it neither waits for that worker nor takes the same job."""
    project = h.project_with_catch_all()
    first, second = queued(project, 2)
    held, done = threading.Event(), threading.Event()

    def other_claimer_mid_claim() -> None:
        try:
            with transaction.atomic():
                GradingJob.objects.select_for_update().get(submission=first)
                held.set()
                done.wait(30)
        finally:
            connection.close()

    other = threading.Thread(target=other_claimer_mid_claim)
    other.start()
    try:
        assert held.wait(10)
        job = claim("w1")
    finally:
        done.set()
        other.join()

    assert job is not None and job.submission_id == second.pk
    after = claim("w2")
    assert after is not None and after.submission_id == first.pk


@pytest.mark.django_db(transaction=True)
def test_workers_claiming_at_once_take_each_job_exactly_once() -> None:
    project = h.project_with_catch_all()
    expected = {s.pk for s in queued(project, 24)}
    claimed: dict[str, list[int]] = {}
    start = threading.Barrier(4)

    def worker(name: str) -> None:
        try:
            start.wait(10)
            mine = claimed.setdefault(name, [])
            while (job := claim(name)) is not None:
                mine.append(job.submission_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    everything = [pk for pks in claimed.values() for pk in pks]
    assert sorted(everything) == sorted(expected), "every job once, none twice"
    owners = dict(GradingJob.objects.values_list("submission_id", "lease_owner"))
    assert all(owners[pk] == name for name, pks in claimed.items() for pk in pks)


def test_a_busy_project_does_not_starve_another() -> None:
    busy, other = h.project_with_catch_all(), h.project_with_catch_all()
    queued(busy, 30)
    late = queued(other, 3)

    order = []
    for worker in ("w1", "w2", "w3", "w4"):
        job = claim(worker)
        assert job is not None
        order.append(job.project_id)

    assert order == [busy.pk, other.pk, busy.pk, other.pk]
    position = dispatch.queue_estimate(submission=late[2])
    assert position is not None and position.position <= 4


def test_the_fair_claim_picks_what_counting_running_jobs_per_pending_job_picks() -> None:
    """The claim that skips through the waiting projects chooses, step by step, the job the
    plain definition chooses (fewest running jobs of the project, then the oldest job)."""
    projects = [h.project_with_catch_all() for _ in range(4)]
    base = timezone.now() - datetime.timedelta(hours=1)
    step = 0
    for round_ in range(5):
        for index, project in enumerate(projects):
            for _ in range(index + 1 if round_ % 2 == 0 else 1):
                submission = h.submit(project)
                step += 1
                GradingJob.objects.filter(submission=submission).update(
                    enqueued_at=base + datetime.timedelta(seconds=(step * 7919) % 400)
                )
    picked: list[int] = []
    while True:
        with transaction.atomic():
            expected = dispatch.next_pending_job_id_counting(queue="fast")
            actual = dispatch.next_pending_job_id(queue="fast")
        assert actual == expected
        if actual is None:
            break
        picked.append(actual)
        # Every third claimed job finishes at once; the others keep running.
        state = JobState.DONE if len(picked) % 3 == 0 else JobState.RUNNING
        GradingJob.objects.filter(pk=actual).update(state=state)

    assert len(picked) == GradingJob.objects.count() == len(set(picked))


def test_queue_estimate_counts_jobs_ahead() -> None:
    project = h.project_with_catch_all()
    subs = queued(project, 3)

    estimates = [dispatch.queue_estimate(submission=s) for s in subs]

    assert [e.position for e in estimates if e] == [1, 2, 3]
    assert all(e and e.estimated_wait_s > 0 for e in estimates)
    claim()
    assert dispatch.queue_estimate(submission=subs[0]) is None


def test_renewing_a_lease_and_losing_it() -> None:
    project = h.project_with_catch_all()
    queued(project, 1)
    job = claim("w1")
    assert job is not None

    assert jobs.job_renew_lease(job_id=job.pk, owner="w1")
    assert not jobs.job_renew_lease(job_id=job.pk, owner="someone else")
    GradingJob.objects.filter(pk=job.pk).update(state=JobState.PENDING, lease_owner="")
    assert not jobs.job_renew_lease(job_id=job.pk, owner="w1")
    assert not jobs.job_finish(job=job, state=JobState.DONE)


def test_reaper_requeues_expired_leases_then_gives_up(settings: Any) -> None:
    settings.GRADING_MAX_ATTEMPTS = 2
    project = h.project_with_catch_all()
    (submission,) = queued(project, 1)
    later = timezone.now() + datetime.timedelta(seconds=settings.GRADING_LEASE_SECONDS + 1)

    job = claim("w1")
    assert job is not None
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.BEING_GRADED)
    report = reaper.jobs_reap(now=later)
    assert report.requeued == [job.pk]
    job.refresh_from_db()
    submission.refresh_from_db()
    assert (job.state, submission.status) == (JobState.PENDING, SubmissionStatus.QUEUED)

    job = claim("w2")
    assert job is not None and job.attempts == 2
    report = reaper.jobs_reap(now=later + datetime.timedelta(seconds=1000))
    assert report.failed == [job.pk]
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ERROR
    assert "2 times" in submission.error_msg


def test_reaper_leaves_live_leases_alone() -> None:
    project = h.project_with_catch_all()
    queued(project, 1)
    job = claim("w1")
    assert job is not None

    assert reaper.jobs_reap().requeued == []
    job.refresh_from_db()
    assert job.state == JobState.RUNNING


def test_reaper_resends_lost_wakeups(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.BROKER_URL = "memory://"  # a broker that can't report queue lengths
    settings.GRADING_WAKEUP_RESEND_SECONDS = 0
    project = h.project_with_catch_all()
    queued(project, 2)
    GradingJob.objects.update(wakeups_sent_at=timezone.now() - datetime.timedelta(minutes=5))

    sent: list[tuple[str, int]] = []
    monkeypatch.setattr(
        dispatch, "send_wakeups", lambda queue, count=1: sent.append((queue, count))
    )

    report = reaper.jobs_reap()

    assert report.wakeups == {"fast": 2}
    assert sent == [("fast", 2)]


def test_rerun_jobs_never_take_student_queues() -> None:
    project = h.project_with_catch_all()
    (submission,) = queued(project, 1)

    rerun = jobs.job_enqueue(submission=submission, kind=JobKind.RERUN)

    assert rerun.queue == "rerun"
    assert claim("w1", queue="rerun") is not None
    assert claim("w2", queue="rerun") is None
