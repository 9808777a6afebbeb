from typing import Any

import pytest
from rest_framework.test import APIClient

from autograder.grading.config import feedback_settings as feedback_config
from autograder.grading.config import services
from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite
from autograder.projects.models import InstructorFile, Project
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _file(project: Project, name: str) -> InstructorFile:
    return InstructorFile.objects.create(
        project=project, name=name, file_obj=f"projects/{project.pk}/{name}"
    )


def _admin(w: World) -> APIClient:
    return w.client("admin")


def _assert_400(response: Any, field: str, code: str | None = None) -> list[str]:
    assert response.status_code == 400, response.data
    assert field in response.data["fields"], response.data
    assert response.data["message"]
    if code is not None:
        assert response.data["code"] == code, response.data
    return [str(reason) for reason in response.data["fields"][field]]


@pytest.fixture
def suite(world: World) -> AGTestSuite:
    return services.suite_create(project=world.project, name="Public")


@pytest.fixture
def case(suite: AGTestSuite) -> AGTestCase:
    return services.case_create(suite=suite, name="Case 1")


@pytest.fixture
def command(case: AGTestCase) -> AGTestCommand:
    return services.command_create(case=case, name="Run", cmd="./a.out")


# --- Suites ---------------------------------------------------------------------------------


def test_admin_creates_a_suite_with_every_field(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AG_SANDBOX_IMAGES", "gcc:14")  # a site offering that image
    driver = _file(world.project, "driver.py")
    pattern = factories.make_expected_file(world.project, "*.cpp")
    body = {
        "name": "Public tests",
        "sandbox_image": "gcc:14",
        "instructor_files_needed": [driver.pk],
        "student_files_needed": [pattern.pk],
        "setup_command": "make -j2  ",
        "setup_name": "Build",
        "setup_time_limit_s": 300,
        "reject_submission_if_setup_fails": True,
        "allow_network": True,
        "deferred": False,
        "feedback": {"staff_viewer": {"show_setup_stdout": False}},
    }
    response = _admin(world).post(f"/api/projects/{world.project.pk}/suites/", body, format="json")
    assert response.status_code == 201, response.data
    data = response.data
    for key in body.keys() - {"feedback"}:
        assert data[key] == body[key], key
    assert data["project"] == world.project.pk
    assert data["cases"] == []
    assert data["feedback"]["staff_viewer"]["show_setup_stdout"] is False
    assert data["feedback"]["normal"] == feedback_config.SuiteFeedback().to_json()


def test_the_project_list_is_the_whole_tree_in_order(world: World) -> None:
    second = services.suite_create(project=world.project, name="B")
    first = services.suite_create(project=world.project, name="A")
    services.suite_reorder(parent=world.project, ids=[first.pk, second.pk])
    case = services.case_create(suite=first, name="C")
    services.command_create(case=case, name="two", cmd="echo 2")
    services.command_create(case=case, name="one", cmd="echo 1")
    services.suite_create(project=world.hidden_project, name="Elsewhere")
    response = world.client("staff").get(f"/api/projects/{world.project.pk}/suites/")
    assert response.status_code == 200
    assert [s["name"] for s in response.data] == ["A", "B"]
    commands = response.data[0]["cases"][0]["commands"]
    assert [c["name"] for c in commands] == ["two", "one"]
    assert commands[0]["cmd"] == "echo 2"
    assert set(commands[0]["feedback"]) == {
        "normal",
        "past_limit",
        "final_graded",
        "staff_viewer",
    }


def test_patch_suite_changes_only_what_is_sent(world: World, suite: AGTestSuite) -> None:
    url = f"/api/suites/{suite.pk}/"
    client = _admin(world)
    response = client.patch(url, {"feedback": {"normal": {"visible": False}}}, format="json")
    assert response.status_code == 200, response.data
    response = client.patch(url, {"setup_command": "make"}, format="json")
    assert response.data["feedback"]["normal"]["visible"] is False
    assert response.data["setup_command"] == "make"
    assert response.data["name"] == "Public"


def test_delete_suite(world: World, suite: AGTestSuite, command: AGTestCommand) -> None:
    response = _admin(world).delete(f"/api/suites/{suite.pk}/")
    assert response.status_code == 204
    assert not AGTestCommand.objects.filter(pk=command.pk).exists()
    assert _admin(world).get(f"/api/suites/{suite.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "S", "colour": "red"}, "colour"),
        ({"name": "S", "id": 4}, "id"),
        ({"name": "S", "order": 4}, "order"),
        ({"name": "S", "project": 4}, "project"),
        ({"name": "S", "cases": []}, "cases"),
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "S", "deferred": "sometimes"}, "deferred"),
        ({"name": "S", "setup_time_limit_s": "long"}, "setup_time_limit_s"),
        ({"name": "S", "setup_time_limit_s": 0}, "setup_time_limit_s"),
        ({"name": "S", "setup_command": "x" * 1001}, "setup_command"),
        ({"name": "S", "instructor_files_needed": "driver.py"}, "instructor_files_needed"),
        ({"name": "S", "instructor_files_needed": [99999999]}, "instructor_files_needed"),
        ({"name": "S", "student_files_needed": ["*.py"]}, "student_files_needed"),
        ({"name": "S", "feedback": {"normal": {"show_everything": True}}}, "feedback.normal"),
        ({"name": "S", "feedback": {"normal": {"visible": 1}}}, "feedback.normal"),
        ({"name": "S", "feedback": {"sometimes": {}}}, "feedback"),
        ({"name": "S", "feedback": ["normal"]}, "feedback"),
    ],
)
def test_bad_suite_input_names_the_field(world: World, body: dict[str, Any], field: str) -> None:
    response = _admin(world).post(f"/api/projects/{world.project.pk}/suites/", body, format="json")
    _assert_400(response, field)
    assert not AGTestSuite.objects.filter(project=world.project).exists()


