"""Term rollover and tests as code: copying a project or a course brings its whole test
configuration; a project's configuration goes out as YAML (or a zip with its instructor
files) and comes back in by name, with a dry run first."""

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from autograder.accounts.models import User
from autograder.common.errors import ApplicationError
from autograder.courses import services as course_services
from autograder.courses.models import Role
from autograder.grading.config import services
from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite
from autograder.grading.config.transfer import exporting, importing
from autograder.images.models import ImageStatus, SandboxImage
from autograder.projects import services as project_services
from autograder.projects.models import InstructorFile, Project
from tests import factories
from tests.grading.factories import make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def configured_project(course: Any = None) -> Project:
    """A project with two suites, files they use, feedback that differs from the defaults,
    a group and a submission (which copies must leave behind)."""
    project = factories.make_project(course, name="P1 Stats", max_group_size=2)
    factories.make_expected_file(project, "stats.py", 1, 1)
    factories.make_expected_file(project, "*.txt", 0, 3)
    driver = project_services.instructor_file_create(
        project=project, name="driver.py", content=ContentFile(b"print('driver')\n")
    )
    expected = project_services.instructor_file_create(
        project=project, name="expected.txt", content=ContentFile(b"42\n")
    )
    public = services.suite_create(
        project=project,
        name="Public",
        instructor_files_needed=[driver],
        student_files_needed=list(project.expected_student_files.filter(pattern="stats.py")),
        setup_command="python3 -m py_compile stats.py",
        feedback={"final_graded": {"show_setup_stdout": True}},
    )
    basics = services.case_create(
        suite=public, name="Basics", feedback={"normal": {"visible": False}}
    )
    services.command_create(
        case=basics,
        name="mean",
        cmd="python3 driver.py mean",
        expected_stdout_source="instructor_file",
        expected_stdout_instructor_file=expected,
        points_for_correct_stdout=3,
        time_limit_s=20,
        feedback={"normal": {"show_actual_stdout": True}},
    )
    services.command_create(
        case=basics,
        name="median",
        cmd="python3 driver.py median",
        stdin_source="text",
        stdin_text="1\n2\n3\n",
        expected_return_code="zero",
        points_for_correct_return_code=1,
    )
    hidden = services.suite_create(project=project, name="Hidden", deferred=True)
    edge = services.case_create(suite=hidden, name="Edge")
    services.command_create(case=edge, name="empty", cmd="python3 stats.py < /dev/null")
    student = factories.add_role(project.course, factories.make_user(), Role.STUDENT)
    group = factories.make_group(project, student)
    make_submission(group)
    return project


def tree(project: Project) -> dict[str, Any]:
    """The configuration as names and values, without ids, for comparing two projects."""
    document: dict[str, Any] = yaml.safe_load(exporting.project_config_yaml(project=project))
    return document


# --- Deep copy ------------------------------------------------------------------------------


def test_copying_a_project_copies_every_suite_case_command_and_file() -> None:
    source = configured_project()
    target_course = factories.make_course(name="EECS 280", year=2027)
    copy = project_services.project_copy(project=source, target_course=target_course)

    copied = tree(copy)
    original = tree(source)
    # The copy starts hidden from students, with final-graded feedback hidden.
    assert copied["project"].pop("hide_final_graded_feedback") is True
    assert original["project"].pop("visible_to_students") is True
    assert copied == original
    assert [s.name for s in copy.suites.all()] == ["Public", "Hidden"]
    command = AGTestCommand.objects.get(case__suite__project=copy, name="mean")
    assert command.expected_stdout_instructor_file is not None
    assert command.expected_stdout_instructor_file.project_id == copy.pk
    with command.expected_stdout_instructor_file.file_obj.open("rb") as stored:
        assert stored.read() == b"42\n"
    assert copy.submissions.count() == 0
    assert copy.groups.count() == 0
    # The original is untouched.
    assert AGTestCommand.objects.filter(case__suite__project=source).count() == 3


