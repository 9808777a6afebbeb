"""Images per node on the monitor: a course's own image reaches a grader pulled by digest
(no tag), and the monitor names it by that digest; of a node's workers, the one heard from
last decides the node's list (Redis and PostgreSQL are real; the Docker listing is Docker's
own answer shape)."""

import time
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from autograder.monitor import live_store, sampler
from autograder.monitor.models import WorkerHeartbeat
from tests import factories

pytestmark = pytest.mark.django_db

CUSTOM = "127.0.0.1:5001/c1-smoke-custom@sha256:" + "ab" * 32


class PulledByDigest:
    """`docker images` of a node that pulled a course's image by digest, beside a tagged one."""

    def images(self) -> list[dict[str, Any]]:
        return [
            {
                "Id": "sha256:" + "1" * 64,
                "RepoTags": ["ag-sandbox-default:latest"],
                "RepoDigests": [],
                "Size": 300,
                "Created": 1,
            },
            {
                "Id": "sha256:" + "2" * 64,
                "RepoTags": None,
                "RepoDigests": [CUSTOM],
                "Size": 400,
                "Created": 2,
            },
        ]


def worker_record(name: str, images: list[dict[str, Any]], at: float) -> None:
    WorkerHeartbeat.objects.create(
        name=name, queues="grader", healthy=True, last_seen=timezone.now()
    )
    record = {
        "name": name,
        "host": name.partition("@")[2],
        "pids": [1],
        "concurrency": 1,
        "node": "node-1",
        "images": images,
        "time": at,
    }
    live_store.worker_publish(name=name, record=record, ttl_s=60)


def test_a_digest_pulled_image_shows_by_digest_from_the_latest_listing(
    _own_cache_keys: str,
) -> None:
    if not live_store.enabled():
        pytest.fail("the live monitor needs Redis (AG_REDIS_URL)")
    now = time.time()
    listed = sampler.node_images(PulledByDigest())
    before_the_pull = [image for image in listed if CUSTOM not in image["digests"]]
    worker_record("grader@aaa", listed, at=now)
    worker_record("fast@bbb", before_the_pull, at=now - 10)
    root = APIClient()
    root.force_authenticate(factories.make_user(is_superuser=True, is_staff=True))

    body = root.get("/api/monitor/").json()

    (node,) = body["nodes"]
    assert node["node"] == "node-1"
    custom = [image for image in node["images"] if CUSTOM in image["digests"]]
    assert len(custom) == 1 and custom[0]["tags"] == []
    assert node["total_bytes"] == 700
    assert {w["name"] for w in body["workers"] if w["alive"]} == {"grader@aaa", "fast@bbb"}
