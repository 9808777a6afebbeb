"""Machine API keys, the machine principals that submit on their behalf, and the works sent
through the runner API with their callback deliveries."""

from django.conf import settings
from django.db import models

from autograder.courses.models import Course
from autograder.grading.config.feedback_settings import FeedbackCategory
from autograder.groups.models import Group
from autograder.integrations.callbacks.models import DeliveryState
from autograder.projects.models import Project
from autograder.submissions.models import Submission

KEY_PREFIX_LENGTH = 8

KEY_FEEDBACK_CATEGORIES = [
    (FeedbackCategory.NORMAL.value, "What a student sees before the deadline"),
    (FeedbackCategory.PAST_LIMIT.value, "What a student sees past the daily limit"),
    (FeedbackCategory.STAFF_VIEWER.value, "Everything staff see"),
]
"""What a key's callbacks may put in `comments`."""


class MachineKey(models.Model):
    """A credential for another system (a correctomatic client, a script): it may run the
    projects listed in `projects`, nothing else. Only the key's hash is stored."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=KEY_PREFIX_LENGTH)
    key_hash = models.CharField(max_length=64, unique=True)
    signing_secret = models.CharField(
        max_length=64, help_text="Signs the callbacks of this key's works (HMAC-SHA256)."
    )
    projects = models.ManyToManyField(Project, related_name="+", blank=True)
    feedback_category = models.CharField(
        max_length=20, choices=KEY_FEEDBACK_CATEGORIES, default=FeedbackCategory.NORMAL.value
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class RunnerLane(models.Model):
    """A machine principal (an account nobody can sign in as) and its group for one key and
    project. A group has at most one submission in progress, so a key grading several works of
    a project at once uses several lanes: a free one is reused, a new one made up to
    AG_RUNNER_MAX_PARALLEL."""

    key = models.ForeignKey(MachineKey, on_delete=models.CASCADE, related_name="lanes")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "project", "number"], name="runner_lane_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"lane {self.number} of key {self.key_id} on project {self.project_id}"


class RunnerWork(models.Model):
    """One work sent through the runner API: the submission that grades it, and the delivery
    of its result to the caller's callback URL (the log staff read)."""

    key = models.ForeignKey(MachineKey, on_delete=models.CASCADE, related_name="works")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="+")
    work_id = models.CharField(max_length=200, blank=True, default="")
    callback = models.URLField(max_length=2000)
    params = models.JSONField(default=dict, help_text="NAME → value, the commands' variables.")
    payload = models.JSONField(null=True, blank=True, help_text="The callback body, once known.")
    state = models.CharField(
        max_length=20, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["project", "-id"])]

    def __str__(self) -> str:
        return f"work {self.work_id!r} → {self.callback}"