def test_copying_a_course_to_a_new_term_brings_the_tests_of_every_project() -> None:
    source = configured_project()
    admin = factories.add_role(source.course, factories.make_user(), Role.ADMIN)
    copy = course_services.course_copy(
        course=source.course, new_name=source.course.name, new_semester="winter", new_year=2031
    )
    project = copy.projects.get()
    assert project.name == "P1 Stats"
    assert AGTestSuite.objects.filter(project=project).count() == 2
    assert AGTestCommand.objects.filter(case__suite__project=project).count() == 3
    assert copy.memberships.filter(user=admin, role=Role.ADMIN).exists()
    assert project.submissions.count() == 0


def test_a_suite_on_its_course_s_own_image_is_copied_to_a_new_term_with_that_image() -> None:
    """The new course gets a copy of the image (same Dockerfile and last good build), and the
    copied suite runs on it; a second project on the same image shares that copy."""
    source = configured_project()
    image = SandboxImage.objects.create(
        course=source.course,
        display_name="Java",
        reference="ag-img-javatest0001",
        dockerfile="FROM ag-sandbox-default:latest\n",
        tag="ag-img-javatest0001:b7",
        digest="sha256:" + "a" * 64,
        status=ImageStatus.READY,
    )
    suite = AGTestSuite.objects.get(project=source, name="Public")
    suite.sandbox_image = image.reference
    suite.save()
    second = project_services.project_copy(
        project=source, target_course=source.course, new_name="P2 Same image"
    )

    copy = course_services.course_copy(
        course=source.course, new_name=source.course.name, new_semester="winter", new_year=2031
    )

    (copied_image,) = SandboxImage.objects.filter(course=copy)
    assert (copied_image.display_name, copied_image.tag, copied_image.digest) == (
        "Java",
        image.tag,
        image.digest,
    )
    assert copied_image.reference != image.reference
    for name in ("P1 Stats", second.name):
        copied = AGTestSuite.objects.get(project__course=copy, project__name=name, name="Public")
        assert copied.sandbox_image == copied_image.reference
    assert AGTestSuite.objects.get(pk=suite.pk).sandbox_image == image.reference


def test_a_failed_copy_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    source = configured_project()
    before = (Project.objects.count(), AGTestSuite.objects.count(), InstructorFile.objects.count())

    def broken(**kwargs: Any) -> None:
        raise ApplicationError("Disk full.", code="broken")

    monkeypatch.setattr(
        "autograder.grading.config.services.copying.suite_copy", lambda **kwargs: broken()
    )
    with pytest.raises(ApplicationError):
        project_services.project_copy(project=source, target_course=source.course)
    after = (Project.objects.count(), AGTestSuite.objects.count(), InstructorFile.objects.count())
    assert after == before


def test_cloning_a_test_case_places_a_copy_right_after_it() -> None:
    project = configured_project()
    basics = AGTestCase.objects.get(suite__project=project, name="Basics")
    suite = basics.suite
    services.case_create(suite=suite, name="Later")
    clone = services.case_clone(case=basics)
    assert [c.name for c in suite.cases.order_by("order")] == ["Basics", "Basics (copy)", "Later"]
    assert [c.name for c in clone.commands.all()] == ["mean", "median"]
    assert clone.feedback == basics.feedback
    again = services.case_clone(case=basics)
    assert again.name == "Basics (copy 2)"


# --- Tests as code --------------------------------------------------------------------------


def _import(project: Project, text: str, *, dry_run: bool = False, **kw: Any) -> Any:
    return importing.project_config_import(
        project=project, data=text.encode(), dry_run=dry_run, **kw
    )


