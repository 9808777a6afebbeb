from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.grading.config.models import AGTestCommand
from autograder.grading.config.scoring import DiffOptions, output_matches
from autograder.grading.results import diffs
from autograder.grading.results.diffs import output_diff
from autograder.grading.results.models import INLINE_OUTPUT_BYTES, AGTestCommandResult
from autograder.projects.models import InstructorFile
from tests.conftest import World
from tests.grading import factories as f

PUBLIC = {
    "normal": {
        "stdout_feedback": "expected_and_actual",
        "stderr_feedback": "expected_and_actual",
        "show_actual_stdout": True,
        "show_actual_stderr": True,
    }
}
PUBLIC_SUITE = {"normal": {"show_setup_stdout": True}}
MiB = 1024 * 1024


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def public_command(w: World, **fields: Any) -> AGTestCommand:
    case = f.make_case(f.make_suite(w.project, "Public"), "io")
    defaults: dict[str, Any] = {"feedback": PUBLIC, "expected_stdout_source": "text"}
    return f.make_command(case, "run", **{**defaults, **fields})


def run_result(w: World, command: AGTestCommand, **fields: Any) -> AGTestCommandResult:
    submission = f.make_submission(w.group)
    suite_result = f.make_suite_result(submission, command.case.suite)
    return f.make_command_result(f.make_case_result(suite_result, command.case), command, **fields)


def get(w: World, role: str, url: str, **params: Any) -> Any:
    return w.client(role).get(url, params)


@pytest.mark.django_db
class TestResultsEndpoint:
    def test_member_gets_normal_feedback(self, world: World) -> None:
        command = public_command(world)
        result = run_result(world, command, stdout=b"hi\n")
        submission = result.case_result.suite_result.submission
        response = get(world, "group_member", f"/api/submissions/{submission.pk}/results/")
        assert response.status_code == 200, response.data
        assert response.data["feedback_category"] == "normal"
        assert response.data["points_awarded"] == 1
        [suite] = response.data["suites"]
        [case] = suite["cases"]
        [shown] = case["commands"]
        assert shown["id"] == result.pk and shown["stdout_available"] is True
        assert shown["stdout_diff_available"] is True

    def test_staff_default_and_explicit_categories(self, world: World) -> None:
        result = run_result(world, public_command(world))
        url = f"/api/submissions/{result.case_result.suite_result.submission_id}/results/"
        assert get(world, "staff", url).data["feedback_category"] == "staff_viewer"
        denied = get(world, "staff", url, feedback_category="normal")
        assert denied.status_code == 403
        assert get(world, "admin", url, feedback_category="past_limit").status_code == 200

    def test_queries_do_not_grow_with_the_number_of_tests(
        self, world: World, django_assert_max_num_queries: Any
    ) -> None:
        for s in range(3):
            suite = f.make_suite(world.project, f"Suite {s}", feedback=PUBLIC_SUITE)
            for c in range(4):
                case = f.make_case(suite, f"Case {c}")
                for n in range(5):
                    f.make_command(case, f"cmd {n}", feedback=PUBLIC)
        submission = f.make_submission(world.group)
        f.grade(submission, stdout=b"x" * 1000)
        client = world.client("group_member")
        with django_assert_max_num_queries(10):
            response = client.get(f"/api/submissions/{submission.pk}/results/")
        assert response.data["points_possible"] == 60
        result = AGTestCommandResult.objects.filter(
            case_result__suite_result__submission=submission
        ).last()
        assert result is not None
        with django_assert_max_num_queries(12):
            assert client.get(f"/api/command_results/{result.pk}/stdout/").status_code == 200

    @pytest.mark.parametrize(
        ("params", "field"),
        [({"feedback_category": "max"}, "feedback_category"), ({"fdbk": "normal"}, "fdbk")],
    )
    def test_bad_query_is_400_naming_the_field(
        self, world: World, params: dict[str, str], field: str
    ) -> None:
        result = run_result(world, public_command(world))
        url = f"/api/submissions/{result.case_result.suite_result.submission_id}/results/"
        response = get(world, "group_member", url, **params)
        assert response.status_code == 400
        assert field in response.data["fields"]


