from decimal import Decimal

import pytest

from autograder.common.errors import ApplicationError
from autograder.handgrading import selectors, services
from autograder.handgrading.models import AppliedAnnotation, Comment, HandgradingRubric
from tests import factories
from tests.conftest import World
from tests.handgrading.helpers import make_graded, make_rubric, user

pytestmark = pytest.mark.django_db


def test_a_group_without_a_final_graded_submission_has_no_result(world: World) -> None:
    make_rubric(world.project)
    assert services.result_for_group(group=world.group) is None


def test_the_result_moves_to_a_new_final_graded_submission_keeping_items_on_kept_files(
    world: World,
) -> None:
    _, _, (magic,) = make_rubric(world.project)
    first = make_graded(world.group, {"main.cpp": "a\nb\n", "util.cpp": "c\n"})
    result = services.result_for_group(group=world.group)
    assert result is not None and result.submission_id == first.pk
    grader = user(world, "handgrader")
    services.annotation_apply(
        result=result, annotation=magic, filename="main.cpp", first_line=1, last_line=2, by=grader
    )
    services.annotation_apply(
        result=result, annotation=magic, filename="util.cpp", first_line=1, last_line=1, by=grader
    )
    services.comment_create(result=result, text="Overall good", by=grader)
    services.comment_create(result=result, text="Odd", filename="util.cpp", first_line=1, by=grader)

    second = make_graded(world.group, {"main.cpp": "a\nb\nc\n"})
    moved = services.result_for_group(group=world.group)

    assert moved is not None and moved.pk == result.pk and moved.submission_id == second.pk
    assert list(
        AppliedAnnotation.objects.filter(result=moved).values_list("filename", flat=True)
    ) == ["main.cpp"]
    assert sorted(Comment.objects.filter(result=moved).values_list("text", flat=True)) == [
        "Overall good"
    ]


def test_lines_outside_the_file_are_refused_naming_the_field(world: World) -> None:
    _, _, (magic,) = make_rubric(world.project)
    make_graded(world.group, {"main.cpp": "one\ntwo\n"})
    result = services.result_for_group(group=world.group)
    assert result is not None
    with pytest.raises(ApplicationError) as caught:
        services.annotation_apply(
            result=result, annotation=magic, filename="main.cpp", first_line=2, last_line=3,
            by=user(world, "staff"),
        )  # fmt: skip
    assert caught.value.fields == {"last_line": ["main.cpp has 2 lines."]}
    assert not AppliedAnnotation.objects.exists()


def test_copy_rubric_copies_settings_criteria_and_annotations_unreleased(world: World) -> None:
    make_rubric(world.project, released=True, handgraders_can_adjust_points=True)
    other = factories.make_project(world.course, name="P3")

    copied = services.copy_rubric(src_project=world.project, dst_project=other)

    assert copied.project_id == other.pk and not copied.released
    assert copied.handgraders_can_adjust_points and copied.max_points == Decimal(10)
    assert [c.short_description for c in copied.criteria.all()] == ["Readable", "Tested"]
    assert [(a.deduction, a.max_deduction) for a in copied.annotations.all()] == [
        (Decimal("-1.5"), Decimal(-2))
    ]
    assert HandgradingRubric.objects.count() == 2


def test_copy_rubric_is_refused_while_the_destination_has_results(world: World) -> None:
    make_rubric(world.project)
    other = factories.make_project(world.course, name="P3")
    make_rubric(other)
    make_graded(factories.make_group(other, user(world, "student")))
    group = other.groups.get()
    assert services.result_for_group(group=group) is not None

    with pytest.raises(ApplicationError) as caught:
        services.copy_rubric(src_project=world.project, dst_project=other)
    assert caught.value.code == "has_results"


def test_result_update_writes_only_the_fields_given(world: World) -> None:
    make_rubric(world.project)
    make_graded(world.group)
    result = services.result_for_group(group=world.group)
    assert result is not None
    services.result_update(result=result, points_adjustment=Decimal(2))
    services.result_update(result=result, finished=True)
    result.refresh_from_db()
    assert (result.points_adjustment, result.finished, result.version) == (Decimal(2), True, 2)


def test_handgraded_points_of_many_groups(world: World) -> None:
    _, (_, tested), (magic,) = make_rubric(world.project)
    make_graded(world.group)
    result = services.result_for_group(group=world.group)
    assert result is not None
    staff = user(world, "staff")
    services.criterion_select(result=result, criterion=tested, selected=True, by=staff)
    for _ in range(3):
        services.annotation_apply(
            result=result, annotation=magic, filename="main.cpp", first_line=1, last_line=1,
            by=staff,
        )  # fmt: skip

    points = selectors.handgraded_points(
        project=world.project, group_ids=[world.group.pk, world.other_group.pk]
    )

    assert points == {world.group.pk: (Decimal(4), Decimal(10))}  # 6 - min(4.5, 2)