def test_export_then_import_into_an_empty_project_then_export_gives_the_same_yaml() -> None:
    source = configured_project()
    exported = exporting.project_config_zip(project=source)
    empty = factories.make_project(source.course, name="Empty")
    result = importing.project_config_import(project=empty, data=exported, dry_run=False)
    assert result.applied
    empty.refresh_from_db()
    assert exporting.project_config_yaml(project=empty) == exporting.project_config_yaml(
        project=source
    )
    with zipfile.ZipFile(io.BytesIO(exporting.project_config_zip(project=empty))) as archive:
        assert archive.read("instructor_files/expected.txt") == b"42\n"
    # Importing the same document again changes nothing.
    assert _import(empty, exporting.project_config_yaml(project=source)).changes == []


def test_the_yaml_lists_only_what_differs_from_the_defaults() -> None:
    text = exporting.project_config_yaml(project=configured_project())
    document = yaml.safe_load(text)
    assert document["format"] == "autograder-project/1"
    mean = document["suites"][0]["cases"][0]["commands"][0]
    assert mean == {
        "name": "mean",
        "cmd": "python3 driver.py mean",
        "expected_stdout_source": "instructor_file",
        "expected_stdout_instructor_file": "expected.txt",
        "points_for_correct_stdout": 3,
        "time_limit_s": 20,
        "feedback": {"normal": {"show_actual_stdout": True}},
    }
    # Text with line breaks is a block, as it reads in git.
    assert "stdin_text: |\n" in text


def test_a_dry_run_lists_the_changes_and_stores_nothing() -> None:
    project = configured_project()
    document = tree(project)
    document["suites"][0]["cases"][0]["commands"][0]["time_limit_s"] = 30
    document["suites"].append(
        {
            "name": "Style",
            "cases": [
                {
                    "name": "flake8",
                    "commands": [
                        {"name": "lint", "cmd": "flake8 stats.py", "expected_return_code": "zero"}
                    ],
                }
            ],
        }
    )
    result = _import(project, yaml.safe_dump(document), dry_run=True)

    texts = [change.text for change in result.changes]
    assert "update command 'Public / Basics / mean': time_limit_s 20 → 30" in texts
    assert "create suite 'Style'" in texts
    assert "create test case 'Style / flake8'" in texts
    assert "create command 'Style / flake8 / lint'" in texts
    assert not result.applied
    assert not AGTestSuite.objects.filter(project=project, name="Style").exists()
    assert AGTestCommand.objects.get(case__suite__project=project, name="mean").time_limit_s == 20

    applied = _import(project, yaml.safe_dump(document))
    assert [c.text for c in applied.changes] == texts
    assert AGTestCommand.objects.get(case__suite__project=project, name="mean").time_limit_s == 30
    assert AGTestCommand.objects.get(case__suite__project=project, name="lint").cmd == (
        "flake8 stats.py"
    )


def test_things_the_yaml_leaves_out_are_reported_and_deleted_only_on_request() -> None:
    project = configured_project()
    document = tree(project)
    del document["suites"][1]
    del document["suites"][0]["cases"][0]["commands"][1]
    kept = _import(project, yaml.safe_dump(document))
    assert {c.text for c in kept.changes} == {
        "keep suite 'Hidden': not in the document",
        "keep command 'Public / Basics / median': not in the document",
    }
    assert AGTestSuite.objects.filter(project=project).count() == 2

    deleted = _import(project, yaml.safe_dump(document), delete_missing=True)
    assert {c.text for c in deleted.changes} == {
        "delete suite 'Hidden'",
        "delete command 'Public / Basics / median'",
    }
    assert [s.name for s in AGTestSuite.objects.filter(project=project)] == ["Public"]


def test_a_section_left_out_is_left_alone() -> None:
    project = configured_project()
    result = _import(
        project,
        "format: autograder-project/1\nexpected_files:\n"
        "  - pattern: stats.py\n  - {pattern: '*.txt', min_num_matches: 0, "
        "max_num_matches: 3}\n",
    )
    assert result.changes == []
    assert AGTestSuite.objects.filter(project=project).count() == 2


