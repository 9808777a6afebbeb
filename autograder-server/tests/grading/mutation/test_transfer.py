"""Mutation suites in tests as code: exported in `mutation_suites` (the zip carrying the buggy
implementations with the other instructor files), imported by name (create, update, keep or
delete), dry runs listing the changes, errors naming the YAML path; and a project imported
from the export grades a submission exactly as the original does."""

import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from autograder.common.errors import ApplicationError
from autograder.grading.config.transfer import exporting, importing
from autograder.grading.mutation.models import MutationSuiteResult, MutationTestSuite
from autograder.projects.models import Project
from autograder.sandbox.pool import PoolManager
from tests import factories
from tests.grading import pipeline_helpers as h
from tests.grading.mutation.project import BUGS, STUDENT_TESTS, mutation_suite

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def configured() -> MutationTestSuite:
    return mutation_suite(
        points_per_exposed_bug=Decimal("1.25"),
        max_points=3,
        feedback={"normal": {"bugs_exposed_feedback": "exposed_bug_names"}},
    )


def _import(project: Project, data: bytes | str, *, dry_run: bool = False, **kw: Any) -> Any:
    raw = data.encode() if isinstance(data, str) else data
    return importing.project_config_import(project=project, data=raw, dry_run=dry_run, **kw)


def test_the_export_lists_mutation_suites_with_only_what_differs() -> None:
    suite = configured()
    document = yaml.safe_load(exporting.project_config_yaml(project=suite.project))
    (entry,) = document["mutation_suites"]
    assert entry == {
        "name": "Your tests",
        "buggy_impl_names": ["bug_mean", "bug_max", "bug_count"],
        "get_student_test_names_command": "python3 list_tests.py",
        "validity_check_command": "python3 run_test.py stats.py ${student_test_name}",
        "validity_time_limit_s": 2,
        "grade_buggy_impl_command": (
            "python3 run_test.py ${buggy_impl_name}.py ${student_test_name}"
        ),
        "points_per_exposed_bug": 1.25,
        "max_points": 3,
        "instructor_files_needed": sorted(
            ["stats.py", "run_test.py", "list_tests.py", "run_all.py", *(f"{b}.py" for b in BUGS)]
        ),
        "feedback": {"normal": {"bugs_exposed_feedback": "exposed_bug_names"}},
    }
    with zipfile.ZipFile(io.BytesIO(exporting.project_config_zip(project=suite.project))) as zf:
        assert zf.read("instructor_files/bug_max.py") == BUGS["bug_max"]


def test_a_project_without_mutation_suites_keeps_its_short_document() -> None:
    project = h.project_with_catch_all()
    assert "mutation_suites" not in yaml.safe_load(exporting.project_config_yaml(project=project))


def test_export_then_import_into_an_empty_project_gives_the_same_document() -> None:
    source = configured().project
    empty = factories.make_project(source.course, name="Empty")
    result = _import(empty, exporting.project_config_zip(project=source))

    assert "create mutation suite 'Your tests'" in [c.text for c in result.changes]
    empty.refresh_from_db()
    assert exporting.project_config_yaml(project=empty) == exporting.project_config_yaml(
        project=source
    )
    copy = MutationTestSuite.objects.get(project=empty)
    assert copy.points_per_exposed_bug == Decimal("1.25")
    assert {f.project_id for f in copy.instructor_files_needed.all()} == {empty.pk}
    # Importing the same document again changes nothing.
    assert _import(empty, exporting.project_config_yaml(project=source)).changes == []


