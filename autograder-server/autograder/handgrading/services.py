"""Every write of handgrading: the rubric and its parts, a group's result and what graders
apply to it, assignments, and copying a rubric to another project.

Graders' writes touch one item each (a criterion's checkbox, one applied annotation, one
comment, one field of the result) and bump the result's `version` with an UPDATE, which
serializes concurrent writers on the result row without ever overwriting another's item.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone

from autograder.accounts.models import User
from autograder.common import live_events
from autograder.common.errors import ConflictError, field_error, from_validation_error
from autograder.grading.results.final_graded import final_graded_submission
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
from autograder.projects.models import Project
from autograder.submissions.models import Submission

RUBRIC_FIELDS = (
    "points_style",
    "max_points",
    "released",
    "show_only_applied_to_students",
    "handgraders_can_leave_comments",
    "handgraders_can_adjust_points",
    "handgraders_can_see_test_results",
)
ITEM_FIELDS = ("short_description", "long_description")


def _save(obj: Model, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(obj, name, value)
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise from_validation_error(exc) from exc
    obj.save()


# --- Rubric ---------------------------------------------------------------------------------


def rubric_create(*, project: Project, **fields: Any) -> HandgradingRubric:
    exists = ConflictError("This project already has a handgrading rubric.", code="exists")
    if HandgradingRubric.objects.filter(project=project).exists():
        raise exists
    rubric = HandgradingRubric(project=project)
    try:
        with transaction.atomic():
            _save(rubric, **fields)
    except IntegrityError as exc:
        # Another request created it since the check above.
        raise exists from exc
    return rubric


@transaction.atomic
def rubric_update(*, rubric: HandgradingRubric, **fields: Any) -> HandgradingRubric:
    _save(rubric, **fields)
    return rubric


@transaction.atomic
def rubric_delete(*, rubric: HandgradingRubric) -> None:
    HandgradingResult.objects.filter(project_id=rubric.project_id).delete()
    rubric.delete()


def _next_order(model: type[Criterion] | type[Annotation], rubric: HandgradingRubric) -> int:
    last = model.objects.filter(rubric=rubric).order_by("-order").values_list("order", flat=True)
    return (last.first() or 0) + 1


@transaction.atomic
def criterion_create(*, rubric: HandgradingRubric, **fields: Any) -> Criterion:
    HandgradingRubric.objects.select_for_update().filter(pk=rubric.pk).first()
    criterion = Criterion(rubric=rubric, order=_next_order(Criterion, rubric))
    _save(criterion, **fields)
    return criterion


@transaction.atomic
def criterion_update(*, criterion: Criterion, **fields: Any) -> Criterion:
    _save(criterion, **fields)
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: Criterion) -> None:
    """Also deletes what results recorded for it (their totals change accordingly)."""
    criterion.delete()


RubricItem = TypeVar("RubricItem", Criterion, Annotation)


def rubric_items_reorder(
    *, rubric: HandgradingRubric, model: type[RubricItem], ids: list[int]
) -> list[int]:
    """Puts the rubric's criteria (or annotations) in the order of `ids`, which must list each
    of them exactly once; nothing changes otherwise."""
    kind = "criteria" if model is Criterion else "annotations"
    with transaction.atomic():
        rows = list(model.objects.select_for_update().filter(rubric=rubric))
        if len(set(ids)) != len(ids) or sorted(ids) != sorted(r.pk for r in rows):
            raise field_error(
                "ids",
                f"List each of the {len(rows)} {kind} of this rubric exactly once.",
                code="wrong_ids",
            )
        position = {pk: index + 1 for index, pk in enumerate(ids)}
        for row in rows:
            row.order = position[row.pk]
        model.objects.bulk_update(rows, ["order"])
    return ids


@transaction.atomic
def annotation_create(*, rubric: HandgradingRubric, **fields: Any) -> Annotation:
    HandgradingRubric.objects.select_for_update().filter(pk=rubric.pk).first()
    annotation = Annotation(rubric=rubric, order=_next_order(Annotation, rubric))
    _check_cap(fields.get("deduction"), fields.get("max_deduction"))
    _save(annotation, **fields)
    return annotation


@transaction.atomic
def annotation_update(*, annotation: Annotation, **fields: Any) -> Annotation:
    _check_cap(
        fields.get("deduction", annotation.deduction),
        fields.get("max_deduction", annotation.max_deduction),
    )
    _save(annotation, **fields)
    return annotation


@transaction.atomic
def annotation_delete(*, annotation: Annotation) -> None:
    """Also removes it wherever it was applied."""
    annotation.delete()


def _check_cap(deduction: Decimal | None, cap: Decimal | None) -> None:
    if deduction is not None and cap is not None and cap > deduction:
        raise field_error(
            "max_deduction",
            "The cap must take away at least one deduction (e.g. -1 with a cap of -3).",
        )


@transaction.atomic
def copy_rubric(*, src_project: Project, dst_project: Project) -> HandgradingRubric:
    """Gives `dst_project` a copy of `src_project`'s rubric (settings, criteria, annotations;
    never results), replacing the rubric it had. Released starts off. Refused while the
    destination has handgrading results, which the replacement would orphan."""
    source = HandgradingRubric.objects.filter(project=src_project).first()
    if source is None:
        raise field_error("project", "That project has no handgrading rubric.", code="not_found")
    if HandgradingResult.objects.filter(project=dst_project).exists():
        raise ConflictError(
            "This project already has handgrading results; delete its rubric first.",
            code="has_results",
        )
    HandgradingRubric.objects.filter(project=dst_project).delete()
    fields = {name: getattr(source, name) for name in RUBRIC_FIELDS}
    rubric = HandgradingRubric.objects.create(project=dst_project, **{**fields, "released": False})
    Criterion.objects.bulk_create(
        Criterion(
            rubric=rubric,
            short_description=c.short_description,
            long_description=c.long_description,
            points=c.points,
            order=c.order,
        )
        for c in source.criteria.all()
    )
    Annotation.objects.bulk_create(
        Annotation(
            rubric=rubric,
            short_description=a.short_description,
            long_description=a.long_description,
            deduction=a.deduction,
            max_deduction=a.max_deduction,
            order=a.order,
        )
        for a in source.annotations.all()
    )
    return rubric


# --- Results ---------------------------------------------------------------------------------


def _touch(result: HandgradingResult) -> None:
    """Bumps the version (and locks the result row until commit); the other graders on the
    group hear of it once the change commits (`live_events`)."""
    HandgradingResult.objects.filter(pk=result.pk).update(
        version=F("version") + 1, last_modified=timezone.now()
    )
    live_events.handgrading_result_changed(result_id=result.pk)


def result_for_group(*, group: Group) -> HandgradingResult | None:
    """The group's result on its final graded submission, created on first use; None while
    the group has no final graded submission. When the final graded submission changed since,
    the result moves to it and keeps what was applied to files the new one still has."""
    submission = final_graded_submission(group=group)
    if submission is None:
        return None
    result = HandgradingResult.objects.filter(group=group).first()
    if result is None:
        try:
            with transaction.atomic():
                return HandgradingResult.objects.create(
                    group=group, project_id=group.project_id, submission=submission
                )
        except IntegrityError:
            # Another grader opened the group at the same moment: use theirs.
            result = HandgradingResult.objects.get(group=group)
    if result.submission_id != submission.pk:
        result = _repoint(result=result, submission=submission)
    return result


@transaction.atomic
def _repoint(*, result: HandgradingResult, submission: Submission) -> HandgradingResult:
    locked = HandgradingResult.objects.select_for_update().get(pk=result.pk)
    if locked.submission_id == submission.pk:
        return locked
    names = list(submission.submitted_filenames)
    locked.applied_annotations.exclude(filename__in=names).delete()
    locked.comments.exclude(filename="").exclude(filename__in=names).delete()
    locked.submission = submission
    locked.version += 1
    locked.save(update_fields=["submission", "version", "last_modified"])
    live_events.handgrading_result_changed(result_id=locked.pk)
    return locked


@transaction.atomic
def result_update(
    *,
    result: HandgradingResult,
    points_adjustment: Decimal | None = None,
    finished: bool | None = None,
) -> None:
    """Writes only the fields given, so a grader ticking "finished" never resets another's
    adjustment."""
    fields: dict[str, Any] = {}
    if points_adjustment is not None:
        fields["points_adjustment"] = points_adjustment
    if finished is not None:
        fields["finished"] = finished
    if fields:
        HandgradingResult.objects.filter(pk=result.pk).update(**fields)
    _touch(result)


@transaction.atomic
def criterion_select(
    *, result: HandgradingResult, criterion: Criterion, selected: bool, by: User
) -> CriterionResult:
    if criterion.rubric.project_id != result.project_id:
        raise field_error("criterion", "This criterion belongs to another project's rubric.")
    _touch(result)
    item, _ = CriterionResult.objects.update_or_create(
        result=result, criterion=criterion, defaults={"selected": selected, "updated_by": by}
    )
    return item


def _line_count(submission: Submission, filename: str) -> int:
    path = f"{submission.files_dir}/{filename}"
    try:
        with default_storage.open(path, "rb") as handle:
            data: bytes = handle.read()
    except FileNotFoundError:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


def _check_location(submission: Submission, filename: str, first_line: int, last_line: int) -> None:
    if filename not in submission.submitted_filenames:
        raise field_error("filename", f"The submission has no file named {filename!r}.")
    if first_line < 1:
        raise field_error("first_line", "Lines are numbered from 1.")
    if last_line < first_line:
        raise field_error("last_line", "The last line comes before the first.")
    lines = _line_count(submission, filename)
    if last_line > lines:
        raise field_error("last_line", f"{filename} has {lines} lines.")


@transaction.atomic
def annotation_apply(
    *,
    result: HandgradingResult,
    annotation: Annotation,
    filename: str,
    first_line: int,
    last_line: int,
    by: User,
) -> AppliedAnnotation:
    if annotation.rubric.project_id != result.project_id:
        raise field_error("annotation", "This annotation belongs to another project's rubric.")
    _check_location(result.submission, filename, first_line, last_line)
    _touch(result)
    return AppliedAnnotation.objects.create(
        result=result,
        annotation=annotation,
        filename=filename,
        first_line=first_line,
        last_line=last_line,
        created_by=by,
    )


@transaction.atomic
def applied_annotation_remove(*, applied: AppliedAnnotation) -> None:
    _touch(applied.result)
    applied.delete()


@transaction.atomic
def comment_create(
    *,
    result: HandgradingResult,
    text: str,
    by: User,
    filename: str = "",
    first_line: int | None = None,
    last_line: int | None = None,
) -> Comment:
    if filename:
        if first_line is None:
            raise field_error("first_line", "A comment on a file needs its lines.")
        _check_location(result.submission, filename, first_line, last_line or first_line)
        last_line = last_line or first_line
    else:
        first_line = last_line = None
    _touch(result)
    return Comment.objects.create(
        result=result,
        text=text,
        filename=filename,
        first_line=first_line,
        last_line=last_line,
        created_by=by,
    )


@transaction.atomic
def comment_update(*, comment: Comment, text: str) -> Comment:
    _touch(comment.result)
    comment.text = text
    comment.save(update_fields=["text", "last_modified"])
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment) -> None:
    _touch(comment.result)
    comment.delete()


# --- Assignments -----------------------------------------------------------------------------


@transaction.atomic
def assignments_set(*, project: Project, groups: Sequence[Group], grader: User | None) -> int:
    """Assigns `grader` to `groups` (None: unassigns them). Returns how many changed."""
    ids = [group.pk for group in groups]
    if grader is None:
        deleted: int = HandgradingAssignment.objects.filter(group_id__in=ids).delete()[0]
        return deleted
    for group_id in ids:
        HandgradingAssignment.objects.update_or_create(
            group_id=group_id, defaults={"grader": grader, "project": project}
        )
    return len(ids)
