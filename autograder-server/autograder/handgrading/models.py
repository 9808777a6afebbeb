"""Handgrading: a rubric per project (criteria to tick, reusable annotations, free comments)
and a result per group on its final graded submission.

Every applied item is a row of its own (a criterion's checkbox, an applied annotation, a
comment), so two graders working on one result at once each write their own rows: the last
write to one item wins, and no write is lost to another grader saving the whole result.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from autograder.groups.models import Group
from autograder.projects.models import Project
from autograder.submissions.models import Submission


def points_field(**options: Any) -> "models.DecimalField[Decimal, Decimal]":
    """Points are decimals (half points are common in rubrics), never floats."""
    return models.DecimalField(max_digits=8, decimal_places=2, **options)


class PointsStyle(models.TextChoices):
    START_AT_ZERO_AND_ADD = "start_at_zero_and_add", "Start at zero and add"
    START_AT_MAX_AND_SUBTRACT = "start_at_max_and_subtract", "Start at the maximum and subtract"


class HandgradingStatus(models.TextChoices):
    """Where a group's handgrading stands (computed, not stored: a result that exists is in
    progress until a grader marks it finished)."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    GRADED = "graded", "Graded"


class HandgradingRubric(models.Model):
    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="handgrading_rubric"
    )
    points_style = models.CharField(
        max_length=32, choices=PointsStyle.choices, default=PointsStyle.START_AT_ZERO_AND_ADD
    )
    max_points = points_field(default=Decimal(0), validators=[MinValueValidator(Decimal(0))])
    released = models.BooleanField(
        default=False, help_text="Students see their handgrading (staff release it when done)."
    )
    show_only_applied_to_students = models.BooleanField(
        default=False,
        help_text="Students see only the criteria and annotations applied to them, not the "
        "whole rubric.",
    )
    handgraders_can_leave_comments = models.BooleanField(default=True)
    handgraders_can_adjust_points = models.BooleanField(default=False)
    handgraders_can_see_test_results = models.BooleanField(
        default=False,
        help_text="Handgraders may read the submissions' test results as staff see them "
        "(hidden tests included). Off: they see only the code and the rubric.",
    )
    last_modified = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Rubric of project {self.project_id}"


class Criterion(models.Model):
    """A checkbox: ticked, it adds its points (negative points subtract)."""

    rubric = models.ForeignKey(HandgradingRubric, on_delete=models.CASCADE, related_name="criteria")
    short_description = models.CharField(max_length=255)
    long_description = models.TextField(blank=True, default="")
    points = points_field(default=Decimal(0))
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"Criterion {self.short_description!r}"


class Annotation(models.Model):
    """A reusable deduction applied to lines of a file; `max_deduction` caps what all its
    applications on one result take away together."""

    rubric = models.ForeignKey(
        HandgradingRubric, on_delete=models.CASCADE, related_name="annotations"
    )
    short_description = models.CharField(max_length=255)
    long_description = models.TextField(blank=True, default="")
    deduction = points_field(default=Decimal(0), validators=[MaxValueValidator(Decimal(0))])
    max_deduction = points_field(null=True, blank=True, validators=[MaxValueValidator(Decimal(0))])
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"Annotation {self.short_description!r}"


class HandgradingResult(models.Model):
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="handgrading_result")
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="handgrading_results"
    )
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="handgrading_results"
    )
    finished = models.BooleanField(default=False)
    points_adjustment = points_field(default=Decimal(0))
    version = models.PositiveIntegerField(
        default=0, help_text="Grows with every change, so an open page knows to reload."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Handgrading of group {self.group_id}"


class CriterionResult(models.Model):
    result = models.ForeignKey(
        HandgradingResult, on_delete=models.CASCADE, related_name="criterion_results"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    selected = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["result", "criterion"], name="handgrading_one_criterion_result"
            )
        ]

    def __str__(self) -> str:
        return f"Criterion {self.criterion_id} on result {self.result_id}: {self.selected}"


class AppliedAnnotation(models.Model):
    result = models.ForeignKey(
        HandgradingResult, on_delete=models.CASCADE, related_name="applied_annotations"
    )
    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    first_line = models.PositiveIntegerField()
    last_line = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["filename", "first_line", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_line__gte=1, last_line__gte=models.F("first_line")),
                name="handgrading_annotation_lines",
            )
        ]

    def __str__(self) -> str:
        return f"Annotation {self.annotation_id} on {self.filename}:{self.first_line}"


class Comment(models.Model):
    """Free text, on lines of a file or (without a file) on the whole submission."""

    result = models.ForeignKey(HandgradingResult, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField()
    filename = models.CharField(max_length=255, blank=True, default="")
    first_line = models.PositiveIntegerField(null=True, blank=True)
    last_line = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment {self.pk} on result {self.result_id}"


class HandgradingAssignment(models.Model):
    """Which handgrader (or staff member) is to grade a group."""

    group = models.OneToOneField(
        Group, on_delete=models.CASCADE, related_name="handgrading_assignment"
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="handgrading_assignments"
    )
    grader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Group {self.group_id} assigned to user {self.grader_id}"
