from decimal import Decimal

from autograder.handgrading.models import PointsStyle
from autograder.handgrading.scoring import AnnotationRule, annotations_total, total_points

D = Decimal


def test_an_annotations_deductions_stop_at_its_cap() -> None:
    capped = AnnotationRule(D("-1.5"), D(-2))
    free = AnnotationRule(D(-1), None)
    applied = [(1, capped), (1, capped), (1, capped), (2, free), (2, free)]
    assert annotations_total(applied) == D(-4)


def test_start_at_max_subtracts_and_never_goes_below_zero() -> None:
    def total(annotations: Decimal) -> Decimal:
        return total_points(
            points_style=PointsStyle.START_AT_MAX_AND_SUBTRACT,
            max_points=D(10),
            criteria_points=[D(-3)],
            annotations=annotations,
            adjustment=D(0),
        )

    assert total(D(-2)) == D(5)
    assert total(D(-20)) == D(0)


def test_start_at_zero_adds_criteria_and_an_adjustment_may_exceed_the_maximum() -> None:
    total = total_points(
        points_style=PointsStyle.START_AT_ZERO_AND_ADD,
        max_points=D(10),
        criteria_points=[D(4), D(6)],
        annotations=D(0),
        adjustment=D("1.5"),
    )
    assert total == D("11.5")
