import dataclasses
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.common.errors import ApplicationError
from autograder.courses.models import Role
from autograder.grading.config import feedback_settings as feedback_config
from autograder.grading.config import selectors, services
from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite
from autograder.grading.config.serializers import SuiteOutput
from autograder.grading.results.models import (
    AGTestCaseResult,
    AGTestCommandResult,
    AGTestSuiteResult,
)
from autograder.projects.models import ExpectedStudentFile, InstructorFile, Project
from autograder.submissions.models import Submission
from tests import factories

pytestmark = pytest.mark.django_db


def _file(project: Project, name: str) -> InstructorFile:
    return InstructorFile.objects.create(
        project=project, name=name, file_obj=f"projects/{project.pk}/{name}"
    )


def _field_error(exc: pytest.ExceptionInfo[ApplicationError], field: str) -> str:
    assert exc.value.status == 400
    assert field in exc.value.fields, exc.value.fields
    return " ".join(exc.value.fields[field])


@pytest.fixture
def project() -> Project:
    return factories.make_project(name="P1")


@pytest.fixture
def suite(project: Project) -> AGTestSuite:
    return services.suite_create(project=project, name="Public tests")


@pytest.fixture
def case(suite: AGTestSuite) -> AGTestCase:
    return services.case_create(suite=suite, name="Small input")


def _command(case: AGTestCase, name: str = "run", **fields: Any) -> AGTestCommand:
    return services.command_create(case=case, name=name, cmd="./prog < in.txt", **fields)


# --- Suites ---------------------------------------------------------------------------------


