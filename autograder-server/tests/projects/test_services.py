import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile

from autograder.common.errors import ApplicationError
from autograder.courses.models import Role
from autograder.projects import services
from autograder.projects.models import ExpectedStudentFile, InstructorFile, Project
from autograder.submissions.models import Submission
from tests import factories
from tests.projects.conftest import stored_files

pytestmark = pytest.mark.django_db


def _fields(exc: pytest.ExceptionInfo[ApplicationError]) -> dict[str, Any]:
    return exc.value.fields


# --- Projects -------------------------------------------------------------------------------


def test_project_create_keeps_policy_fields() -> None:
    course = factories.make_course()
    project = services.project_create(
        course=course,
        name="  P1  ",
        min_group_size=2,
        max_group_size=3,
        submission_limit_per_day=5,
        submission_limit_reset_time=datetime.time(8, 0),
        submission_limit_reset_timezone="America/Detroit",
        use_honor_pledge=True,
        honor_pledge_text="I did my own work.",
    )
    project.refresh_from_db()
    assert project.name == "P1"
    assert (project.min_group_size, project.max_group_size) == (2, 3)
    assert project.submission_limit_reset_timezone == "America/Detroit"


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"min_group_size": 3, "max_group_size": 2}, "min_group_size"),
        ({"submission_limit_reset_timezone": "Mars/Olympus"}, "submission_limit_reset_timezone"),
        ({"use_honor_pledge": True, "honor_pledge_text": "   "}, "honor_pledge_text"),
        ({"final_graded_policy": "worst"}, "final_graded_policy"),
    ],
)
def test_project_create_rejects_inconsistent_policies(
    fields: dict[str, Any], bad_field: str
) -> None:
    course = factories.make_course()
    with pytest.raises(ApplicationError) as exc:
        services.project_create(course=course, name="P", **fields)
    assert bad_field in _fields(exc)
    assert not Project.objects.filter(course=course).exists()


def test_project_names_are_unique_per_course_only() -> None:
    course, other = factories.make_course(), factories.make_course()
    services.project_create(course=course, name="P1")
    services.project_create(course=other, name="P1")
    with pytest.raises(ApplicationError) as exc:
        services.project_create(course=course, name="P1")
    assert exc.value.code == "duplicate_name"
    assert "name" in _fields(exc)


def test_project_update_checks_the_change_against_the_other_fields() -> None:
    project = factories.make_project(min_group_size=2, max_group_size=4)
    with pytest.raises(ApplicationError) as exc:
        services.project_update(project=project, max_group_size=1)
    assert "min_group_size" in _fields(exc)
    project.refresh_from_db()
    assert project.max_group_size == 4

    services.project_update(project=project, max_group_size=2, visible_to_students=False)
    project.refresh_from_db()
    assert (project.max_group_size, project.visible_to_students) == (2, False)


def test_project_update_refuses_a_name_used_by_another_project() -> None:
    course = factories.make_course()
    factories.make_project(course, name="Taken")
    project = factories.make_project(course, name="Mine")
    services.project_update(project=project, name="Mine")
    with pytest.raises(ApplicationError) as exc:
        services.project_update(project=project, name="Taken")
    assert "name" in _fields(exc)


def test_project_delete_refuses_while_submissions_exist(media_root: Path) -> None:
    project = factories.make_project()
    member = factories.make_user()
    factories.add_role(project.course, member, Role.STUDENT)
    group = factories.make_group(project, member)
    Submission.objects.create(group=group, project=project, submitter=member)
    with pytest.raises(ApplicationError) as exc:
        services.project_delete(project=project)
    assert exc.value.status == 409
    assert exc.value.code == "project_has_submissions"
    assert Project.objects.filter(pk=project.pk).exists()


