"""The mutation suite configuration API (bad input is a 400 naming the field), copying suites
to another project, and what each feedback category shows of a result."""

from typing import Any

import pytest

from autograder.courses import services as course_services
from autograder.grading.config.models import AGTestSuite
from autograder.grading.mutation.models import MutationSuiteResult, MutationTestSuite
from autograder.grading.mutation.services import copy_mutation_suites
from autograder.images import services as image_services
from autograder.images.models import ImageStatus, SandboxImage
from autograder.submissions.models import Submission
from tests.conftest import World
from tests.grading import factories as f
from tests.grading import pipeline_helpers as h

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Your tests",
    "buggy_impl_names": ["bug_a", "bug_b", "bug_c"],
    "get_student_test_names_command": "python3 list_tests.py",
    "validity_check_command": "python3 run.py stats.py ${student_test_name}",
    "grade_buggy_impl_command": "python3 run.py ${buggy_impl_name}.py ${student_test_name}",
    "points_per_exposed_bug": 2,
    "max_points": 5,
}


def post(w: World, body: dict[str, Any]) -> Any:
    return w.client("admin").post(
        f"/api/projects/{w.project.pk}/mutation_suites/", body, format="json"
    )


def test_create_read_update(world: World) -> None:
    response = post(
        world, VALID | {"feedback": {"normal": {"bugs_exposed_feedback": "exposed_bug_names"}}}
    )
    assert response.status_code == 201, response.data
    body = response.data
    assert body["buggy_impl_names"] == ["bug_a", "bug_b", "bug_c"]
    assert body["points_possible"] == 5
    assert body["feedback"]["normal"]["bugs_exposed_feedback"] == "exposed_bug_names"
    assert body["feedback"]["past_limit"]["bugs_exposed_feedback"] == "no_feedback"

    patch = world.client("admin").patch(
        f"/api/mutation_suites/{body['id']}/",
        {"max_points": None, "feedback": {"normal": {"show_points": False}}},
        format="json",
    )
    assert patch.status_code == 200, patch.data
    assert patch.data["points_possible"] == 6
    normal = patch.data["feedback"]["normal"]
    assert (normal["show_points"], normal["bugs_exposed_feedback"]) == (False, "exposed_bug_names")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"validity_check_command": "python3 run.py stats.py"}, "validity_check_command"),
        ({"grade_buggy_impl_command": "./t ${student_test_name}"}, "grade_buggy_impl_command"),
        (
            {"grade_buggy_impl_command": "./t ${buggy_impl_name}"},
            "grade_buggy_impl_command",
        ),
        (
            {
                "grade_buggy_impl_command": (
                    "./t ${buggy_impl_name} ${student_test_name} ${all_valid_test_names}"
                )
            },
            "grade_buggy_impl_command",
        ),
        ({"buggy_impl_names": ["a", "a"]}, "buggy_impl_names"),
        ({"buggy_impl_names": ["a", " "]}, "buggy_impl_names"),
        ({"max_num_student_tests": 51}, "max_num_student_tests"),
        ({"points_per_exposed_bug": 10_001}, "points_per_exposed_bug"),
        ({"max_points": 2**40}, "max_points"),
        ({"test_name_whitespace_handling": "tabs"}, "test_name_whitespace_handling"),
        ({"feedback": {"normal": {"bugs_exposed_feedback": "everything"}}}, "feedback.normal"),
        ({"feedback": {"normal": {"show_secret": True}}}, "feedback.normal"),
        ({"feedback": {"sometimes": {}}}, "feedback"),
        ({"sandbox_image": "evil:latest"}, "sandbox_image"),
        ({"name": "  "}, "name"),
    ],
)
def test_bad_input_names_the_field(world: World, change: dict[str, Any], field: str) -> None:
    response = post(world, VALID | change)
    assert response.status_code == 400, response.data
    assert field in response.data["fields"], response.data
    assert not MutationTestSuite.objects.exists()


def test_a_taken_name_is_a_400(world: World) -> None:
    assert post(world, VALID).status_code == 201
    response = post(world, VALID)
    assert response.status_code == 400
    assert response.data["code"] == "duplicate_name"


def test_copy_mutation_suites_matches_files_by_name() -> None:
    src = h.project_with_catch_all()
    dst = h.project_with_catch_all()
    suite = MutationTestSuite.objects.create(project=src, **{k: v for k, v in VALID.items()})
    suite.instructor_files_needed.add(h.instructor_file(src, "run.py", b"x"))
    suite.instructor_files_needed.add(h.instructor_file(src, "only_in_src.py", b"x"))
    dst_file = h.instructor_file(dst, "run.py", b"y")

    copies = copy_mutation_suites(src, dst)
    again = copy_mutation_suites(src, dst)

    assert [c.name for c in copies] == ["Your tests"] and again == []
    copy = MutationTestSuite.objects.get(project=dst)
    assert copy.buggy_impl_names == VALID["buggy_impl_names"]
    assert copy.grade_buggy_impl_command == VALID["grade_buggy_impl_command"]
    assert list(copy.instructor_files_needed.all()) == [dst_file]


# --- Sandbox images ---------------------------------------------------------------------------

DOCKERFILE = "FROM ag-sandbox-default:latest\n"


def ready_image(course: Any, name: str) -> SandboxImage:
    image = image_services.image_create(course=course, display_name=name, dockerfile=DOCKERFILE)
    image.tag, image.digest = f"{image.reference}:b1", "sha256:" + "b" * 64
    image.status = ImageStatus.READY
    image.save()
    return image


