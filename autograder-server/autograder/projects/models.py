import datetime
import uuid
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from autograder.courses.models import Course

TIMEZONE_AREAS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)
"""The geographic areas of the IANA database. Names outside them are legacy aliases
(`EST`, `CET`, `EST5EDT`, `US/Eastern`, `Etc/GMT+5`, ...): fixed offsets or rules that look like
a place's but aren't, which is how a daily reset ends up an hour off after a DST change."""


def timezone_problem(name: str) -> str | None:
    """Why `name` can't be a project's time zone, or None. Accepted: "UTC" and the IANA
    database's Area/Location names (e.g. "America/Detroit") that this server knows."""
    example = "Use an Area/Location name such as 'America/Detroit' or 'Europe/Berlin', or 'UTC'."
    if name == "UTC":
        return None
    area, _, location = name.partition("/")
    if name not in zoneinfo.available_timezones():
        return f"{name!r} is not a known time zone. {example}"
    if area not in TIMEZONE_AREAS or not location:
        return f"{name!r} is an abbreviation or a legacy alias, not an IANA place name. {example}"
    return None


def validate_timezone(name: str) -> None:
    problem = timezone_problem(name)
    if problem:
        raise ValidationError(problem)


class FinalGradedPolicy(models.TextChoices):
    MOST_RECENT = "most_recent", "Most recent submission"
    BEST = "best", "Best-scoring submission"


class Project(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=255)
    visible_to_students = models.BooleanField(default=False)
    closing_time = models.DateTimeField(
        null=True, blank=True, help_text="Hard deadline; null means no deadline."
    )
    soft_closing_time = models.DateTimeField(
        null=True, blank=True, help_text="Deadline shown to students; not enforced."
    )
    disallow_student_submissions = models.BooleanField(default=False)
    guests_can_submit = models.BooleanField(
        default=False,
        help_text=(
            "Users of the course's allowed guest domain may see and submit to this project "
            "(while it is visible to students) without being on the roster."
        ),
    )
    min_group_size = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    max_group_size = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    submission_limit_per_day = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    submission_limit_reset_time = models.TimeField(default=datetime.time(0, 0))
    submission_limit_reset_timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone]
    )
    groups_combine_daily_submissions = models.BooleanField(
        default=False, help_text="The daily limit is multiplied by the number of group members."
    )
    allow_submissions_past_limit = models.BooleanField(default=True)
    num_bonus_submissions = models.PositiveIntegerField(default=0)
    total_submission_limit = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    allow_late_days = models.BooleanField(default=False)
    final_graded_policy = models.CharField(
        max_length=16, choices=FinalGradedPolicy.choices, default=FinalGradedPolicy.MOST_RECENT
    )
    hide_final_graded_feedback = models.BooleanField(default=False)
    use_honor_pledge = models.BooleanField(default=False)
    honor_pledge_text = models.TextField(blank=True, default="")
    instructions = models.TextField(
        blank=True,
        default="",
        max_length=200_000,
        help_text="Markdown shown to everyone who may see the project, before they submit.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["course_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["course", "name"], name="project_unique_course_name"),
            models.CheckConstraint(
                condition=models.Q(min_group_size__lte=models.F("max_group_size")),
                name="project_min_group_size_lte_max",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.min_group_size > self.max_group_size:
            raise ValidationError(
                {"min_group_size": "The minimum group size may not exceed the maximum."}
            )
        if self.use_honor_pledge and not self.honor_pledge_text.strip():
            raise ValidationError(
                {"honor_pledge_text": "Give the pledge text when the honor pledge is on."}
            )


class ExpectedStudentFile(models.Model):
    """A glob pattern (fnmatch) that submitted file names are matched against."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="expected_student_files"
    )
    pattern = models.CharField(max_length=255)
    min_num_matches = models.PositiveIntegerField(default=1)
    max_num_matches = models.PositiveIntegerField(default=1)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pattern"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "pattern"], name="expected_file_unique_project_pattern"
            ),
            models.CheckConstraint(
                condition=models.Q(min_num_matches__lte=models.F("max_num_matches")),
                name="expected_file_min_lte_max",
            ),
        ]

    def __str__(self) -> str:
        return self.pattern

    def clean(self) -> None:
        if self.min_num_matches > self.max_num_matches:
            raise ValidationError(
                {"min_num_matches": "The minimum may not exceed the maximum number of matches."}
            )


def instructor_file_path(instance: "InstructorFile", filename: str) -> str:
    """Stored under an opaque name so that renaming never moves bytes."""
    return f"projects/{instance.project_id}/instructor_files/{uuid.uuid4().hex}"


class InstructorFile(models.Model):
    """A file staff upload for tests (test drivers, expected output). Never shown to students."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="instructor_files")
    name = models.CharField(max_length=255)
    file_obj = models.FileField(upload_to=instructor_file_path, max_length=1024)
    size = models.PositiveBigIntegerField(default=0)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"], name="instructor_file_unique_project_name"
            )
        ]

    def __str__(self) -> str:
        return self.name