def test_project_delete_removes_instructor_bytes_after_commit(
    media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    project = factories.make_project()
    services.instructor_file_create(project=project, name="a.txt", content=ContentFile(b"a"))
    assert len(stored_files(media_root)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.project_delete(project=project)
    assert not Project.objects.filter(pk=project.pk).exists()
    assert stored_files(media_root) == []


# --- Copying --------------------------------------------------------------------------------


def _project_with_files() -> Project:
    project = factories.make_project(
        name="P1",
        visible_to_students=True,
        max_group_size=3,
        submission_limit_per_day=4,
        allow_late_days=True,
        use_honor_pledge=True,
        honor_pledge_text="Mine.",
    )
    factories.make_expected_file(project, "*.cpp", 1, 5)
    factories.make_expected_file(project, "Makefile", 0, 1)
    services.instructor_file_create(
        project=project, name="driver.py", content=ContentFile(b"print(1)\n")
    )
    services.instructor_file_create(project=project, name="empty.txt", content=ContentFile(b""))
    return project


def test_project_copy_to_another_course_copies_settings_and_files(media_root: Path) -> None:
    project = _project_with_files()
    target = factories.make_course()
    copy = services.project_copy(project=project, target_course=target)

    assert copy.course == target
    assert copy.name == "P1"
    for field_name in services.PROJECT_SETTINGS_FIELDS:
        if field_name not in {"visible_to_students", "hide_final_graded_feedback"}:
            assert getattr(copy, field_name) == getattr(project, field_name), field_name
    assert copy.visible_to_students is False
    assert copy.hide_final_graded_feedback is True

    patterns = ExpectedStudentFile.objects.filter(project=copy)
    assert sorted(patterns.values_list("pattern", "min_num_matches", "max_num_matches")) == [
        ("*.cpp", 1, 5),
        ("Makefile", 0, 1),
    ]
    originals = {f.name: f for f in InstructorFile.objects.filter(project=project)}
    copies = {f.name: f for f in InstructorFile.objects.filter(project=copy)}
    assert set(copies) == {"driver.py", "empty.txt"}
    for name, duplicate in copies.items():
        assert duplicate.file_obj.name != originals[name].file_obj.name
        with duplicate.file_obj.open("rb") as fh:
            assert fh.read() == (b"print(1)\n" if name == "driver.py" else b"")
        assert duplicate.size == originals[name].size
    assert len(stored_files(media_root)) == 4


def test_project_copy_within_a_course_adds_a_copy_suffix() -> None:
    project = factories.make_project(name="P1")
    first = services.project_copy(project=project, target_course=project.course)
    second = services.project_copy(project=project, target_course=project.course)
    assert (first.name, second.name) == ("P1 (copy)", "P1 (copy 2)")


def test_project_copy_with_a_taken_new_name_is_refused(media_root: Path) -> None:
    project = _project_with_files()
    before = stored_files(media_root)
    with pytest.raises(ApplicationError) as exc:
        services.project_copy(project=project, target_course=project.course, new_name="P1")
    assert "name" in _fields(exc)
    assert Project.objects.filter(course=project.course).count() == 1
    assert stored_files(media_root) == before


def test_project_copy_that_fails_midway_leaves_no_bytes_behind(
    media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project_with_files()
    before = stored_files(media_root)
    real_save = InstructorFile.save
    calls = {"n": 0}

    def failing_second_save(self: InstructorFile, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        real_save(self, *args, **kwargs)

    monkeypatch.setattr(InstructorFile, "save", failing_second_save)
    with pytest.raises(RuntimeError):
        services.project_copy(project=project, target_course=factories.make_course())
    assert stored_files(media_root) == before
    assert Project.objects.count() == 1


# --- Expected files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern", ["", "  ", "src/*.c", "..", "../x", "a\\b", "a\x00b", "tab\there", "x" * 256]
)
def test_expected_file_patterns_that_are_refused(pattern: str) -> None:
    project = factories.make_project()
    with pytest.raises(ApplicationError) as exc:
        services.expected_file_create(project=project, pattern=pattern)
    assert "pattern" in _fields(exc)
    assert not ExpectedStudentFile.objects.exists()


def test_expected_file_limits_and_uniqueness() -> None:
    project = factories.make_project()
    with pytest.raises(ApplicationError) as exc:
        services.expected_file_create(
            project=project, pattern="*.c", min_num_matches=3, max_num_matches=2
        )
    assert "min_num_matches" in _fields(exc)
    with pytest.raises(ApplicationError) as exc:
        services.expected_file_create(project=project, pattern="*.c", max_num_matches=0)
    assert "max_num_matches" in _fields(exc)

    expected = services.expected_file_create(project=project, pattern="*.c", max_num_matches=4)
    other = services.expected_file_create(project=project, pattern="*.h")
    with pytest.raises(ApplicationError) as exc:
        services.expected_file_update(expected_file=other, pattern="*.c")
    assert exc.value.code == "duplicate_pattern"
    services.expected_file_update(expected_file=expected, min_num_matches=4)
    expected.refresh_from_db()
    assert (expected.min_num_matches, expected.max_num_matches) == (4, 4)


# --- Instructor files -----------------------------------------------------------------------


def test_instructor_file_create_stores_bytes_under_an_opaque_name(media_root: Path) -> None:
    project = factories.make_project()
    created = services.instructor_file_create(
        project=project, name="tests.py", content=ContentFile(b"assert True\n")
    )
    assert created.size == 12
    assert "tests.py" not in created.file_obj.name
    assert [p.read_bytes() for p in stored_files(media_root)] == [b"assert True\n"]


def test_instructor_file_size_cap(settings: Any, media_root: Path) -> None:
    settings.MAX_INSTRUCTOR_FILE_BYTES = 4
    project = factories.make_project()
    services.instructor_file_create(project=project, name="ok", content=ContentFile(b"1234"))
    with pytest.raises(ApplicationError) as exc:
        services.instructor_file_create(project=project, name="big", content=ContentFile(b"12345"))
    assert exc.value.status == 413
    assert "4 bytes" in exc.value.message
    assert len(stored_files(media_root)) == 1


def test_instructor_file_duplicate_name_race_leaves_no_bytes(
    media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = factories.make_project()
    services.instructor_file_create(project=project, name="a.txt", content=ContentFile(b"a"))
    monkeypatch.setattr(services, "_instructor_name_taken", lambda **kwargs: False)
    with pytest.raises(ApplicationError) as exc:
        services.instructor_file_create(project=project, name="a.txt", content=ContentFile(b"b"))
    assert exc.value.code == "duplicate_name"
    assert [p.read_bytes() for p in stored_files(media_root)] == [b"a"]


def test_instructor_file_replace_removes_old_bytes_only_after_commit(
    media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    project = factories.make_project()
    original = services.instructor_file_create(
        project=project, name="a.txt", content=ContentFile(b"old")
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        replaced = services.instructor_file_replace(
            instructor_file=original, content=ContentFile(b"newer")
        )
        assert len(stored_files(media_root)) == 2
    for callback in callbacks:
        callback()
    assert [p.read_bytes() for p in stored_files(media_root)] == [b"newer"]
    assert (replaced.name, replaced.size) == ("a.txt", 5)


def test_instructor_file_rename_keeps_bytes_and_checks_the_name(media_root: Path) -> None:
    project = factories.make_project()
    first = services.instructor_file_create(project=project, name="a", content=ContentFile(b"1"))
    services.instructor_file_create(project=project, name="b", content=ContentFile(b"2"))
    stored_name = first.file_obj.name
    services.instructor_file_rename(instructor_file=first, name="c")
    first.refresh_from_db()
    assert (first.name, first.file_obj.name) == ("c", stored_name)
    for bad in ["b", "..", "x/y", "nul\x00", ""]:
        with pytest.raises(ApplicationError) as exc:
            services.instructor_file_rename(instructor_file=first, name=bad)
        assert "name" in _fields(exc)
    first.refresh_from_db()
    assert first.name == "c"


def test_instructor_file_delete_removes_bytes_after_commit(
    media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    project = factories.make_project()
    created = services.instructor_file_create(project=project, name="a", content=ContentFile(b"1"))
    with django_capture_on_commit_callbacks(execute=True):
        services.instructor_file_delete(instructor_file=created)
    assert not InstructorFile.objects.exists()
    assert stored_files(media_root) == []
