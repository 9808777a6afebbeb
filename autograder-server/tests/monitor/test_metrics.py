"""`/api/metrics/`: who may read it, and what a sysadmin's alerts are built on."""

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from rest_framework.test import APIClient

from autograder.grading.pipeline.models import GradingJob, JobKind, JobState
from autograder.monitor import metrics
from autograder.monitor.middleware import ServerErrorCountMiddleware
from autograder.monitor.models import WorkerHeartbeat
from autograder.sandbox.docker_pool import DockerPoolManager
from tests.conftest import ROLE_NAMES
from tests.grading import pipeline_helpers as h
from tests.permission_matrix import Endpoint, assert_matrix

pytestmark = pytest.mark.django_db

URL = "/api/metrics/"


def value(body: str, line_start: str) -> float:
    """The sample value of the line that starts with `line_start` (name and labels)."""
    for line in body.splitlines():
        if line.startswith(line_start + " "):
            return float(line.split()[-1])
    raise AssertionError(f"no sample {line_start!r} in:\n{body[:3000]}")


def scrape(settings: Any, token: str = "s3cret-metrics-token") -> str:
    settings.METRICS_TOKEN = token
    response = APIClient().get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return str(response.content.decode())


def test_permission_matrix_only_superusers_without_the_token() -> None:
    expected = dict.fromkeys(ROLE_NAMES, 403) | {"anonymous": 401, "superuser": 200}
    assert_matrix(Endpoint("GET", lambda w: URL, expected))


@pytest.mark.parametrize(
    ("configured", "sent", "status"),
    [
        ("right-token", "Bearer right-token", 200),
        ("right-token", "Bearer wrong-token", 401),
        ("right-token", "Token right-token", 401),
        ("", "Bearer ", 401),  # no token configured: only superusers get in
    ],
)
def test_bearer_token(settings: Any, configured: str, sent: str, status: int) -> None:
    settings.METRICS_TOKEN = configured
    response = APIClient().get(URL, HTTP_AUTHORIZATION=sent)
    assert response.status_code == status


def test_queue_depth_and_oldest_pending_age_per_queue(settings: Any) -> None:
    project = h.project_with_catch_all()
    first, second, third = (h.submit(project) for _ in range(3))
    GradingJob.objects.filter(submission=first).update(
        queue="grader", enqueued_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    GradingJob.objects.filter(submission=second).update(queue="grader")
    GradingJob.objects.filter(submission=third).update(queue="grader", state=JobState.RUNNING)

    body = scrape(settings)

    assert value(body, 'autograder_grading_jobs{queue="grader",state="pending"}') == 2
    assert value(body, 'autograder_grading_jobs{queue="grader",state="running"}') == 1
    assert value(body, 'autograder_grading_jobs{queue="rerun",state="pending"}') == 0
    assert 300 <= value(body, 'autograder_grading_oldest_pending_seconds{queue="grader"}') < 400
    assert value(body, 'autograder_grading_oldest_pending_seconds{queue="rerun"}') == 0


def test_grading_time_histogram_and_sandbox_faults(settings: Any) -> None:
    now = timezone.now()
    for took in (0.5, 4.0, 45.0):
        metrics.grading_finished(
            queue="fast",
            enqueued_at=now - datetime.timedelta(seconds=took + 2),
            claimed_at=now - datetime.timedelta(seconds=took),
        )
    metrics.sandbox_fault(queue="fast")

    body = scrape(settings)

    assert value(body, 'autograder_grading_seconds_bucket{le="1",queue="fast"}') == 1
    assert value(body, 'autograder_grading_seconds_bucket{le="5",queue="fast"}') == 2
    assert value(body, 'autograder_grading_seconds_bucket{le="60",queue="fast"}') == 3
    assert value(body, 'autograder_grading_seconds_bucket{le="+Inf",queue="fast"}') == 3
    assert value(body, 'autograder_grading_seconds_count{queue="fast"}') == 3
    assert 49 < value(body, 'autograder_grading_seconds_sum{queue="fast"}') < 50.5
    assert value(body, 'autograder_queue_wait_seconds_bucket{le="2.5",queue="fast"}') == 3
    assert value(body, 'autograder_grading_seconds_count{queue="grader"}') == 0
    assert value(body, 'autograder_sandbox_faults_total{queue="fast"}') == 1


@pytest.fixture(scope="module")
def provider() -> Iterator[DockerPoolManager]:
    manager = DockerPoolManager(pool_size=1)
    yield manager
    manager.close()


def test_a_real_grading_run_lands_in_the_histogram(
    settings: Any, provider: DockerPoolManager
) -> None:
    project = h.project_with_catch_all()
    h.command(h.suite(project), "echo hi")
    submission = h.grade(provider, h.submit(project))
    queue = GradingJob.objects.get(submission=submission, kind=JobKind.GRADE).queue

    body = scrape(settings)

    assert value(body, f'autograder_grading_seconds_count{{queue="{queue}"}}') == 1


def test_server_errors_are_counted_by_status(settings: Any) -> None:
    def answer(status: int) -> ServerErrorCountMiddleware:
        return ServerErrorCountMiddleware(lambda request: HttpResponse(status=status))

    for status in (500, 503, 503, 404, 200):
        answer(status)(HttpRequest())

    body = scrape(settings)

    assert value(body, 'autograder_http_server_errors_total{status="500"}') == 1
    assert value(body, 'autograder_http_server_errors_total{status="503"}') == 2
    assert value(body, 'autograder_http_server_errors_total{status="502"}') == 0


def test_worker_heartbeats_recent_ones_only(settings: Any) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        name="grader@abc", release="0.2.0+x", queues="grader", healthy=True, last_seen=now
    )
    WorkerHeartbeat.objects.create(
        name="fast@def",
        queues="fast",
        healthy=False,
        problems="broker: not connected",
        last_seen=now,
    )
    WorkerHeartbeat.objects.create(
        name="gone@old", healthy=True, last_seen=now - datetime.timedelta(hours=2)
    )

    body = scrape(settings)

    stamp = value(
        body,
        'autograder_worker_heartbeat_timestamp_seconds{queues="grader",release="0.2.0+x",'
        'worker="grader@abc"}',
    )
    assert abs(stamp - now.timestamp()) < 1
    assert value(body, 'autograder_worker_healthy{worker="grader@abc"}') == 1
    assert value(body, 'autograder_worker_healthy{worker="fast@def"}') == 0
    assert not re.search(r"gone@old", body)