class TestSuites:
    def test_new_suites_go_last_with_complete_feedback(self, project: Project) -> None:
        first = services.suite_create(project=project, name="A")
        second = services.suite_create(
            project=project, name="  B  ", feedback={"normal": {"show_setup_stdout": True}}
        )
        assert (first.order, second.order) == (0, 1)
        assert second.name == "B"
        assert set(second.feedback) == {"normal", "past_limit", "final_graded", "staff_viewer"}
        assert second.feedback["normal"]["show_setup_stdout"] is True
        assert second.feedback["normal"]["visible"] is True
        assert (
            second.feedback_settings()[feedback_config.FeedbackCategory.PAST_LIMIT]
            == (feedback_config.SUITE_DEFAULTS[feedback_config.FeedbackCategory.PAST_LIMIT])
        )

    def test_every_field_is_stored(self, project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("AG_SANDBOX_IMAGES", "python:3.12")  # a site offering that image
        driver = _file(project, "driver.py")
        expected = factories.make_expected_file(project, "*.py", 1, 3)
        suite = services.suite_create(
            project=project,
            name="Suite",
            sandbox_image="python:3.12",
            instructor_files_needed=[driver],
            student_files_needed=[expected],
            setup_command="make",
            setup_name="Compile",
            setup_time_limit_s=120,
            reject_submission_if_setup_fails=True,
            allow_network=True,
            deferred=False,
        )
        suite.refresh_from_db()
        assert list(suite.instructor_files_needed.all()) == [driver]
        assert list(suite.student_files_needed.all()) == [expected]
        assert (suite.setup_command, suite.setup_name, suite.setup_time_limit_s) == (
            "make",
            "Compile",
            120,
        )
        assert suite.allow_network and suite.reject_submission_if_setup_fails

    def test_names_are_unique_per_project(self, project: Project, suite: AGTestSuite) -> None:
        with pytest.raises(ApplicationError) as exc:
            services.suite_create(project=project, name="Public tests")
        assert exc.value.code == "duplicate_name"
        assert "already has a suite named" in _field_error(exc, "name")
        other = services.suite_create(project=factories.make_project(), name="Public tests")
        assert other.name == "Public tests"
        with pytest.raises(ApplicationError):
            services.suite_update(
                suite=services.suite_create(project=project, name="Other"), name="Public tests"
            )

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"name": "   "}, "name"),
            ({"setup_command": "x" * 1001}, "setup_command"),
            ({"setup_time_limit_s": 0}, "setup_time_limit_s"),
            ({"setup_time_limit_s": 601}, "setup_time_limit_s"),
            ({"feedback": {"normal": {"colour": "red"}}}, "feedback.normal"),
            ({"feedback": {"normal": {"visible": "yes"}}}, "feedback.normal"),
            ({"feedback": {"first_failed_test": {}}}, "feedback"),
            ({"feedback": "public"}, "feedback"),
        ],
    )
    def test_bad_values_name_the_field(
        self, project: Project, fields: dict[str, Any], field: str
    ) -> None:
        fields.setdefault("name", "S")
        with pytest.raises(ApplicationError) as exc:
            services.suite_create(project=project, **fields)
        _field_error(exc, field)
        assert not AGTestSuite.objects.filter(project=project).exists()

    def test_files_must_belong_to_the_project(self, project: Project) -> None:
        other = factories.make_project()
        with pytest.raises(ApplicationError) as exc:
            services.suite_create(
                project=project, name="S", instructor_files_needed=[_file(other, "x.py")]
            )
        assert exc.value.code == "file_of_other_project"
        _field_error(exc, "instructor_files_needed")
        with pytest.raises(ApplicationError) as exc:
            services.suite_create(
                project=project,
                name="S",
                student_files_needed=[factories.make_expected_file(other, "*.c")],
            )
        _field_error(exc, "student_files_needed")
        assert not AGTestSuite.objects.filter(project=project).exists()

    def test_feedback_changes_are_merged(self, suite: AGTestSuite) -> None:
        services.suite_update(suite=suite, feedback={"normal": {"show_setup_stdout": True}})
        services.suite_update(suite=suite, feedback={"normal": {"visible": False}})
        suite.refresh_from_db()
        assert suite.feedback["normal"]["show_setup_stdout"] is True
        assert suite.feedback["normal"]["visible"] is False

    def test_reorder(self, project: Project, suite: AGTestSuite) -> None:
        b = services.suite_create(project=project, name="B")
        c = services.suite_create(project=project, name="C")
        assert services.suite_reorder(parent=project, ids=[c.pk, suite.pk, b.pk]) == [
            c.pk,
            suite.pk,
            b.pk,
        ]
        assert selectors.suite_ids(project=project) == [c.pk, suite.pk, b.pk]

    @pytest.mark.parametrize("wrong", ["missing", "extra", "duplicate", "foreign"])
    def test_reorder_needs_exactly_the_children(
        self, project: Project, suite: AGTestSuite, wrong: str
    ) -> None:
        b = services.suite_create(project=project, name="B")
        foreign = services.suite_create(project=factories.make_project(), name="X")
        ids = {
            "missing": [b.pk],
            "extra": [b.pk, suite.pk, 999999],
            "duplicate": [b.pk, suite.pk, b.pk],
            "foreign": [b.pk, foreign.pk],
        }[wrong]
        with pytest.raises(ApplicationError) as exc:
            services.suite_reorder(parent=project, ids=ids)
        _field_error(exc, "ids")
        assert selectors.suite_ids(project=project) == [suite.pk, b.pk]


class TestSetupRejection:
    def test_only_the_first_non_deferred_suite_may_reject(self, project: Project) -> None:
        services.suite_create(project=project, name="Deferred", deferred=True)
        first = services.suite_create(
            project=project, name="First", reject_submission_if_setup_fails=True
        )
        assert first.reject_submission_if_setup_fails
        with pytest.raises(ApplicationError) as exc:
            services.suite_create(
                project=project, name="Second", reject_submission_if_setup_fails=True
            )
        assert exc.value.code == "setup_rejection_not_first"
        _field_error(exc, "reject_submission_if_setup_fails")

    def test_a_deferred_suite_may_not_reject(self, project: Project) -> None:
        with pytest.raises(ApplicationError) as exc:
            services.suite_create(
                project=project, name="D", deferred=True, reject_submission_if_setup_fails=True
            )
        _field_error(exc, "reject_submission_if_setup_fails")

    def test_changes_that_would_put_another_suite_first_are_refused(self, project: Project) -> None:
        deferred = services.suite_create(project=project, name="D", deferred=True)
        first = services.suite_create(
            project=project, name="F", reject_submission_if_setup_fails=True
        )
        with pytest.raises(ApplicationError) as exc:
            services.suite_update(suite=deferred, deferred=False)
        _field_error(exc, "deferred")
        later = services.suite_create(project=project, name="L")
        with pytest.raises(ApplicationError) as exc:
            services.suite_reorder(parent=project, ids=[later.pk, first.pk, deferred.pk])
        _field_error(exc, "ids")
        assert selectors.suite_ids(project=project) == [deferred.pk, first.pk, later.pk]


