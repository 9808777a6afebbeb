"""Writes of test cases: create, update (rename, feedback, move to another suite), delete,
reorder."""

from typing import Any

from django.db import transaction

from autograder.common.errors import ApplicationError, field_error
from autograder.grading.config import feedback_settings
from autograder.grading.config.models import AGTestCase, AGTestSuite
from autograder.grading.config.services.editing import (
    CASE_TEXT_FIELDS,
    clean_name,
    full_clean,
    lock_suite,
    merged_feedback,
    next_order,
    reorder,
    save_unique,
)


def _case_duplicate(suite_name: str, name: str, *, field: str) -> ApplicationError:
    return field_error(
        field,
        f"Suite {suite_name!r} already has a test case named {name!r}.",
        code="duplicate_name",
    )


def _case_validate_and_save(case: AGTestCase, *, name_field: str = "name") -> None:
    clean_name(case, "test case")
    case.feedback = feedback_settings.normalize_case_feedback(case.feedback)
    full_clean(case, exclude=["suite"])
    duplicate = _case_duplicate(case.suite.name, case.name, field=name_field)
    if (
        AGTestCase.objects.filter(suite_id=case.suite_id, name=case.name)
        .exclude(pk=case.pk)
        .exists()
    ):
        raise duplicate
    save_unique(case, duplicate)


def _check_text_fields(texts: dict[str, str]) -> None:
    unknown = sorted(set(texts) - set(CASE_TEXT_FIELDS))
    if unknown:
        raise TypeError(f"Not test case text fields: {unknown}")


@transaction.atomic
def case_create(
    *, suite: AGTestSuite, name: str, feedback: dict[str, Any] | None = None, **texts: str
) -> AGTestCase:
    """Adds a test case at the end of `suite`. `texts` are any of CASE_TEXT_FIELDS."""
    _check_text_fields(texts)
    locked = lock_suite(suite)
    case = AGTestCase(
        suite=locked,
        name=name,
        order=next_order(AGTestCase.objects.filter(suite=locked)),
        feedback=feedback if feedback is not None else {},
        **texts,
    )
    _case_validate_and_save(case)
    return case


@transaction.atomic
def case_update(
    *,
    case: AGTestCase,
    name: str | None = None,
    feedback: dict[str, Any] | None = None,
    suite: AGTestSuite | None = None,
    **texts: str,
) -> AGTestCase:
    """Renames, changes feedback (merged into what is stored) and texts (CASE_TEXT_FIELDS)
    and/or moves the case to the end of another `suite` of the same project, all or nothing."""
    _check_text_fields(texts)
    locked = (
        AGTestCase.objects.select_for_update(of=("self",)).select_related("suite").get(pk=case.pk)
    )
    moving = False
    if suite is not None and suite.pk != locked.suite_id:
        moving = True
        if suite.project_id != locked.suite.project_id:
            raise field_error(
                "suite",
                "A test case can only move to a suite of the same project.",
                code="other_project",
            )
        target = lock_suite(suite)
        locked.suite = target
        locked.order = next_order(AGTestCase.objects.filter(suite=target))
    if name is not None:
        locked.name = name
    if feedback is not None:
        locked.feedback = merged_feedback(locked.feedback, feedback)
    for field, text in texts.items():
        setattr(locked, field, text)
    _case_validate_and_save(locked, name_field="suite" if moving and name is None else "name")
    return locked


def case_delete(*, case: AGTestCase) -> None:
    """Deletes a test case with its commands; their results stay, unlinked."""
    case.delete()


@transaction.atomic
def case_reorder(*, parent: AGTestSuite, ids: list[int]) -> list[int]:
    lock_suite(parent)
    return reorder(
        AGTestCase.objects.filter(suite=parent), ids, children="test cases", parent="suite"
    )