@pytest.mark.parametrize(
    ("edit", "path", "reason"),
    [
        (
            lambda d: d["suites"][0]["cases"][0]["commands"][1].update(time_limit_s=600),
            "suites[0].cases[0].commands[1].time_limit_s",
            "1 to 90 seconds",
        ),
        (
            lambda d: d["suites"][1]["cases"][0]["commands"][0].update(timeout=5),
            "suites[1].cases[0].commands[0].timeout",
            "unknown key",
        ),
        (
            lambda d: d["suites"][0]["cases"][0]["commands"][0].update(
                expected_stdout_instructor_file="missing.txt"
            ),
            "suites[0].cases[0].commands[0].expected_stdout_instructor_file",
            "no instructor file 'missing.txt'",
        ),
        (
            lambda d: d["suites"][0].update(feedback={"normal": {"visible": "yes"}}),
            "suites[0].feedback.normal",
            "true or false",
        ),
        (
            lambda d: d["suites"][0]["cases"].append({"name": "Basics"}),
            "suites[0].cases[1].name",
            "appears twice",
        ),
        (
            lambda d: d["project"].update(max_group_size="many"),
            "project.max_group_size",
            "integer",
        ),
    ],
)
def test_errors_name_the_yaml_path_and_nothing_is_stored(edit: Any, path: str, reason: str) -> None:
    project = configured_project()
    document = tree(project)
    document["suites"].append({"name": "New suite"})
    edit(document)
    with pytest.raises(ApplicationError) as caught:
        _import(project, yaml.safe_dump(document))
    assert caught.value.status == 400
    assert path in caught.value.fields, caught.value.fields
    assert reason in " ".join(caught.value.fields[path])
    assert caught.value.message.startswith(path)
    assert not AGTestSuite.objects.filter(name="New suite").exists()


def test_a_zip_brings_new_and_changed_instructor_files() -> None:
    project = configured_project()
    document = tree(project)
    document["instructor_files"].append("data.csv")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.yaml", yaml.safe_dump(document))
        archive.writestr("instructor_files/data.csv", "1,2,3\n")
        archive.writestr("instructor_files/expected.txt", "43\n")
    result = importing.project_config_import(project=project, data=buffer.getvalue(), dry_run=False)
    assert {c.text for c in result.changes} == {
        "create instructor file 'data.csv': 6 bytes",
        "update instructor file 'expected.txt': bytes 3 → 3",
    }
    stored = InstructorFile.objects.get(project=project, name="expected.txt")
    with stored.file_obj.open("rb") as content:
        assert content.read() == b"43\n"


def test_bad_yaml_is_a_400_on_file() -> None:
    project = configured_project()
    with pytest.raises(ApplicationError) as caught:
        _import(project, "suites: [unclosed\n")
    assert "file" in caught.value.fields
    assert "line 2" in caught.value.message


# --- API ------------------------------------------------------------------------------------


def _admin(project: Project) -> APIClient:
    client = APIClient()
    user: User = factories.add_role(project.course, factories.make_user(), Role.ADMIN)
    client.force_authenticate(user)
    return client