# --- Test cases -----------------------------------------------------------------------------


class TestCases:
    def test_create_appends_and_normalizes(self, suite: AGTestSuite, case: AGTestCase) -> None:
        second = services.case_create(
            suite=suite, name="Big input", feedback={"final_graded": {"visible": False}}
        )
        assert (case.order, second.order) == (0, 1)
        assert second.feedback["final_graded"] == {
            "visible": False,
            "show_individual_commands": True,
        }
        assert second.feedback["normal"]["visible"] is True

    def test_names_are_unique_per_suite(
        self, project: Project, suite: AGTestSuite, case: AGTestCase
    ) -> None:
        with pytest.raises(ApplicationError) as exc:
            services.case_create(suite=suite, name="Small input")
        assert "already has a test case named" in _field_error(exc, "name")
        other_suite = services.suite_create(project=project, name="Other")
        assert services.case_create(suite=other_suite, name="Small input").pk

    def test_move_appends_to_the_target_suite(
        self, project: Project, suite: AGTestSuite, case: AGTestCase
    ) -> None:
        _command(case)
        target = services.suite_create(project=project, name="Target")
        services.case_create(suite=target, name="Existing")
        moved = services.case_update(case=case, suite=target)
        assert moved.suite_id == target.pk
        assert [c.name for c in selectors.suite_cases(suite=target)] == [
            "Existing",
            "Small input",
        ]
        assert moved.commands.count() == 1

    def test_move_stays_in_the_project(self, case: AGTestCase) -> None:
        elsewhere = services.suite_create(project=factories.make_project(), name="S")
        with pytest.raises(ApplicationError) as exc:
            services.case_update(case=case, suite=elsewhere)
        _field_error(exc, "suite")
        case.refresh_from_db()
        assert case.suite_id != elsewhere.pk

    def test_move_into_a_suite_with_the_same_name_is_refused(
        self, project: Project, case: AGTestCase
    ) -> None:
        target = services.suite_create(project=project, name="Target")
        services.case_create(suite=target, name="Small input")
        with pytest.raises(ApplicationError) as exc:
            services.case_update(case=case, suite=target)
        _field_error(exc, "suite")
        renamed = services.case_update(case=case, suite=target, name="Small input 2")
        assert renamed.suite_id == target.pk

    def test_update_merges_feedback(self, case: AGTestCase) -> None:
        services.case_update(case=case, feedback={"normal": {"show_individual_commands": False}})
        services.case_update(case=case, name="Renamed")
        case.refresh_from_db()
        assert case.name == "Renamed"
        assert case.feedback["normal"] == {"visible": True, "show_individual_commands": False}

    def test_reorder(self, suite: AGTestSuite, case: AGTestCase) -> None:
        second = services.case_create(suite=suite, name="Second")
        services.case_reorder(parent=suite, ids=[second.pk, case.pk])
        assert selectors.case_ids(suite=suite) == [second.pk, case.pk]
        with pytest.raises(ApplicationError) as exc:
            services.case_reorder(parent=suite, ids=[second.pk])
        assert "missing" in _field_error(exc, "ids")


# --- Commands -------------------------------------------------------------------------------


