"""`JoinedGet` reads what `select_related(path).get(pk=...)` reads: the same field values
(JSON, decimals, times with their zone), the chain cached on each object, one query."""

from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from autograder.common.joined_get import JoinedGet
from autograder.submissions.models import Submission
from tests.conftest import World
from tests.grading import factories as f

pytestmark = pytest.mark.django_db


def values(obj: Model) -> dict[str, Any]:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def test_the_row_and_its_chain_are_the_orms(world: World) -> None:
    submission = f.make_submission(world.group, missing_files={"*.cpp": 1}, total_size=1234)
    f.grade(submission, {})
    expected = Submission.objects.select_related("group__project__course").get(pk=submission.pk)

    with CaptureQueriesContext(connection) as queries:
        found = JoinedGet(Submission, "group__project__course").get(submission.pk)
        assert found is not None
        chain = [found, found.group, found.group.project, found.group.project.course]
    assert len(queries) == 1, "the chain is read in the same query"

    wanted = [expected, expected.group, expected.group.project, expected.group.project.course]
    for mine, theirs in zip(chain, wanted, strict=True):
        assert type(mine) is type(theirs)
        assert values(mine) == values(theirs)
        assert not mine._state.adding and mine._state.db == "default"
    assert found.submitted_filenames == ["main.cpp"] and found.missing_files == {"*.cpp": 1}
    assert found.timestamp.tzinfo is not None


def test_no_such_row_is_none(world: World) -> None:
    assert JoinedGet(Submission, "group__project__course").get(999_999) is None


def test_only_foreign_keys_are_followed(world: World) -> None:
    submission = f.make_submission(world.group)
    with pytest.raises(TypeError, match="not a non-null foreign key"):
        JoinedGet(Submission, "status").get(submission.pk)
