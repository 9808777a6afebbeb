"""Response shapes of the live monitor (output only: its endpoints take no input)."""

from rest_framework import serializers


class MonitorJobOutput(serializers.Serializer[dict[str, object]]):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="grade, deferred or rerun")
    queue = serializers.CharField()
    submission_id = serializers.IntegerField()
    project_id = serializers.IntegerField()
    project_name = serializers.CharField()
    course_id = serializers.IntegerField()
    course_name = serializers.CharField()
    claimed_at = serializers.DateTimeField(allow_null=True)


class MonitorWorkerOutput(serializers.Serializer[dict[str, object]]):
    name = serializers.CharField()
    node = serializers.CharField(help_text="The Docker node's name (empty without Docker).")
    alive = serializers.BooleanField(help_text="Heard from within three heartbeats.")
    healthy = serializers.BooleanField()
    problems = serializers.CharField(help_text="Empty for course staff.")
    queues = serializers.ListField(child=serializers.CharField())
    last_seen = serializers.DateTimeField()
    slots = serializers.IntegerField(help_text="Pool processes (0: not reported yet).")
    busy_slots = serializers.IntegerField()
    jobs = MonitorJobOutput(many=True, help_text="For course staff: their course's only.")


class MonitorSandboxOutput(serializers.Serializer[dict[str, object]]):
    id = serializers.CharField(help_text="The container id's first 12 characters.")
    image = serializers.CharField()
    state = serializers.CharField(help_text="in_use or idle (warm in a pool)")
    cpu_percent = serializers.FloatField(
        allow_null=True, help_text="Of one core, since the previous sample (null: first sample)."
    )
    memory_bytes = serializers.IntegerField()
    memory_limit_bytes = serializers.IntegerField(help_text="0: unknown or unlimited.")
    disk_bytes = serializers.IntegerField(help_text="Files in the sandbox's tmpfs directories.")
    figures_from = serializers.CharField(help_text="cgroup or docker: how they were read.")
    job = MonitorJobOutput(allow_null=True)
    worker = serializers.CharField()
    node = serializers.CharField()
    sampled_at = serializers.DateTimeField()


class MonitorQueueOutput(serializers.Serializer[dict[str, object]]):
    queue = serializers.CharField()
    pending = serializers.IntegerField()
    running = serializers.IntegerField()
    oldest_wait_s = serializers.FloatField(help_text="The oldest pending job's wait (0: none).")


class MonitorImageOutput(serializers.Serializer[dict[str, object]]):
    id = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    digests = serializers.ListField(
        child=serializers.CharField(),
        help_text="repository@sha256:... as pulled; a course's own images, pulled by digest, "
        "have these and no tags.",
    )
    size_bytes = serializers.IntegerField()
    created = serializers.IntegerField(help_text="Unix time.")


class MonitorNodeOutput(serializers.Serializer[dict[str, object]]):
    node = serializers.CharField()
    total_bytes = serializers.IntegerField()
    images = MonitorImageOutput(many=True)


class MonitorNowOutput(serializers.Serializer[dict[str, object]]):
    enabled = serializers.BooleanField(help_text="False without Redis: nothing is sampled.")
    time = serializers.DateTimeField()
    sample_seconds = serializers.FloatField()
    workers = MonitorWorkerOutput(many=True)
    sandboxes = MonitorSandboxOutput(many=True)
    queues = MonitorQueueOutput(many=True)
    nodes = MonitorNodeOutput(many=True, help_text="Superusers only (empty for course staff).")
    sample_cpu_ms = serializers.FloatField(
        allow_null=True, help_text="Mean CPU time of one sample, per grading process."
    )


class MonitorPointOutput(serializers.Serializer[dict[str, object]]):
    time = serializers.DateTimeField()
    sandboxes = serializers.IntegerField()
    cpu_percent = serializers.FloatField()
    memory_bytes = serializers.IntegerField()
    disk_bytes = serializers.IntegerField()
    queues = MonitorQueueOutput(many=True)


class MonitorHistoryOutput(serializers.Serializer[dict[str, object]]):
    step_seconds = serializers.IntegerField()
    points = MonitorPointOutput(many=True)