@pytest.mark.django_db
class TestOutput:
    def test_binary_output_comes_back_unchanged(self, world: World) -> None:
        raw = b"\x00\xff\xfe binary \x89PNG\r\n\x1a\n"
        result = run_result(world, public_command(world), stdout=raw, stderr=b"warn\n")
        response = get(world, "group_member", f"/api/command_results/{result.pk}/stdout/")
        assert response.status_code == 200
        assert response.content == raw
        assert response["Content-Type"].startswith("text/plain")
        assert response["X-Output-Truncated"] == "false"
        assert response["X-Output-Size"] == str(len(raw))
        stderr = get(world, "group_member", f"/api/command_results/{result.pk}/stderr/")
        assert stderr.content == b"warn\n"

    def test_large_output_from_a_file_with_max_bytes(self, world: World, _media_root: Path) -> None:
        big = bytes(range(256)) * (INLINE_OUTPUT_BYTES // 256 * 3)
        result = run_result(world, public_command(world), stdout=big)
        assert result.stdout_path and (_media_root / result.stdout_path).exists()
        url = f"/api/command_results/{result.pk}/stdout/"
        whole = get(world, "group_member", url)
        assert whole.content == big and whole["X-Output-Truncated"] == "false"
        cut = get(world, "group_member", url, max_bytes=1000)
        assert cut.content == big[:1000]
        assert cut["X-Output-Truncated"] == "true"
        assert cut["X-Output-Size"] == str(len(big))

    def test_default_cap_is_one_mebibyte(self, world: World) -> None:
        big = b"x" * (MiB + 10)
        result = run_result(world, public_command(world), stdout=big)
        response = get(world, "group_member", f"/api/command_results/{result.pk}/stdout/")
        assert len(response.content) == MiB
        assert response["X-Output-Truncated"] == "true"

    def test_output_cut_when_graded_is_reported_in_results(self, world: World) -> None:
        result = run_result(world, public_command(world), stdout=b"a" * 10, stdout_truncated=True)
        submission_id = result.case_result.suite_result.submission_id
        body = get(world, "group_member", f"/api/submissions/{submission_id}/results/").data
        assert body["suites"][0]["cases"][0]["commands"][0]["stdout_truncated"] is True

    def test_missing_output_file_is_404(self, world: World, _media_root: Path) -> None:
        result = run_result(world, public_command(world), stdout=b"y" * (INLINE_OUTPUT_BYTES + 1))
        (_media_root / result.stdout_path).unlink()
        response = get(world, "group_member", f"/api/command_results/{result.pk}/stdout/")
        assert response.status_code == 404

    @pytest.mark.parametrize("value", ["0", "-5", "abc", str(50_000_001)])
    def test_bad_max_bytes(self, world: World, value: str) -> None:
        result = run_result(world, public_command(world), stdout=b"x")
        response = get(
            world, "group_member", f"/api/command_results/{result.pk}/stdout/", max_bytes=value
        )
        assert response.status_code == 400
        assert "max_bytes" in response.data["fields"]

    def test_hidden_output_is_403_and_hidden_command_404(self, world: World) -> None:
        command = public_command(world, feedback={})
        result = run_result(world, command, stdout=b"secret")
        url = f"/api/command_results/{result.pk}/stdout/"
        assert get(world, "group_member", url).status_code == 403
        assert get(world, "staff", url).content == b"secret"
        command.feedback = {"normal": {"visible": False}}
        command.save()
        assert get(world, "group_member", url).status_code == 404
        assert get(world, "group_member", f"{url[:-7]}stdout_diff/").status_code == 404

    def test_output_of_a_command_not_shown_individually_is_404(self, world: World) -> None:
        command = public_command(world)
        command.case.feedback = {"normal": {"show_individual_commands": False}}
        command.case.save()
        result = run_result(world, command, stdout=b"x")
        url = f"/api/command_results/{result.pk}/stdout/"
        assert get(world, "group_member", url).status_code == 404

    def test_requested_category_applies(self, world: World) -> None:
        result = run_result(world, public_command(world), stdout=b"x")
        url = f"/api/command_results/{result.pk}/stdout/"
        assert get(world, "admin", url, feedback_category="past_limit").status_code == 403
        assert get(world, "admin", url, feedback_category="normal").status_code == 200
        assert get(world, "group_member", url, feedback_category="staff_viewer").status_code == 403

    def test_setup_output(self, world: World) -> None:
        suite = f.make_suite(world.project, "Build")
        submission = f.make_submission(world.group)
        result = f.make_suite_result(submission, suite, setup_stdout=b"ok", setup_stderr=b"warn")
        url = f"/api/suite_results/{result.pk}/setup_stdout/"
        assert get(world, "group_member", url).status_code == 403
        assert get(world, "staff", url).content == b"ok"
        assert get(world, "staff", f"/api/suite_results/{result.pk}/setup_stderr/").content == (
            b"warn"
        )
        suite.feedback = {"normal": {"show_setup_stdout": True}}
        suite.save()
        assert get(world, "group_member", url).content == b"ok"
        suite.feedback = {"normal": {"visible": False, "show_setup_stdout": True}}
        suite.save()
        assert get(world, "group_member", url).status_code == 404


@pytest.mark.django_db
class TestDiff:
    def diff(self, w: World, result: AGTestCommandResult, stream: str = "stdout", **q: Any) -> Any:
        return get(w, "group_member", f"/api/command_results/{result.pk}/{stream}_diff/", **q)

    def test_expected_vs_actual(self, world: World) -> None:
        command = public_command(world, expected_stdout_text="one\ntwo\nthree\n")
        result = run_result(world, command, stdout=b"one\n2\nthree\nfour\n")
        response = self.diff(world, result)
        assert response.status_code == 200
        assert response.json() == [
            [" ", "one"],
            ["-", "two"],
            ["+", "2"],
            [" ", "three"],
            ["+", "four"],
        ]
        assert response["X-Output-Truncated"] == "false"

    def test_diff_options(self, world: World) -> None:
        command = public_command(
            world,
            expected_stdout_text="Hello  World\n\nBye\n",
            ignore_case=True,
            ignore_whitespace_changes=True,
            ignore_blank_lines=True,
        )
        result = run_result(world, command, stdout=b"hello world \nbye\n")
        assert self.diff(world, result).json() == [[" ", "hello world "], [" ", "bye"]]
        command.ignore_case = False
        command.save()
        assert self.diff(world, result).json() == [
            ["-", "Hello  World"],
            ["-", "Bye"],
            ["+", "hello world "],
            ["+", "bye"],
        ]

    def test_non_utf8_shown_with_replacement_characters(self, world: World) -> None:
        command = public_command(world, expected_stdout_text="café\n")
        result = run_result(world, command, stdout=b"caf\xe9\n")
        assert self.diff(world, result).json() == [["-", "café"], ["+", "caf\ufffd"]]

    def test_expected_from_an_instructor_file(self, world: World) -> None:
        instructor_file = InstructorFile(project=world.project, name="expected.txt", size=4)
        instructor_file.file_obj.save("expected.txt", ContentFile(b"a\nb\n"))
        command = public_command(
            world,
            expected_stdout_source="none",
            expected_stderr_source="instructor_file",
            expected_stderr_instructor_file=instructor_file,
        )
        result = run_result(world, command, stderr=b"a\nc\n")
        assert self.diff(world, result, "stderr").json() == [[" ", "a"], ["-", "b"], ["+", "c"]]
        assert self.diff(world, result, "stdout").status_code == 404
        instructor_file.delete()
        assert self.diff(world, result, "stderr").status_code == 404

    def test_truncated_inputs(self, world: World) -> None:
        command = public_command(world, expected_stdout_text="x\n" * 100)
        result = run_result(world, command, stdout=b"x\n" * 100)
        response = self.diff(world, result, max_bytes=10)
        assert response.json() == [[" ", "x"]] * 5
        assert response["X-Output-Truncated"] == "true"

    def test_diff_hidden_unless_expected_and_actual(self, world: World) -> None:
        """Students who may see the actual output but not the expected one get no diff; staff
        get it, with the student's line marked "+" (only in the actual output: the expected
        output is empty)."""
        command = public_command(world, feedback={"normal": {"show_actual_stdout": True}})
        result = run_result(world, command, stdout=b"x")
        assert self.diff(world, result).status_code == 403
        staff = get(world, "staff", f"/api/command_results/{result.pk}/stdout_diff/")
        assert staff.status_code == 200
        assert staff.json() == [["+", "x"]]


lines = st.lists(
    st.sampled_from([b"a", b"A", b"a ", b" a", b"", b"b", b"c  d", b"\xff"]), max_size=30
)


@given(
    expected=lines,
    actual=lines,
    options=st.builds(DiffOptions, st.booleans(), st.booleans(), st.booleans(), st.booleans()),
    budget=st.sampled_from([0, 4, 1_000_000]),
)
@settings(max_examples=300, deadline=None)
def test_diff_agrees_with_the_comparison(
    expected: list[bytes], actual: list[bytes], options: DiffOptions, budget: int
) -> None:
    """No changed lines exactly when the output counts as correct, and each side's lines are
    all there in order (also on the path for large inputs)."""
    exp, act = b"\n".join(expected) + b"\n", b"\n".join(actual)
    original = diffs._EXACT_DIFF_BUDGET
    diffs._EXACT_DIFF_BUDGET = budget
    try:
        diff = output_diff(expected=exp, actual=act, options=options)
    finally:
        diffs._EXACT_DIFF_BUDGET = original
    changed = any(mark != " " for mark, _ in diff)
    assert changed != output_matches(exp, act, options)
    shown_actual = [text for mark, text in diff if mark != "-"]
    assert shown_actual == [t for _, t in diffs._keyed(act, options)]
    removed = [text for mark, text in diff if mark == "-"]
    assert len(removed) + sum(mark == " " for mark, _ in diff) == len(diffs._keyed(exp, options))


def test_schema_types_the_gradebook_as_pages_and_diffs_as_pairs(world: World) -> None:
    schema = world.client("staff").get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    gradebook = paths["/api/projects/{project_id}/gradebook/"]["get"]["responses"]["200"]
    assert gradebook["content"]["application/json"]["schema"]["$ref"].endswith(
        "/PaginatedGradebookRowOutputList"
    )
    for stream in ("stdout", "stderr"):
        diff = paths[f"/api/command_results/{{command_result_id}}/{stream}_diff/"]["get"]
        body = diff["responses"]["200"]["content"]["application/json"]["schema"]
        assert body["items"]["items"] == {"type": "string"}
        assert body["items"]["minItems"] == body["items"]["maxItems"] == 2