class TestCommands:
    def test_defaults(self, case: AGTestCase) -> None:
        command = _command(case)
        assert command.order == 0
        assert command.time_limit_s == 10
        assert command.stdin_source == "none"
        assert command.feedback == feedback_config.normalize_command_feedback({})
        assert "first_failed_test" not in command.feedback

    def test_every_field_is_stored(self, project: Project, case: AGTestCase) -> None:
        stdin = _file(project, "in.txt")
        out = _file(project, "out.txt")
        err = _file(project, "err.txt")
        command = _command(
            case,
            stdin_source="instructor_file",
            stdin_instructor_file=stdin,
            expected_return_code="nonzero",
            expected_stdout_source="instructor_file",
            expected_stdout_instructor_file=out,
            expected_stderr_source="instructor_file",
            expected_stderr_instructor_file=err,
            ignore_case=True,
            ignore_whitespace=True,
            ignore_whitespace_changes=True,
            ignore_blank_lines=True,
            points_for_correct_return_code=1,
            points_for_correct_stdout=2,
            points_for_correct_stderr=3,
            deduction_for_wrong_return_code=4,
            deduction_for_wrong_stdout=5,
            deduction_for_wrong_stderr=6,
            time_limit_s=90,
            memory_limit_bytes=256 * 1024 * 1024,
            block_process_spawn=True,
            output_cap_bytes=4096,
            feedback={"first_failed_test": {"show_actual_stdout": True}},
        )
        command.refresh_from_db()
        assert command.stdin_instructor_file == stdin
        assert command.expected_stderr_instructor_file == err
        assert command.points_possible == 6
        assert command.time_limit_s == 90
        assert command.feedback["first_failed_test"]["show_actual_stdout"] is True

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"cmd": ""}, "cmd"),
            ({"cmd": "  \n "}, "cmd"),
            ({"cmd": "x" * 1001}, "cmd"),
            ({"name": ""}, "name"),
            ({"time_limit_s": 0}, "time_limit_s"),
            ({"time_limit_s": 91}, "time_limit_s"),
            ({"memory_limit_bytes": 1000}, "memory_limit_bytes"),
            ({"output_cap_bytes": 10}, "output_cap_bytes"),
            ({"stdin_source": "keyboard"}, "stdin_source"),
            ({"expected_return_code": "42"}, "expected_return_code"),
            ({"points_for_correct_stdout": -1}, "points_for_correct_stdout"),
            ({"stdin_source": "instructor_file"}, "stdin_instructor_file"),
            ({"expected_stdout_source": "instructor_file"}, "expected_stdout_instructor_file"),
            ({"expected_stderr_source": "instructor_file"}, "expected_stderr_instructor_file"),
            ({"feedback": {"normal": {"stdout_feedback": "everything"}}}, "feedback.normal"),
            ({"feedback": {"ultimate": {}}}, "feedback"),
        ],
    )
    def test_bad_values_name_the_field(
        self, case: AGTestCase, fields: dict[str, Any], field: str
    ) -> None:
        arguments: dict[str, Any] = {"name": "run", "cmd": "true", **fields}
        with pytest.raises(ApplicationError) as exc:
            services.command_create(case=case, **arguments)
        _field_error(exc, field)
        assert not case.commands.exists()

    def test_longest_command_is_fine(self, case: AGTestCase) -> None:
        command = services.command_create(case=case, name="long", cmd="x" * 1000)
        assert len(command.cmd) == 1000

    def test_instructor_files_must_belong_to_the_project(self, case: AGTestCase) -> None:
        foreign = _file(factories.make_project(), "out.txt")
        with pytest.raises(ApplicationError) as exc:
            _command(
                case,
                expected_stdout_source="instructor_file",
                expected_stdout_instructor_file=foreign,
            )
        assert exc.value.code == "file_of_other_project"
        _field_error(exc, "expected_stdout_instructor_file")

    def test_names_are_unique_per_case(self, case: AGTestCase) -> None:
        _command(case)
        with pytest.raises(ApplicationError) as exc:
            _command(case)
        assert "already has a command named" in _field_error(exc, "name")

    def test_update_checks_the_whole_command(self, project: Project, case: AGTestCase) -> None:
        command = _command(case)
        with pytest.raises(ApplicationError) as exc:
            services.command_update(command=command, stdin_source="instructor_file")
        _field_error(exc, "stdin_instructor_file")
        stdin = _file(project, "in.txt")
        services.command_update(
            command=command, stdin_source="instructor_file", stdin_instructor_file=stdin
        )
        command.refresh_from_db()
        assert command.stdin_instructor_file == stdin

    def test_first_failed_test_override_can_be_removed(self, case: AGTestCase) -> None:
        command = _command(case, feedback={"first_failed_test": {"show_actual_stdout": True}})
        services.command_update(command=command, feedback={"normal": {"show_points": False}})
        command.refresh_from_db()
        assert "first_failed_test" in command.feedback
        assert command.feedback["normal"]["show_points"] is False
        services.command_update(command=command, feedback={"first_failed_test": None})
        command.refresh_from_db()
        assert "first_failed_test" not in command.feedback
        assert command.feedback["normal"]["show_points"] is False

    def test_a_deleted_instructor_file_leaves_a_serializable_config(
        self, project: Project, suite: AGTestSuite, case: AGTestCase
    ) -> None:
        stdin = _file(project, "in.txt")
        services.suite_update(suite=suite, instructor_files_needed=[stdin])
        _command(case, stdin_source="instructor_file", stdin_instructor_file=stdin)
        stdin.delete()
        body = SuiteOutput(selectors.project_test_config(project=project), many=True).data
        command = body[0]["cases"][0]["commands"][0]
        assert command["stdin_instructor_file"] is None
        assert body[0]["instructor_files_needed"] == []

    def test_reorder(self, case: AGTestCase) -> None:
        a = _command(case, "a")
        b = _command(case, "b")
        services.command_reorder(parent=case, ids=[b.pk, a.pk])
        assert selectors.command_ids(case=case) == [b.pk, a.pk]
        with pytest.raises(ApplicationError) as exc:
            services.command_reorder(parent=case, ids=[b.pk, a.pk, 12345678])
        _field_error(exc, "ids")


