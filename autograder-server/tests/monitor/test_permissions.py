"""Every live-monitor endpoint and role: superusers see the whole site, a course's staff and
admins its own jobs and sandboxes (never another course's names, nor node images), students and
handgraders nothing."""

import time
from typing import Any

import pytest

from autograder.monitor import live_store
from tests.conftest import ROLE_NAMES, World
from tests.permission_matrix import Endpoint, assert_matrix

pytestmark = pytest.mark.django_db

SITE = {role: 403 for role in ROLE_NAMES} | {"anonymous": 401, "superuser": 200}
COURSE = {
    "anonymous": 401,
    "other_course_student": 403,
    "student": 403,
    "group_member": 403,
    "handgrader": 403,
    "staff": 200,
    "admin": 200,
    "superuser": 200,
}


def job_of(course_id: int, course_name: str, submission_id: int) -> dict[str, Any]:
    return {
        "id": submission_id,
        "kind": "grade",
        "queue": "fast",
        "submission_id": submission_id,
        "project_id": 1,
        "project_name": f"Project of {course_name}",
        "course_id": course_id,
        "course_name": course_name,
        "claimed_at": None,
    }


def sandbox(name: str, job: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": name,
        "image": "ag-sandbox-default:latest",
        "state": "in_use" if job else "idle",
        "cpu_percent": 12.5,
        "memory_bytes": 50_000_000,
        "memory_limit_bytes": 512_000_000,
        "disk_bytes": 4096,
        "figures_from": "cgroup",
        "job": job,
    }


def publish_two_courses(w: World) -> None:
    """What a grading process publishes while one job of each course grades, with a warm idle
    sandbox beside them."""
    ours = job_of(w.course.pk, w.course.name, 1)
    theirs = job_of(w.other_course.pk, w.other_course.name, 2)
    record = {
        "process": "node1:10",
        "host": "node1",
        "pid": 10,
        "node": "node1",
        "time": time.time(),
        "jobs": [ours, theirs],
        "sandboxes": [sandbox("a" * 12, ours), sandbox("b" * 12, theirs), sandbox("c" * 12, None)],
        "sample_cpu_ms": 1.0,
    }
    totals = {
        "n": 3,
        "cpu": 37.5,
        "mem": 150_000_000,
        "disk": 12288,
        "courses": {str(w.course.pk): [1, 12.5, 50_000_000, 4096]},
    }
    live_store.process_publish(process="node1:10", record=record, totals=totals, ttl_s=30)


def course_url_after_samples(w: World, suffix: str) -> str:
    publish_two_courses(w)
    return f"/api/courses/{w.course.pk}/monitor/{suffix}"


def only_own_course(w: World, role: str, response: Any) -> None:
    """The course's view (a superuser's too): its own sandbox only, no idle ones, no other
    course's name, no node images."""
    body = response.json()
    assert [s["id"] for s in body["sandboxes"]] == ["a" * 12]
    assert w.other_course.name not in str(body)
    assert body["nodes"] == []


def own_history(w: World, role: str, response: Any) -> None:
    point = response.json()["points"][-1]
    assert (point["sandboxes"], point["memory_bytes"]) == (1, 50_000_000)


@pytest.mark.parametrize(
    "endpoint",
    [
        Endpoint("GET", lambda w: "/api/monitor/", SITE),
        Endpoint("GET", lambda w: "/api/monitor/history/", SITE),
        Endpoint(
            "GET",
            lambda w: course_url_after_samples(w, ""),
            COURSE,
            check=only_own_course,
        ),
        Endpoint(
            "GET",
            lambda w: course_url_after_samples(w, "history/"),
            COURSE,
            check=own_history,
        ),
    ],
    ids=["site now", "site history", "course now", "course history"],
)
def test_monitor_permissions(endpoint: Endpoint) -> None:
    assert_matrix(endpoint)


def test_site_view_with_published_samples(world: World) -> None:
    """A superuser's view of both courses' sandboxes, through the site endpoint."""
    publish_two_courses(world)
    body = world.client("superuser").get("/api/monitor/").json()
    assert {s["id"] for s in body["sandboxes"]} == {"a" * 12, "b" * 12, "c" * 12}
    assert {q["queue"] for q in body["queues"]} >= {"grader", "fast", "deferred", "rerun"}
    history = world.client("superuser").get("/api/monitor/history/").json()
    assert history["points"][-1]["memory_bytes"] == 150_000_000


def test_unknown_course_is_404(world: World) -> None:
    response = world.client("superuser").get("/api/courses/999999/monitor/")
    assert response.status_code == 404