def test_files_of_another_project_are_refused(world: World, suite: AGTestSuite) -> None:
    foreign = _file(world.hidden_project, "driver.py")
    response = _admin(world).patch(
        f"/api/suites/{suite.pk}/", {"instructor_files_needed": [foreign.pk]}, format="json"
    )
    reasons = _assert_400(response, "instructor_files_needed", "file_of_other_project")
    assert str(foreign.pk) in reasons[0]
    pattern = factories.make_expected_file(world.hidden_project, "*.py")
    response = _admin(world).patch(
        f"/api/suites/{suite.pk}/", {"student_files_needed": [pattern.pk]}, format="json"
    )
    _assert_400(response, "student_files_needed", "file_of_other_project")


def test_duplicate_suite_name_is_a_400(world: World, suite: AGTestSuite) -> None:
    response = _admin(world).post(
        f"/api/projects/{world.project.pk}/suites/", {"name": "Public"}, format="json"
    )
    _assert_400(response, "name", "duplicate_name")


def test_second_suite_may_not_reject_on_setup_failure(world: World, suite: AGTestSuite) -> None:
    response = _admin(world).post(
        f"/api/projects/{world.project.pk}/suites/",
        {"name": "Second", "reject_submission_if_setup_fails": True},
        format="json",
    )
    _assert_400(response, "reject_submission_if_setup_fails", "setup_rejection_not_first")


# --- Order ----------------------------------------------------------------------------------


def test_suite_order(world: World, suite: AGTestSuite) -> None:
    other = services.suite_create(project=world.project, name="Other")
    url = f"/api/projects/{world.project.pk}/suites/order/"
    assert _admin(world).get(url).data == {"ids": [suite.pk, other.pk]}
    response = _admin(world).put(url, {"ids": [other.pk, suite.pk]}, format="json")
    assert response.status_code == 200, response.data
    assert response.data == {"ids": [other.pk, suite.pk]}
    assert world.client("staff").get(url).data == {"ids": [other.pk, suite.pk]}


