"""What operations need stored: the deployed release and each worker's last heartbeat."""

from django.db import models


class DeployedRelease(models.Model):
    """The release the `init` step deployed last. One row (pk=1); workers of any other
    release claim nothing."""

    release = models.CharField(max_length=200)
    recorded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.release


class WorkerHeartbeat(models.Model):
    """A Celery worker's latest self-check, written every AG_WORKER_HEARTBEAT_SECONDS."""

    name = models.CharField(max_length=255, primary_key=True)
    """Celery's node name, e.g. `grader@3f2a9c1b7d4e` (the host part is the container id)."""
    release = models.CharField(max_length=200, blank=True, default="")
    queues = models.CharField(max_length=500, blank=True, default="")
    healthy = models.BooleanField(default=False)
    problems = models.TextField(blank=True, default="")
    last_seen = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