_setting_names = [f.name for f in dataclasses.fields(feedback_config.CommandFeedback)]
_setting_values = st.one_of(
    st.booleans(),
    st.sampled_from([level.value for level in feedback_config.OutputFeedback]),
    st.none(),
    st.integers(-1, 2),
    st.text(max_size=4),
)
_category_values = st.one_of(
    st.none(),
    st.integers(),
    st.dictionaries(st.sampled_from([*_setting_names, "bogus"]), _setting_values, max_size=4),
)
_feedback_changes = st.dictionaries(
    st.sampled_from([*(c.value for c in feedback_config.FeedbackCategory), "ultimate"]),
    _category_values,
    max_size=3,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=st.lists(_feedback_changes, min_size=1, max_size=3))
def test_feedback_is_stored_complete_or_refused_whole(
    case: AGTestCase, changes: list[dict[str, Any]]
) -> None:
    with transaction.atomic():
        command = _command(case)
        for change in changes:
            before = AGTestCommand.objects.get(pk=command.pk).feedback
            try:
                services.command_update(command=command, feedback=change)
            except ApplicationError as exc:
                assert exc.status == 400
                assert all(field.startswith("feedback") for field in exc.fields)
                assert AGTestCommand.objects.get(pk=command.pk).feedback == before
                continue
            stored = AGTestCommand.objects.get(pk=command.pk).feedback
            assert stored == feedback_config.normalize_command_feedback(stored)
            for category, changed in change.items():
                if isinstance(changed, dict):
                    assert stored[category] == {**stored[category], **changed}
                elif changed is None and category == "first_failed_test":
                    assert category not in stored
        transaction.set_rollback(True)


def test_a_null_category_goes_back_to_its_defaults(case: AGTestCase) -> None:
    services.case_update(case=case, feedback={"past_limit": {"visible": False}})
    services.case_update(case=case, feedback={"past_limit": None})
    case.refresh_from_db()
    assert case.feedback["past_limit"] == feedback_config.CaseFeedback().to_json()


# --- Results are never touched --------------------------------------------------------------