@pytest.mark.parametrize(
    "ids",
    [
        lambda s, o: [s],
        lambda s, o: [s, o, o],
        lambda s, o: [s, o, 99999999],
        lambda s, o: [s, o, "x"],
        lambda s, o: "1,2",
        lambda s, o: None,
    ],
)
def test_reorder_with_wrong_ids_is_a_400(world: World, suite: AGTestSuite, ids: Any) -> None:
    other = services.suite_create(project=world.project, name="Other")
    url = f"/api/projects/{world.project.pk}/suites/order/"
    response = _admin(world).put(url, {"ids": ids(suite.pk, other.pk)}, format="json")
    _assert_400(response, "ids")
    assert _admin(world).get(url).data == {"ids": [suite.pk, other.pk]}


def test_reorder_rejects_unknown_fields(world: World, suite: AGTestSuite) -> None:
    url = f"/api/projects/{world.project.pk}/suites/order/"
    response = _admin(world).put(url, {"ids": [suite.pk], "order": [1]}, format="json")
    _assert_400(response, "order")


def test_case_and_command_order(world: World, suite: AGTestSuite, case: AGTestCase) -> None:
    second = services.case_create(suite=suite, name="Case 2")
    url = f"/api/suites/{suite.pk}/cases/order/"
    response = _admin(world).put(url, {"ids": [second.pk, case.pk]}, format="json")
    assert response.data == {"ids": [second.pk, case.pk]}
    a = services.command_create(case=case, name="a", cmd="true")
    b = services.command_create(case=case, name="b", cmd="true")
    url = f"/api/cases/{case.pk}/commands/order/"
    response = _admin(world).put(url, {"ids": [b.pk, a.pk]}, format="json")
    assert response.data == {"ids": [b.pk, a.pk]}
    response = _admin(world).put(url, {"ids": [b.pk, a.pk, 99999999]}, format="json")
    _assert_400(response, "ids", "wrong_ids")


# --- Test cases -----------------------------------------------------------------------------


def test_create_and_list_cases(world: World, suite: AGTestSuite) -> None:
    url = f"/api/suites/{suite.pk}/cases/"
    response = _admin(world).post(
        url, {"name": "Edge", "feedback": {"normal": {"visible": False}}}, format="json"
    )
    assert response.status_code == 201, response.data
    assert response.data["suite"] == suite.pk
    assert response.data["feedback"]["normal"] == {
        "visible": False,
        "show_individual_commands": True,
    }
    assert response.data["commands"] == []
    listed = world.client("staff").get(url)
    assert [c["name"] for c in listed.data] == ["Edge"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "C", "suite": 1}, "suite"),
        ({"name": "C", "commands": []}, "commands"),
        ({"name": ""}, "name"),
        ({"name": "C", "feedback": {"normal": {"show_individual_tests": True}}}, "feedback.normal"),
    ],
)
def test_bad_case_input(world: World, suite: AGTestSuite, body: dict[str, Any], field: str) -> None:
    response = _admin(world).post(f"/api/suites/{suite.pk}/cases/", body, format="json")
    _assert_400(response, field)


def test_patch_suite_moves_the_case(world: World, case: AGTestCase) -> None:
    target = services.suite_create(project=world.project, name="Target")
    services.case_create(suite=target, name="First")
    response = _admin(world).patch(
        f"/api/cases/{case.pk}/", {"suite": target.pk, "name": "Moved"}, format="json"
    )
    assert response.status_code == 200, response.data
    assert (response.data["suite"], response.data["name"], response.data["order"]) == (
        target.pk,
        "Moved",
        1,
    )


