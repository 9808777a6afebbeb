"""What a handgrading result is worth: the one formula, used by the grading page, the
student's view and the gradebook alike."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from autograder.handgrading.models import PointsStyle

ZERO = Decimal(0)


@dataclass(frozen=True)
class AnnotationRule:
    deduction: Decimal
    max_deduction: Decimal | None


def annotations_total(applied: Iterable[tuple[int, AnnotationRule]]) -> Decimal:
    """The sum of applied annotations (annotation id, its rule), each annotation's sum capped
    at its `max_deduction` (deductions are negative, so the cap is the smaller magnitude)."""
    sums: dict[int, Decimal] = defaultdict(lambda: ZERO)
    rules: dict[int, AnnotationRule] = {}
    for annotation_id, rule in applied:
        sums[annotation_id] += rule.deduction
        rules[annotation_id] = rule
    total = ZERO
    for annotation_id, amount in sums.items():
        cap = rules[annotation_id].max_deduction
        total += max(amount, cap) if cap is not None else amount
    return total


def total_points(
    *,
    points_style: str,
    max_points: Decimal,
    criteria_points: Iterable[Decimal],
    annotations: Decimal,
    adjustment: Decimal,
) -> Decimal:
    """Start at zero (or at the maximum), add the ticked criteria, the annotations and the
    adjustment; never below zero. An adjustment may lift it above the maximum (a bonus)."""
    base = max_points if points_style == PointsStyle.START_AT_MAX_AND_SUBTRACT else ZERO
    return max(ZERO, base + sum(criteria_points, ZERO) + annotations + adjustment)