def _graded(project: Project, suite: AGTestSuite, case: AGTestCase) -> AGTestCommandResult:
    student = factories.add_role(project.course, factories.make_user(), Role.STUDENT)
    group = factories.make_group(project, student)
    submission = Submission.objects.create(group=group, project=project, submitter=student)
    command = _command(case)
    suite_result = AGTestSuiteResult.objects.create(
        submission=submission, suite=suite, suite_name=suite.name
    )
    case_result = AGTestCaseResult.objects.create(
        suite_result=suite_result, case=case, case_name=case.name
    )
    return AGTestCommandResult.objects.create(
        case_result=case_result,
        command=command,
        command_name=command.name,
        points_awarded=3,
        points_possible=3,
    )


def test_editing_config_leaves_results_as_graded(
    project: Project, suite: AGTestSuite, case: AGTestCase
) -> None:
    result = _graded(project, suite, case)
    assert result.command is not None
    services.command_update(command=result.command, name="renamed", points_for_correct_stdout=9)
    services.case_update(case=case, name="Renamed case")
    services.suite_update(suite=suite, name="Renamed suite")
    result.refresh_from_db()
    assert (result.command_name, result.points_awarded, result.points_possible) == ("run", 3, 3)
    assert result.case_result.case_name == "Small input"
    assert result.case_result.suite_result.suite_name == "Public tests"


def test_deleting_config_keeps_results_unlinked(
    project: Project, suite: AGTestSuite, case: AGTestCase
) -> None:
    result = _graded(project, suite, case)
    services.suite_delete(suite=suite)
    assert not AGTestCommand.objects.filter(case__suite__project=project).exists()
    result.refresh_from_db()
    assert result.command is None
    assert result.case_result.case is None
    assert result.case_result.suite_result.suite is None
    assert (result.command_name, result.points_awarded) == ("run", 3)


# --- Copying a suite ------------------------------------------------------------------------


def _rich_suite(project: Project) -> AGTestSuite:
    driver = _file(project, "driver.py")
    expected_out = _file(project, "expected.txt")
    pattern = factories.make_expected_file(project, "*.py", 1, 5)
    suite = services.suite_create(
        project=project,
        name="Rich",
        instructor_files_needed=[driver],
        student_files_needed=[pattern],
        setup_command="pip install -r requirements.txt",
        feedback={"normal": {"show_setup_stdout": True}},
    )
    for case_name in ("first", "second"):
        case = services.case_create(
            suite=suite, name=case_name, feedback={"past_limit": {"visible": False}}
        )
        services.command_create(
            case=case,
            name="compare",
            cmd="python3 driver.py",
            expected_stdout_source="instructor_file",
            expected_stdout_instructor_file=expected_out,
            points_for_correct_stdout=2,
            feedback={"first_failed_test": {"show_actual_stdout": True}},
        )
        services.command_create(case=case, name="no file", cmd="true")
    return suite


def _tree(suite: AGTestSuite) -> list[tuple[str, dict[str, Any], list[tuple[str, int, str]]]]:
    return [
        (
            case.name,
            case.feedback,
            [(c.name, c.points_for_correct_stdout, str(c.feedback)) for c in case.commands.all()],
        )
        for case in selectors.suite_tree(suite_id=suite.pk).cases.all()
    ]