def test_case_may_not_move_to_another_project(world: World, case: AGTestCase) -> None:
    elsewhere = services.suite_create(project=world.hidden_project, name="S")
    response = _admin(world).patch(f"/api/cases/{case.pk}/", {"suite": elsewhere.pk}, format="json")
    _assert_400(response, "suite", "other_project")
    response = _admin(world).patch(f"/api/cases/{case.pk}/", {"suite": 99999999}, format="json")
    _assert_400(response, "suite")


def test_delete_case(world: World, case: AGTestCase) -> None:
    assert _admin(world).delete(f"/api/cases/{case.pk}/").status_code == 204
    assert not AGTestCase.objects.filter(pk=case.pk).exists()


# --- Commands -------------------------------------------------------------------------------


def test_admin_creates_a_command_with_every_field(world: World, case: AGTestCase) -> None:
    stdin = _file(world.project, "in.txt")
    out = _file(world.project, "out.txt")
    body = {
        "name": "Compare",
        "cmd": "python3 main.py  ",
        "stdin_source": "instructor_file",
        "stdin_text": "",
        "stdin_instructor_file": stdin.pk,
        "expected_return_code": "zero",
        "expected_stdout_source": "instructor_file",
        "expected_stdout_text": "",
        "expected_stdout_instructor_file": out.pk,
        "expected_stderr_source": "text",
        "expected_stderr_text": "  warning: x\n\n",
        "expected_stderr_instructor_file": None,
        "ignore_case": True,
        "ignore_whitespace": False,
        "ignore_whitespace_changes": True,
        "ignore_blank_lines": True,
        "points_for_correct_return_code": 1,
        "points_for_correct_stdout": 5,
        "points_for_correct_stderr": 0,
        "deduction_for_wrong_return_code": 0,
        "deduction_for_wrong_stdout": 2,
        "deduction_for_wrong_stderr": 1,
        "time_limit_s": 30,
        "memory_limit_bytes": 512 * 1024 * 1024,
        "block_process_spawn": True,
        "output_cap_bytes": 65536,
    }
    response = _admin(world).post(f"/api/cases/{case.pk}/commands/", body, format="json")
    assert response.status_code == 201, response.data
    for key, value in body.items():
        assert response.data[key] == value, key
    assert response.data["points_possible"] == 6
    assert response.data["case"] == case.pk
    assert "first_failed_test" not in response.data["feedback"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "c", "cmd": "true", "points": 3}, "points"),
        ({"name": "c", "cmd": "true", "case": 3}, "case"),
        ({"name": "c"}, "cmd"),
        ({"name": "c", "cmd": ""}, "cmd"),
        ({"name": "c", "cmd": "   "}, "cmd"),
        ({"name": "c", "cmd": "x" * 1001}, "cmd"),
        ({"name": "c", "cmd": "true", "time_limit_s": 91}, "time_limit_s"),
        ({"name": "c", "cmd": "true", "time_limit_s": 0}, "time_limit_s"),
        ({"name": "c", "cmd": "true", "time_limit_s": "ten"}, "time_limit_s"),
        ({"name": "c", "cmd": "true", "ignore_case": "maybe"}, "ignore_case"),
        (
            {"name": "c", "cmd": "true", "points_for_correct_stdout": -2},
            "points_for_correct_stdout",
        ),
        ({"name": "c", "cmd": "true", "stdin_source": "file"}, "stdin_source"),
        ({"name": "c", "cmd": "true", "stdin_instructor_file": "in.txt"}, "stdin_instructor_file"),
        (
            {"name": "c", "cmd": "true", "expected_stdout_source": "instructor_file"},
            "expected_stdout_instructor_file",
        ),
        (
            {"name": "c", "cmd": "true", "feedback": {"normal": {"stdout_feedback": "all"}}},
            "feedback.normal",
        ),
        (
            {"name": "c", "cmd": "true", "feedback": {"first_failed_test": {"visible": "no"}}},
            "feedback.first_failed_test",
        ),
        ({"name": "c", "cmd": "true", "feedback": {"ultimate_submission": {}}}, "feedback"),
        ({"name": "c", "cmd": "true", "memory_limit_bytes": 10**30}, "memory_limit_bytes"),
        (
            {"name": "c", "cmd": "true", "points_for_correct_stdout": 10**12},
            "points_for_correct_stdout",
        ),
        ({"name": "c", "cmd": "true", "output_cap_bytes": 100}, "output_cap_bytes"),
        ({"name": "c", "cmd": "a\x00b"}, "cmd"),
        ({"name": "c", "cmd": "true", "stdin_text": "\x00"}, "stdin_text"),
        ({"name": "c\x00", "cmd": "true"}, "name"),
        ({"name": "c", "cmd": "true", "feedback": "public"}, "feedback"),
    ],
)
def test_bad_command_input_names_the_field(
    world: World, case: AGTestCase, body: dict[str, Any], field: str
) -> None:
    response = _admin(world).post(f"/api/cases/{case.pk}/commands/", body, format="json")
    _assert_400(response, field)
    assert not case.commands.exists()


