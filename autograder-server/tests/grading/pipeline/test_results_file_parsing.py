"""Reading other systems' results files: what each field becomes, and the message staff get
for a file that can't be used."""

import pytest

from autograder.grading.config.feedback_settings import FeedbackCategory as C
from autograder.grading.pipeline.results_file import (
    FileTest,
    ResultsFileError,
    correctomatic_json,
    parse_correctomatic,
    parse_gradescope,
    parse_prairielearn,
)
from autograder.grading.results.file_visibility import shown_in


def test_gradescope_tests_numbers_status_tags_and_visibility() -> None:
    tests, stdout_visibility = parse_gradescope(
        {
            "visibility": "after_published",
            "stdout_visibility": "visible",
            "tests": [
                {"name": "adds", "number": "1.1", "score": 1.5, "max_score": 2, "tags": ["math"]},
                {"name": "passes", "max_score": 3, "status": "passed", "visibility": "visible"},
                {"max_score": 1, "status": "failed", "output": "boom"},
            ],
        },
        100,
    )
    assert tests == [
        FileTest("1.1 adds", 2, 2, "Tags: math", "after_published"),
        FileTest("passes", 3, 3, "", "visible", True),
        FileTest("Test 3", 0, 1, "boom", "after_published", False),
    ]
    assert stdout_visibility == "visible"


def test_gradescope_score_only_and_an_overriding_score() -> None:
    assert parse_gradescope({"score": 42}, 50)[0] == [FileTest("Score", 42, 50, "", "visible")]
    tests, _ = parse_gradescope({"score": 9, "tests": [{"score": 1, "max_score": 1}]}, 10)
    assert tests[-1].name == "Score given by results.json"
    assert tests[-1].visibility == "hidden"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "The results file must hold a JSON object."),
        ({}, "results.json has neither 'score' nor 'tests'."),
        ({"tests": {}}, "'tests' must be a list."),
        ({"tests": [{"score": True}]}, "tests[0].score must be a number, not True."),
        ({"tests": [{"visibility": "secret"}]}, "tests[0].visibility must be one of"),
        ({"tests": [{"status": "ok"}]}, "tests[0].status must be 'passed' or 'failed'."),
    ],
)
def test_gradescope_errors_name_the_field(document: object, message: str) -> None:
    with pytest.raises(ResultsFileError) as e:
        parse_gradescope(document, 100)
    assert str(e.value).startswith(message)


def test_prairielearn_fraction_tests_and_ungradable() -> None:
    assert parse_prairielearn({"score": 0.25, "gradable": True}, 40) == [
        FileTest("Score", 10, 40, "", "visible")
    ]
    tests = parse_prairielearn(
        {"score": 0.5, "message": "hi", "tests": [{"name": "t", "points": 1, "max_points": 2}]},
        40,
    )
    assert tests == [
        FileTest("Message", 0, 0, "hi", "visible"),
        FileTest("t", 1, 2, "", "visible", False),
    ]
    assert parse_prairielearn({"gradable": False, "message": "syntax"}, 40) == [
        FileTest("Not gradable", 0, 40, "syntax", "visible", False)
    ]
    with pytest.raises(ResultsFileError, match="no 'score'"):
        parse_prairielearn({"gradable": True}, 40)
    with pytest.raises(ResultsFileError, match="from 0 to 1"):
        parse_prairielearn({"score": 3}, 40)


def test_correctomatic_success_error_and_separators() -> None:
    assert parse_correctomatic({"success": True, "grade": 7, "comments": ["a", "b"]}, 10) == [
        FileTest("Grade", 7, 10, "a\nb", "visible")
    ]
    assert parse_correctomatic({"success": False, "error": "no main"}, 10) == [
        FileTest("Error", 0, 10, "no main", "visible", False)
    ]
    assert correctomatic_json(
        'x\n--BEGIN CORRECTOMATIC RESPONSE--\n{"a": 1}\n--END CORRECTOMATIC RESPONSE--\n'
    ) == {"a": 1}
    with pytest.raises(ResultsFileError, match="no --END"):
        correctomatic_json("--BEGIN CORRECTOMATIC RESPONSE--\n{}")
    with pytest.raises(ResultsFileError, match="needs 'grade' or 'comments'"):
        parse_correctomatic({"success": True}, 10)


def test_visibility_mapping_onto_feedback_categories() -> None:
    assert all(shown_in("visible", c) for c in C)
    assert [c for c in C if shown_in("after_due_date", c)] == [C.FINAL_GRADED, C.STAFF_VIEWER]
    assert [c for c in C if shown_in("hidden", c)] == [C.STAFF_VIEWER]
    assert all(shown_in("", c) for c in C)