class TestSuiteCopy:
    def test_copy_into_another_project_relinks_files(self, project: Project) -> None:
        source = _rich_suite(project)
        target = factories.make_project()
        driver = _file(target, "driver.py")
        expected_out = _file(target, "expected.txt")
        _file(target, "unrelated.txt")
        pattern = factories.make_expected_file(target, "*.py", 0, 9)
        copy = services.suite_copy(suite=source, target_project=target)
        copy = selectors.suite_tree(suite_id=copy.pk)
        assert copy.project_id == target.pk
        assert copy.name == "Rich"
        assert list(copy.instructor_files_needed.all()) == [driver]
        assert list(copy.student_files_needed.all()) == [pattern]
        assert copy.setup_command == source.setup_command
        assert copy.feedback == AGTestSuite.objects.get(pk=source.pk).feedback
        assert _tree(copy) == _tree(source)
        copied_commands = AGTestCommand.objects.filter(case__suite=copy)
        assert {c.expected_stdout_instructor_file_id for c in copied_commands} == {
            expected_out.pk,
            None,
        }
        assert AGTestCase.objects.filter(suite=source).count() == 2

    def test_missing_files_are_all_listed_and_nothing_is_copied(self, project: Project) -> None:
        source = _rich_suite(project)
        target = factories.make_project()
        _file(target, "driver.py")
        with pytest.raises(ApplicationError) as exc:
            services.suite_copy(suite=source, target_project=target)
        assert exc.value.code == "missing_files"
        reasons = _field_error(exc, "target_project")
        assert "'expected.txt'" in reasons
        assert "'*.py'" in reasons
        assert "driver.py" not in reasons
        assert not AGTestSuite.objects.filter(project=target).exists()

    def test_copy_within_the_project_gets_a_free_name(self, project: Project) -> None:
        source = _rich_suite(project)
        first = services.suite_copy(suite=source, target_project=project)
        second = services.suite_copy(suite=source, target_project=project)
        assert (first.name, second.name) == ("Rich (copy)", "Rich (copy 2)")
        assert list(first.instructor_files_needed.all()) == list(
            source.instructor_files_needed.all()
        )
        assert selectors.suite_ids(project=project) == [source.pk, first.pk, second.pk]

    def test_new_name(self, project: Project, suite: AGTestSuite) -> None:
        copy = services.suite_copy(suite=suite, target_project=project, new_name="Mine")
        assert copy.name == "Mine"
        with pytest.raises(ApplicationError) as exc:
            services.suite_copy(suite=suite, target_project=project, new_name="Mine")
        _field_error(exc, "new_name")

    def test_setup_rejection_is_kept_only_if_first(self, project: Project) -> None:
        source = services.suite_create(
            project=project, name="Build", reject_submission_if_setup_fails=True
        )
        same_project = services.suite_copy(suite=source, target_project=project)
        assert not same_project.reject_submission_if_setup_fails
        empty = factories.make_project()
        into_empty = services.suite_copy(suite=source, target_project=empty)
        assert into_empty.reject_submission_if_setup_fails


# --- Selector -------------------------------------------------------------------------------


def _build(project: Project, suites: int, cases: int, commands: int) -> None:
    shared = _file(project, f"shared{suites}.txt")
    ExpectedStudentFile.objects.create(project=project, pattern=f"*.{suites}")
    for s in range(suites):
        suite = services.suite_create(
            project=project, name=f"S{s}", instructor_files_needed=[shared]
        )
        for c in range(cases):
            case = services.case_create(suite=suite, name=f"C{c}")
            for m in range(commands):
                services.command_create(
                    case=case,
                    name=f"M{m}",
                    cmd="true",
                    stdin_source="instructor_file",
                    stdin_instructor_file=shared,
                )


@pytest.mark.parametrize("size", [(1, 1, 1), (4, 3, 5)])
def test_the_whole_tree_loads_in_five_queries(
    project: Project, size: tuple[int, int, int], django_assert_num_queries: Any
) -> None:
    _build(project, *size)
    with django_assert_num_queries(5):
        suites = list(selectors.project_test_config(project=project))
        body = SuiteOutput(suites, many=True).data
        files = {
            command.stdin_instructor_file.name
            for suite in suites
            for case in suite.cases.all()
            for command in case.commands.all()
            if command.stdin_instructor_file is not None
        }
    assert len(body) == size[0]
    assert sum(len(suite["cases"]) for suite in body) == size[0] * size[1]
    assert files == {f"shared{size[0]}.txt"}


def test_tree_is_in_order(project: Project) -> None:
    _build(project, 3, 2, 2)
    ids = selectors.suite_ids(project=project)
    services.suite_reorder(parent=project, ids=ids[::-1])
    suites = list(selectors.project_test_config(project=project))
    assert [s.name for s in suites] == ["S2", "S1", "S0"]
    command = suites[0].cases.all()[0].commands.all()[0]
    assert command.stdin_instructor_file is not None