def test_export_and_import_over_http() -> None:
    project = configured_project()
    client = _admin(project)
    response = client.get(f"/api/projects/{project.pk}/config/export/?bundle=yaml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/yaml"
    assert "P1-Stats.yaml" in response["Content-Disposition"]
    text = response.content.decode().replace("time_limit_s: 20", "time_limit_s: 25")

    upload = SimpleUploadedFile("project.yaml", text.encode())
    preview = client.post(
        f"/api/projects/{project.pk}/config/import/", {"file": upload}, format="multipart"
    )
    assert preview.status_code == 200, preview.data
    assert preview.data["applied"] is False
    assert [c["text"] for c in preview.data["changes"]] == [
        "update command 'Public / Basics / mean': time_limit_s 20 → 25"
    ]
    upload = SimpleUploadedFile("project.yaml", text.encode())
    applied = client.post(
        f"/api/projects/{project.pk}/config/import/",
        {"file": upload, "dry_run": "false"},
        format="multipart",
    )
    assert applied.data["applied"] is True
    assert AGTestCommand.objects.get(case__suite__project=project, name="mean").time_limit_s == 25

    bad = SimpleUploadedFile(
        "project.yaml", text.replace("time_limit_s: 25", "time_limit_s: 0").encode()
    )
    response = client.post(
        f"/api/projects/{project.pk}/config/import/",
        {"file": bad, "dry_run": "false"},
        format="multipart",
    )
    assert response.status_code == 400
    assert "suites[0].cases[0].commands[0].time_limit_s" in response.data["fields"]


def test_copy_previews_count_what_will_be_copied() -> None:
    project = configured_project()
    client = _admin(project)
    response = client.get(f"/api/projects/{project.pk}/copy_preview/")
    assert response.status_code == 200
    assert response.data == {
        "project_id": project.pk,
        "name": "P1 Stats",
        "suites": 2,
        "test_cases": 2,
        "commands": 3,
        "expected_files": 2,
        "instructor_files": 2,
    }
    course = client.get(f"/api/courses/{project.course_id}/copy_preview/")
    assert course.status_code == 200
    assert [p["commands"] for p in course.data["projects"]] == [3]


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("[1, 2]", "file"),
        ("project: just text", "project"),
        (
            "suites:\n- name: S\n  instructor_files_needed: [{a: 1}]",
            "suites[0].instructor_files_needed[0]",
        ),
        (
            "suites:\n- name: S\n  cases: [{name: C, commands: "
            "[{name: X, cmd: x, stdin_instructor_file: [1]}]}]",
            "suites[0].cases[0].commands[0].stdin_instructor_file",
        ),
        (
            "project:\n  submission_limit_reset_time: 1:00:00",
            "project.submission_limit_reset_time",
        ),
        ("suites:\n- name: 7", "suites[0].name"),
        ("format: autograder-project/9", "format"),
        ("[" * 5000, "file"),
        ("\xff\xfe", "file"),
    ],
)
def test_odd_documents_are_400s_naming_where(text: str, path: str) -> None:
    project = factories.make_project(name="Odd")
    data = text.encode("latin-1") if text == "\xff\xfe" else text.encode()
    with pytest.raises(ApplicationError) as caught:
        importing.project_config_import(project=project, data=data, dry_run=True)
    assert caught.value.status == 400
    assert path in caught.value.fields, caught.value.fields


def test_copying_a_project_brings_its_rubric_and_mutation_suites_but_no_results() -> None:
    from autograder.grading.mutation.models import MutationTestSuite
    from autograder.handgrading.models import HandgradingRubric
    from tests.handgrading.helpers import make_rubric

    source = configured_project()
    rubric, criteria, annotations = make_rubric(source, released=True)
    mutation = MutationTestSuite.objects.create(
        project=source,
        name="Your tests",
        buggy_impl_names=["off_by_one"],
        get_student_test_names_command="python3 list_tests.py",
        validity_check_command="python3 run.py stats.py ${student_test_name}",
        grade_buggy_impl_command="python3 run.py ${buggy_impl_name}.py ${student_test_name}",
        points_per_exposed_bug=2,
    )
    mutation.instructor_files_needed.set(source.instructor_files.filter(name="driver.py"))

    copy = project_services.project_copy(
        project=source, target_course=factories.make_course(name="Next term")
    )

    copied_rubric = HandgradingRubric.objects.get(project=copy)
    assert copied_rubric.released is False
    assert [c.short_description for c in copied_rubric.criteria.order_by("order")] == [
        c.short_description for c in criteria
    ]
    assert copied_rubric.annotations.count() == len(annotations)
    copied_suite = MutationTestSuite.objects.get(project=copy)
    assert (copied_suite.name, copied_suite.buggy_impl_names) == ("Your tests", ["off_by_one"])
    assert [f.project_id for f in copied_suite.instructor_files_needed.all()] == [copy.pk]
    assert rubric.pk != copied_rubric.pk