def test_over_long_cmd_says_the_limit(world: World, case: AGTestCase) -> None:
    response = _admin(world).post(
        f"/api/cases/{case.pk}/commands/", {"name": "c", "cmd": "x" * 1001}, format="json"
    )
    assert "1000" in _assert_400(response, "cmd")[0]


def test_instructor_file_of_another_project_is_refused(
    world: World, command: AGTestCommand
) -> None:
    foreign = _file(world.hidden_project, "out.txt")
    response = _admin(world).patch(
        f"/api/commands/{command.pk}/",
        {
            "expected_stdout_source": "instructor_file",
            "expected_stdout_instructor_file": foreign.pk,
        },
        format="json",
    )
    _assert_400(response, "expected_stdout_instructor_file", "file_of_other_project")


def test_patch_command_and_feedback_preset(world: World, command: AGTestCommand) -> None:
    presets = {
        p["name"]: p["settings"] for p in world.client("student").get("/api/feedback_presets/").data
    }
    response = _admin(world).patch(
        f"/api/commands/{command.pk}/",
        {"feedback": {"normal": presets["public"], "first_failed_test": presets["hidden"]}},
        format="json",
    )
    assert response.status_code == 200, response.data
    assert response.data["feedback"]["normal"] == presets["public"]
    assert response.data["feedback"]["first_failed_test"]["visible"] is False
    response = _admin(world).patch(
        f"/api/commands/{command.pk}/", {"feedback": {"first_failed_test": None}}, format="json"
    )
    assert "first_failed_test" not in response.data["feedback"]
    assert response.data["feedback"]["normal"] == presets["public"]


def test_expected_output_text_is_kept_exactly(world: World, command: AGTestCommand) -> None:
    text = "  line 1 \n\n\tline 2\n"
    response = _admin(world).patch(
        f"/api/commands/{command.pk}/",
        {"expected_stdout_source": "text", "expected_stdout_text": text, "stdin_text": " 4\n"},
        format="json",
    )
    assert response.data["expected_stdout_text"] == text
    assert response.data["stdin_text"] == " 4\n"


def test_deleted_instructor_file_shows_as_null(world: World, command: AGTestCommand) -> None:
    stdin = _file(world.project, "in.txt")
    services.command_update(
        command=command, stdin_source="instructor_file", stdin_instructor_file=stdin
    )
    stdin.delete()
    response = world.client("staff").get(f"/api/commands/{command.pk}/")
    assert response.status_code == 200
    assert response.data["stdin_instructor_file"] is None
    assert response.data["stdin_source"] == "instructor_file"
    response = _admin(world).patch(
        f"/api/commands/{command.pk}/", {"points_for_correct_stdout": 3}, format="json"
    )
    _assert_400(response, "stdin_instructor_file", "file_required")


def test_delete_command(world: World, command: AGTestCommand) -> None:
    assert _admin(world).delete(f"/api/commands/{command.pk}/").status_code == 204
    assert _admin(world).get(f"/api/commands/{command.pk}/").status_code == 404


