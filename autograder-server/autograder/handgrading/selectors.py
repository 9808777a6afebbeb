"""Reads of handgrading: a result as a grader or a student sees it, the project's progress,
and the handgraded points of many groups at once (for the gradebook)."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from autograder.accounts.models import User
from autograder.common.errors import NotFoundError
from autograder.grading.results.final_graded import final_graded_submissions
from autograder.groups.models import Group
from autograder.handgrading.models import (
    Annotation,
    AppliedAnnotation,
    Comment,
    Criterion,
    CriterionResult,
    HandgradingAssignment,
    HandgradingResult,
    HandgradingRubric,
)
from autograder.handgrading.scoring import AnnotationRule, annotations_total, total_points
from autograder.projects.models import Project

ProgressStatus = Literal["not_started", "in_progress", "graded"]


def rubric_for_project(*, project: Project) -> HandgradingRubric | None:
    return HandgradingRubric.objects.filter(project=project).first()


def rubric_get(*, rubric_id: int) -> HandgradingRubric:
    found = HandgradingRubric.objects.select_related("project").filter(pk=rubric_id).first()
    if found is None:
        raise NotFoundError("No such handgrading rubric.")
    return found


def criterion_get(*, criterion_id: int) -> Criterion:
    found = Criterion.objects.select_related("rubric__project").filter(pk=criterion_id).first()
    if found is None:
        raise NotFoundError("No such criterion.")
    return found


def annotation_get(*, annotation_id: int) -> Annotation:
    found = Annotation.objects.select_related("rubric__project").filter(pk=annotation_id).first()
    if found is None:
        raise NotFoundError("No such annotation.")
    return found


def result_live_state(*, result_id: int) -> dict[str, Any]:
    """What a grader's live stream sends: the result's version (it grows with every change;
    None once the result is gone)."""
    version = HandgradingResult.objects.filter(pk=result_id).values_list("version", flat=True)
    return {"id": result_id, "version": version.first()}


def result_get(*, result_id: int) -> HandgradingResult:
    found = (
        HandgradingResult.objects.select_related("group__project__course", "submission")
        .filter(pk=result_id)
        .first()
    )
    if found is None:
        raise NotFoundError("No such handgrading result.")
    return found


def applied_annotation_get(*, applied_id: int) -> AppliedAnnotation:
    found = (
        AppliedAnnotation.objects.select_related("result__group__project")
        .filter(pk=applied_id)
        .first()
    )
    if found is None:
        raise NotFoundError("No such applied annotation.")
    return found


def comment_get(*, comment_id: int) -> Comment:
    found = Comment.objects.select_related("result__group__project").filter(pk=comment_id).first()
    if found is None:
        raise NotFoundError("No such comment.")
    return found


@dataclass
class ResultView:
    """A result as one viewer sees it (serialized by `HandgradingResultOutput`)."""

    id: int
    group: int
    submission: int
    submitted_filenames: list[str]
    finished: bool
    points_adjustment: Decimal
    version: int
    total_points: Decimal
    max_points: Decimal
    points_style: str
    criteria: list[dict[str, object]] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    applied_annotations: list[dict[str, object]] = field(default_factory=list)
    comments: list[dict[str, object]] = field(default_factory=list)


def _author(user: User | None, show: bool) -> str | None:
    return user.username if (show and user is not None) else None


def result_view(
    *, result: HandgradingResult, rubric: HandgradingRubric, for_student: bool
) -> ResultView:
    """The result with its rubric. A student sees no grader names and, when the rubric says
    so, only the criteria ticked and the annotations applied."""
    criteria = list(rubric.criteria.all())
    selected = {
        item.criterion_id: item.selected for item in CriterionResult.objects.filter(result=result)
    }
    applied = list(
        AppliedAnnotation.objects.filter(result=result).select_related("annotation", "created_by")
    )
    comments = list(Comment.objects.filter(result=result).select_related("created_by"))
    annotations = list(rubric.annotations.all())
    only_applied = for_student and rubric.show_only_applied_to_students
    if only_applied:
        criteria = [c for c in criteria if selected.get(c.pk, False)]
        used = {a.annotation_id for a in applied}
        annotations = [a for a in annotations if a.pk in used]
    deductions = annotations_total(
        (a.annotation_id, AnnotationRule(a.annotation.deduction, a.annotation.max_deduction))
        for a in applied
    )
    total = total_points(
        points_style=rubric.points_style,
        max_points=rubric.max_points,
        criteria_points=[c.points for c in rubric.criteria.all() if selected.get(c.pk, False)],
        annotations=deductions,
        adjustment=result.points_adjustment,
    )
    show_names = not for_student
    return ResultView(
        id=result.pk,
        group=result.group_id,
        submission=result.submission_id,
        submitted_filenames=list(result.submission.submitted_filenames),
        finished=result.finished,
        points_adjustment=result.points_adjustment,
        version=result.version,
        total_points=total,
        max_points=rubric.max_points,
        points_style=rubric.points_style,
        criteria=[
            {
                "id": c.pk,
                "short_description": c.short_description,
                "long_description": c.long_description,
                "points": c.points,
                "selected": selected.get(c.pk, False),
            }
            for c in criteria
        ],
        annotations=annotations,
        applied_annotations=[
            {
                "id": a.pk,
                "annotation": a.annotation_id,
                "filename": a.filename,
                "first_line": a.first_line,
                "last_line": a.last_line,
                "created_by": _author(a.created_by, show_names),
            }
            for a in applied
        ],
        comments=[
            {
                "id": c.pk,
                "text": c.text,
                "filename": c.filename,
                "first_line": c.first_line,
                "last_line": c.last_line,
                "created_by": _author(c.created_by, show_names),
            }
            for c in comments
        ],
    )


# --- Many groups at once ----------------------------------------------------------------------


def handgraded_points(
    *, project: Project, group_ids: Collection[int]
) -> dict[int, tuple[Decimal, Decimal]]:
    """Group id → (points, max points) of its handgrading result, for groups that have one.
    A constant number of queries however many groups."""
    rubric = rubric_for_project(project=project)
    if rubric is None:
        return {}
    results = dict(
        HandgradingResult.objects.filter(project=project, group_id__in=list(group_ids)).values_list(
            "pk", "group_id"
        )
    )
    adjustments = dict(
        HandgradingResult.objects.filter(pk__in=list(results)).values_list(
            "pk", "points_adjustment"
        )
    )
    criteria: dict[int, list[Decimal]] = defaultdict(list)
    for result_id, points in CriterionResult.objects.filter(
        result_id__in=list(results), selected=True
    ).values_list("result_id", "criterion__points"):
        criteria[result_id].append(points)
    applied: dict[int, list[tuple[int, AnnotationRule]]] = defaultdict(list)
    for result_id, annotation_id, deduction, cap in AppliedAnnotation.objects.filter(
        result_id__in=list(results)
    ).values_list(
        "result_id", "annotation_id", "annotation__deduction", "annotation__max_deduction"
    ):
        applied[result_id].append((annotation_id, AnnotationRule(deduction, cap)))
    return {
        group_id: (
            total_points(
                points_style=rubric.points_style,
                max_points=rubric.max_points,
                criteria_points=criteria[result_id],
                annotations=annotations_total(applied[result_id]),
                adjustment=adjustments[result_id],
            ),
            rubric.max_points,
        )
        for result_id, group_id in results.items()
    }


@dataclass(frozen=True)
class ProgressRow:
    group: int
    members: list[str]
    submission_id: int | None
    status: ProgressStatus
    grader: str | None
    total_points: Decimal | None


def progress_rows(
    *, project: Project, status: str | None = None, grader: str | None = None
) -> list[ProgressRow]:
    """Every group with its handgrading status (graded = finished, in progress = opened),
    its assigned grader and handgraded points; filtered by status and grader username."""
    groups = list(Group.objects.filter(project=project).prefetch_related("members").order_by("pk"))
    ids = [g.pk for g in groups]
    finals = final_graded_submissions(project=project, group_ids=ids)
    finished = dict(
        HandgradingResult.objects.filter(project=project).values_list("group_id", "finished")
    )
    graders = dict(
        HandgradingAssignment.objects.filter(project=project).values_list(
            "group_id", "grader__username"
        )
    )
    points = handgraded_points(project=project, group_ids=ids)
    rows = []
    for group in groups:
        state: ProgressStatus = (
            "not_started"
            if group.pk not in finished
            else ("graded" if finished[group.pk] else "in_progress")
        )
        submission = finals.get(group.pk)
        rows.append(
            ProgressRow(
                group=group.pk,
                members=sorted(member.username for member in group.members.all()),
                submission_id=submission.pk if submission else None,
                status=state,
                grader=graders.get(group.pk),
                total_points=points[group.pk][0] if group.pk in points else None,
            )
        )
    return [
        row
        for row in rows
        if (status is None or row.status == status) and (grader is None or row.grader == grader)
    ]