def test_a_dry_run_lists_the_changes_and_stores_nothing_then_applying_does_them() -> None:
    suite = configured()
    document = yaml.safe_load(exporting.project_config_yaml(project=suite.project))
    document["mutation_suites"][0]["points_per_exposed_bug"] = 0.1
    document["mutation_suites"][0]["feedback"] = {"normal": {"show_points": False}}
    document["mutation_suites"].append(
        {**document["mutation_suites"][0], "name": "More tests", "max_points": None}
    )
    text = yaml.safe_dump(document)

    preview = _import(suite.project, text, dry_run=True)
    texts = [c.text for c in preview.changes]
    assert texts[0] == (
        "update mutation suite 'Your tests': points_per_exposed_bug 1.25 → 0.1; "
        "feedback.normal.show_points True → False; "
        "feedback.normal.bugs_exposed_feedback 'exposed_bug_names' → 'num_bugs_exposed'"
    )
    assert "create mutation suite 'More tests'" in texts
    assert not preview.applied
    assert MutationTestSuite.objects.get(pk=suite.pk).points_per_exposed_bug == Decimal("1.25")
    assert MutationTestSuite.objects.filter(project=suite.project).count() == 1

    applied = _import(suite.project, text)
    assert [c.text for c in applied.changes] == texts
    suite.refresh_from_db()
    assert suite.points_per_exposed_bug == Decimal("0.10")
    assert suite.feedback["normal"]["show_points"] is False
    more = MutationTestSuite.objects.get(project=suite.project, name="More tests")
    assert (more.max_points, more.order) == (None, 1)


def test_suites_the_document_leaves_out_are_kept_unless_deletion_is_asked() -> None:
    suite = configured()
    text = "format: autograder-project/1\nmutation_suites: []\n"
    kept = _import(suite.project, text)
    assert [c.text for c in kept.changes] == [
        "keep mutation suite 'Your tests': not in the document"
    ]
    deleted = _import(suite.project, text, delete_missing=True)
    assert [c.text for c in deleted.changes] == ["delete mutation suite 'Your tests'"]
    assert not MutationTestSuite.objects.filter(pk=suite.pk).exists()


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"grade_buggy_impl_command": "./t"}, "mutation_suites[0].grade_buggy_impl_command"),
        ({"points_per_exposed_bug": "many"}, "mutation_suites[0].points_per_exposed_bug"),
        ({"points_per_exposed_bug": 1.255}, "mutation_suites[0].points_per_exposed_bug"),
        ({"instructor_files_needed": ["nope.py"]}, "mutation_suites[0].instructor_files_needed[0]"),
        ({"sandbox_image": "evil:latest"}, "mutation_suites[0].sandbox_image"),
        ({"feedback": {"normal": {"bugs_exposed_feedback": "all"}}}, "mutation_suites[0].feedback"),
        ({"buggy": ["x"]}, "mutation_suites[0].buggy"),
    ],
)
def test_errors_name_the_yaml_path_and_nothing_is_stored(change: dict[str, Any], path: str) -> None:
    suite = configured()
    document = yaml.safe_load(exporting.project_config_yaml(project=suite.project))
    document["mutation_suites"][0] |= change
    document["suites"] = [{"name": "Would be created"}]
    with pytest.raises(ApplicationError) as raised:
        _import(suite.project, yaml.safe_dump(document))
    assert any(key.startswith(path) for key in raised.value.fields), raised.value.fields
    assert MutationTestSuite.objects.get(pk=suite.pk).points_per_exposed_bug == Decimal("1.25")
    assert not suite.project.suites.exists()


def test_an_imported_project_grades_a_submission_as_the_original(provider: PoolManager) -> None:
    source = configured().project
    imported = h.project_with_catch_all()
    _import(imported, exporting.project_config_zip(project=source))

    results = []
    for project in (source, imported):
        submission = h.grade(provider, h.submit(project, {"test_stats.py": STUDENT_TESTS}))
        result = MutationSuiteResult.objects.get(submission=submission)
        results.append(
            (
                result.error_message,
                result.valid_tests,
                result.invalid_tests,
                result.bugs_exposed,
                result.points_awarded,
                result.points_possible,
            )
        )
    assert results[0] == results[1]
    assert results[0][3:] == (["bug_mean", "bug_max"], Decimal("2.50"), Decimal("3.00"))