# --- Copy -----------------------------------------------------------------------------------


def test_copy_suite_to_another_project(world: World, case: AGTestCase) -> None:
    driver = _file(world.project, "driver.py")
    services.suite_update(suite=case.suite, instructor_files_needed=[driver])
    services.command_create(case=case, name="Run", cmd="python3 driver.py")
    target = factories.make_project(world.course, name="P3")
    target_driver = _file(target, "driver.py")
    response = _admin(world).post(
        f"/api/suites/{case.suite_id}/copy/",
        {"target_project": target.pk, "new_name": "Imported"},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["project"] == target.pk
    assert response.data["name"] == "Imported"
    assert response.data["instructor_files_needed"] == [target_driver.pk]
    assert [c["name"] for c in response.data["cases"]] == ["Case 1"]
    assert [c["cmd"] for c in response.data["cases"][0]["commands"]] == ["python3 driver.py"]


def test_copy_with_missing_files_lists_them(world: World, suite: AGTestSuite) -> None:
    services.suite_update(
        suite=suite,
        instructor_files_needed=[_file(world.project, "a.py"), _file(world.project, "b.py")],
        student_files_needed=[factories.make_expected_file(world.project, "*.h")],
    )
    target = factories.make_project(world.course, name="P3")
    response = _admin(world).post(
        f"/api/suites/{suite.pk}/copy/", {"target_project": target.pk}, format="json"
    )
    reasons = _assert_400(response, "target_project", "missing_files")
    assert len(reasons) == 3
    assert any("'a.py'" in r for r in reasons) and any("'*.h'" in r for r in reasons)
    assert not AGTestSuite.objects.filter(project=target).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "target_project"),
        ({"target_project": 99999999}, "target_project"),
        ({"target_project": "P3"}, "target_project"),
        ({"target_project": None}, "target_project"),
        ({"project": 1}, "project"),
        ({"new_name": ""}, "new_name"),
    ],
)
def test_bad_copy_input(world: World, suite: AGTestSuite, body: dict[str, Any], field: str) -> None:
    response = _admin(world).post(f"/api/suites/{suite.pk}/copy/", body, format="json")
    _assert_400(response, field)


# --- Presets, missing rows, schema ----------------------------------------------------------


def test_feedback_presets_are_the_command_presets(world: World) -> None:
    response = world.client("other_course_student").get("/api/feedback_presets/")
    assert response.status_code == 200
    assert [p["name"] for p in response.data] == list(feedback_config.COMMAND_PRESETS)
    for preset in response.data:
        expected = feedback_config.COMMAND_PRESETS[preset["name"]].to_json()
        assert preset["settings"] == expected


@pytest.mark.parametrize(
    "url",
    [
        "/api/projects/99999999/suites/",
        "/api/projects/99999999/suites/order/",
        "/api/suites/99999999/",
        "/api/suites/99999999/cases/",
        "/api/suites/99999999/cases/order/",
        "/api/cases/99999999/",
        "/api/cases/99999999/commands/",
        "/api/cases/99999999/commands/order/",
        "/api/commands/99999999/",
    ],
)
def test_missing_rows_are_404(world: World, url: str) -> None:
    response = _admin(world).get(url)
    assert response.status_code == 404
    assert response.data["code"] == "not_found"


def test_schema_lists_the_config_routes(world: World) -> None:
    response = world.client("staff").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    for path in (
        "/api/projects/{project_id}/suites/",
        "/api/projects/{project_id}/suites/order/",
        "/api/suites/{suite_id}/copy/",
        "/api/cases/{case_id}/commands/order/",
        "/api/commands/{command_id}/",
        "/api/feedback_presets/",
    ):
        assert path in schema["paths"], path
    command = schema["components"]["schemas"]["CommandOutput"]["properties"]
    assert command["feedback"]["allOf"][0]["$ref"].endswith("/CommandFeedbackConfig")