def test_a_mutation_suite_takes_the_images_its_course_may_use(world: World) -> None:
    """As ordinary suites: the site's images and the course's own with a good build."""
    mine = ready_image(world.course, "Mine")
    theirs = ready_image(world.other_course, "Theirs")
    unbuilt = image_services.image_create(
        course=world.course, display_name="Unbuilt", dockerfile=DOCKERFILE
    )
    for refused in (theirs, unbuilt):
        response = post(world, VALID | {"sandbox_image": refused.reference})
        assert response.status_code == 400, response.data
        assert response.data["fields"]["sandbox_image"], response.data
        assert response.data["code"] == "unknown_image"
    assert not MutationTestSuite.objects.exists()

    response = post(world, VALID | {"sandbox_image": mine.reference})
    assert response.status_code == 201, response.data
    assert response.data["sandbox_image"] == mine.reference


def test_a_course_copy_takes_the_mutation_suites_own_image_along(world: World) -> None:
    """A new term gets one copy of the image (same last good build), shared with the ordinary
    suite that uses it; the source keeps its own."""
    image = ready_image(world.course, "C++ tools")
    suite = MutationTestSuite.objects.create(
        project=world.project, **VALID | {"sandbox_image": image.reference}
    )
    AGTestSuite.objects.create(project=world.project, name="Public", sandbox_image=image.reference)

    copy = course_services.course_copy(
        course=world.course, new_name=world.course.name, new_semester="winter", new_year=2031
    )

    (copied_image,) = SandboxImage.objects.filter(course=copy)
    assert (copied_image.tag, copied_image.digest) == (image.tag, image.digest)
    copied = MutationTestSuite.objects.get(project__course=copy)
    assert copied.sandbox_image == copied_image.reference != image.reference
    assert AGTestSuite.objects.get(project__course=copy).sandbox_image == copied_image.reference
    assert MutationTestSuite.objects.get(pk=suite.pk).sandbox_image == image.reference


# --- Feedback ---------------------------------------------------------------------------------


def graded(w: World, feedback: dict[str, Any]) -> MutationSuiteResult:
    suite = MutationTestSuite.objects.create(
        project=w.project, **(VALID | {"max_points": None, "feedback": feedback})
    )
    submission = f.make_submission(w.group)
    return MutationSuiteResult.objects.create(
        submission=submission,
        suite=suite,
        suite_name=suite.name,
        student_tests=["test_a", "test_b", "test_bad"],
        invalid_tests=["test_bad"],
        bugs_exposed=["bug_a", "bug_b"],
        validity_check_stdout=b"validity output",
        points_awarded=4,
        points_possible=6,
    )


def results(w: World, role: str, result: MutationSuiteResult, **params: str) -> Any:
    response = w.client(role).get(f"/api/submissions/{result.submission_id}/results/", params)
    assert response.status_code == 200, response.data
    return response.data


LEVELS = {
    "no_feedback": (None, None, None),
    "num_bugs_exposed": (2, None, None),
    "exposed_bug_names": (2, ["bug_a", "bug_b"], None),
    "all_bug_names": (2, ["bug_a", "bug_b"], ["bug_a", "bug_b", "bug_c"]),
}


@pytest.mark.parametrize("level", list(LEVELS))
def test_students_see_as_much_of_the_bug_list_as_the_level_allows(world: World, level: str) -> None:
    result = graded(world, {"normal": {"bugs_exposed_feedback": level}})
    body = results(world, "group_member", result)

    (shown,) = body["mutation_suites"]
    assert (shown["num_bugs_exposed"], shown["bugs_exposed"], shown["all_bug_names"]) == LEVELS[
        level
    ]
    assert shown["invalid_tests"] == ["test_bad"]
    assert shown["validity_check_stdout"] is None
    assert (body["points_awarded"], body["points_possible"]) == (4, 6)
    text = str(body)
    if level != "all_bug_names":
        assert "bug_c" not in text
    if level in ("no_feedback", "num_bugs_exposed"):
        assert "bug_a" not in text


def test_each_category_has_its_own_settings(world: World) -> None:
    result = graded(world, {})
    Submission.objects.filter(pk=result.submission_id).update(is_past_daily_limit=True)

    student = results(world, "group_member", result)
    (past_limit,) = student["mutation_suites"]
    assert student["feedback_category"] == "past_limit"
    assert past_limit["num_bugs_exposed"] is None
    assert past_limit["invalid_tests"] is None
    assert (past_limit["points_awarded"], past_limit["points_possible"]) == (None, None)
    assert (student["points_awarded"], student["points_possible"]) == (0, 0)

    staff = results(world, "staff", result)
    (everything,) = staff["mutation_suites"]
    assert staff["feedback_category"] == "staff_viewer"
    assert everything["all_bug_names"] == ["bug_a", "bug_b", "bug_c"]
    assert everything["validity_check_stdout"] == "validity output"


def test_a_hidden_suite_is_left_out(world: World) -> None:
    result = graded(world, {"normal": {"visible": False}})
    body = results(world, "group_member", result)
    assert body["mutation_suites"] == []
    assert (body["points_awarded"], body["points_possible"]) == (0, 0)


def test_students_never_see_instructor_files_or_commands(world: World) -> None:
    result = graded(world, {"normal": {"bugs_exposed_feedback": "all_bug_names"}})
    text = str(results(world, "group_member", result))
    for secret in ("run.py", "list_tests.py", "stats.py"):
        assert secret not in text
    response = world.client("group_member").get(f"/api/mutation_suites/{result.suite_id}/")
    assert response.status_code == 403


def test_the_gradebook_counts_mutation_points(world: World) -> None:
    result = graded(world, {})
    response = world.client("staff").get(f"/api/projects/{world.project.pk}/gradebook/")
    assert response.status_code == 200, response.data
    (row,) = [r for r in response.data["results"] if r["group"] == world.group.pk]
    assert row["final_graded_submission"] == result.submission_id
    assert (row["points_awarded"], row["points_possible"]) == (4, 6)
