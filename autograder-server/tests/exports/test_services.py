import csv
import io
import os
import zipfile
from collections.abc import Collection
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from autograder.accounts.models import User
from autograder.courses.models import Role
from autograder.exports import archive, scores, services
from autograder.exports.models import ExportKind, ExportState, ExportTask
from autograder.grading.config.models import AGTestCommand
from autograder.grading.results.gradebook_columns import GradebookColumn
from autograder.projects.models import FinalGradedPolicy, Project
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories
from tests.exports.conftest import submit
from tests.grading import factories as grading

pytestmark = pytest.mark.django_db

NOW = timezone.now()


class Course:
    """A project with one suite of two commands (1 point each) and four groups: ann and bob
    (two graded submissions), cat (one), a staff member's group, and dan, whose extension
    runs until tomorrow."""

    def __init__(self) -> None:
        course = factories.make_course()
        self.project: Project = factories.make_project(
            course, name="P1: Lists", final_graded_policy=FinalGradedPolicy.MOST_RECENT
        )
        suite = grading.make_suite(self.project, name="Public tests")
        case = grading.make_case(suite, name="add")
        self.first: AGTestCommand = grading.make_command(case, name="first")
        self.second: AGTestCommand = grading.make_command(case, name="second")

        def student(name: str, role: str = Role.STUDENT) -> User:
            return factories.add_role(course, factories.make_user(name), role)

        self.pair = factories.make_group(self.project, student("bob"), student("ann"))
        self.solo = factories.make_group(self.project, student("cat"))
        self.staff = factories.make_group(self.project, student("ta", Role.STAFF))
        self.extended = factories.make_group(
            self.project, student("dan"), extended_due_date=NOW + timedelta(days=1)
        )
        self.creator = student("prof", Role.ADMIN)

        self.pair_old = submit(self.pair, {"list.py": b"old\n"}, timestamp=NOW - timedelta(hours=2))
        grading.grade(self.pair_old, {self.second: 0})
        self.pair_new = submit(
            self.pair,
            {"list.py": b"new\n", "test_list.py": b"tests\n"},
            timestamp=NOW - timedelta(hours=1),
        )
        grading.grade(self.pair_new)
        self.pair_queued = submit(
            self.pair,
            {"list.py": b"newest\n"},
            timestamp=NOW - timedelta(minutes=1),
            status=SubmissionStatus.QUEUED,
        )
        self.cat = submit(self.solo, {"list.py": b"cat\n"}, timestamp=NOW - timedelta(hours=3))
        grading.grade(self.cat, {self.first: 0, self.second: 0})
        self.ta = submit(self.staff, {"list.py": b"ta\n"}, timestamp=NOW - timedelta(hours=3))
        grading.grade(self.ta)
        self.dan = submit(self.extended, {"list.py": b"dan\n"})
        grading.grade(self.dan)

    def build(self, kind: str, **options: bool) -> ExportTask:
        task = services.export_create(
            project=self.project, creator=self.creator, kind=kind, **options
        )
        services.export_build(task_id=task.pk)
        task.refresh_from_db()
        return task


@pytest.fixture
def course() -> Course:
    return Course()


def zip_contents(task: ExportTask, media_root: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(media_root / task.file_path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def csv_rows(task: ExportTask, media_root: Path) -> list[dict[str, str]]:
    text = (media_root / task.file_path).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_final_graded_zip_has_a_folder_per_group_named_by_its_members(
    course: Course, media_root: Path
) -> None:
    task = course.build(ExportKind.FINAL_FILES)

    assert (task.state, task.progress) == (ExportState.DONE, 100)
    assert task.file_path.endswith(".zip")
    assert task.file_size == (media_root / task.file_path).stat().st_size
    # The pair's newest graded submission (not the queued one); no staff group, no group
    # whose extension is still running.
    assert zip_contents(task, media_root) == {
        "ann_bob/list.py": b"new\n",
        "ann_bob/test_list.py": b"tests\n",
        "cat/list.py": b"cat\n",
    }


def test_staff_and_pending_extensions_are_included_when_asked(
    course: Course, media_root: Path
) -> None:
    task = course.build(ExportKind.FINAL_FILES, include_staff=True, include_pending_extensions=True)

    assert set(zip_contents(task, media_root)) == {
        "ann_bob/list.py",
        "ann_bob/test_list.py",
        "cat/list.py",
        "ta/list.py",
        "dan/list.py",
    }


def test_final_graded_follows_the_projects_policy(course: Course, media_root: Path) -> None:
    worse = submit(course.solo, {"list.py": b"cat, worse\n"}, timestamp=NOW - timedelta(hours=1))
    grading.grade(worse, {course.first: 0, course.second: 0})
    better = submit(course.solo, {"list.py": b"cat, best\n"}, timestamp=NOW - timedelta(hours=2))
    grading.grade(better)

    most_recent = course.build(ExportKind.FINAL_FILES)
    Project.objects.filter(pk=course.project.pk).update(final_graded_policy=FinalGradedPolicy.BEST)
    course.project.refresh_from_db()
    best = course.build(ExportKind.FINAL_FILES)

    assert zip_contents(most_recent, media_root)["cat/list.py"] == b"cat, worse\n"
    assert zip_contents(best, media_root)["cat/list.py"] == b"cat, best\n"


def test_all_submissions_zip_has_a_folder_per_submission(course: Course, media_root: Path) -> None:
    task = course.build(ExportKind.ALL_FILES)

    contents = zip_contents(task, media_root)

    def stamp(submission: Submission) -> str:
        return submission.timestamp.strftime("%Y-%m-%dT%H-%M-%S")

    assert contents == {
        f"ann_bob/{stamp(course.pair_old)}-{course.pair_old.pk}/list.py": b"old\n",
        f"ann_bob/{stamp(course.pair_new)}-{course.pair_new.pk}/list.py": b"new\n",
        f"ann_bob/{stamp(course.pair_new)}-{course.pair_new.pk}/test_list.py": b"tests\n",
        f"ann_bob/{stamp(course.pair_queued)}-{course.pair_queued.pk}/list.py": b"newest\n",
        f"cat/{stamp(course.cat)}-{course.cat.pk}/list.py": b"cat\n",
    }


def test_a_file_missing_from_storage_is_left_out_not_fatal(
    course: Course, media_root: Path
) -> None:
    (media_root / course.cat.files_dir / "list.py").unlink()

    task = course.build(ExportKind.FINAL_FILES)

    assert task.state == ExportState.DONE
    assert "cat/list.py" not in zip_contents(task, media_root)
    assert "ann_bob/list.py" in zip_contents(task, media_root)


def test_final_scores_csv_has_a_row_per_group(course: Course, media_root: Path) -> None:
    task = course.build(ExportKind.FINAL_SCORES)

    rows = csv_rows(task, media_root)
    assert [
        (r["usernames"], r["submission_id"], r["total_points"], r["Public tests"]) for r in rows
    ] == [
        ("ann; bob", str(course.pair_new.pk), "2", "2"),
        ("cat", str(course.cat.pk), "0", "0"),
    ]
    assert rows[0]["points_possible"] == "2"
    assert rows[0]["status"] == SubmissionStatus.FINISHED_GRADING


def test_final_scores_csv_lists_a_group_without_a_graded_submission_with_blanks(
    course: Course, media_root: Path
) -> None:
    empty = factories.make_group(
        course.project,
        factories.add_role(course.project.course, factories.make_user("eve"), Role.STUDENT),
    )

    rows = csv_rows(course.build(ExportKind.FINAL_SCORES), media_root)

    eve = next(r for r in rows if r["usernames"] == "eve")
    assert eve["group_id"] == str(empty.pk)
    assert (eve["submission_id"], eve["total_points"]) == ("", "")


def test_all_scores_csv_has_a_row_per_submission(course: Course, media_root: Path) -> None:
    task = course.build(ExportKind.ALL_SCORES, include_staff=True)

    rows = csv_rows(task, media_root)
    by_id = {r["submission_id"]: r for r in rows}
    assert set(by_id) == {
        str(s.pk)
        for s in (course.pair_old, course.pair_new, course.pair_queued, course.cat, course.ta)
    }
    assert by_id[str(course.pair_old.pk)]["total_points"] == "1"
    assert by_id[str(course.pair_queued.pk)]["status"] == SubmissionStatus.QUEUED
    assert by_id[str(course.pair_queued.pk)]["total_points"] == "0"


def test_a_name_a_spreadsheet_would_run_is_quoted(course: Course, media_root: Path) -> None:
    grading.make_suite(course.project, name="=HYPERLINK(1)")

    rows = csv_rows(course.build(ExportKind.FINAL_SCORES), media_root)

    assert "'=HYPERLINK(1)" in rows[0]


def test_building_twice_builds_once(course: Course, media_root: Path) -> None:
    task = course.build(ExportKind.FINAL_FILES)
    first = (media_root / task.file_path).stat().st_mtime_ns

    services.export_build(task_id=task.pk)

    task.refresh_from_db()
    assert task.state == ExportState.DONE
    assert (media_root / task.file_path).stat().st_mtime_ns == first


def test_a_failed_build_says_so_and_leaves_no_file(
    course: Course, media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(archive, "write_zip", broken)

    task = course.build(ExportKind.FINAL_FILES)

    assert task.state == ExportState.FAILED
    assert "Try again" in task.error_message
    assert task.file_path == ""
    assert not any(p.is_file() for p in (media_root / "exports").rglob("*"))


def test_expired_downloads_are_removed_with_their_files(
    course: Course, media_root: Path, settings: Any
) -> None:
    settings.EXPORT_RETENTION_HOURS = 24
    old = course.build(ExportKind.FINAL_FILES)
    fresh = course.build(ExportKind.FINAL_SCORES)
    ExportTask.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))

    assert services.exports_remove_expired() == 1

    assert not (media_root / old.file_path).exists()
    assert not (media_root / old.file_path).parent.exists()
    assert (media_root / fresh.file_path).exists()
    assert list(ExportTask.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_files_of_a_deleted_project_are_removed_once_expired(
    course: Course, media_root: Path, settings: Any
) -> None:
    settings.EXPORT_RETENTION_HOURS = 1
    task = course.build(ExportKind.FINAL_FILES)
    folder = (media_root / task.file_path).parent
    course.project.delete()
    old = (timezone.now() - timedelta(hours=2)).timestamp()
    os.utime(folder, (old, old))

    services.exports_remove_expired()

    assert not folder.exists()


def test_a_build_whose_worker_died_is_marked_failed(course: Course) -> None:
    task = services.export_create(project=course.project, creator=None, kind=ExportKind.FINAL_FILES)
    long_ago = timezone.now() - timedelta(seconds=services.BUILD_TIME_LIMIT_SECONDS + 120)
    ExportTask.objects.filter(pk=task.pk).update(state=ExportState.BUILDING, started_at=long_ago)

    services.exports_remove_expired()

    task.refresh_from_db()
    assert task.state == ExportState.FAILED
    assert "stopped" in task.error_message


def test_registered_gradebook_columns_score_the_final_graded_rows(
    course: Course, media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def handgraded(
        project: Project, group_ids: Collection[int]
    ) -> dict[int, tuple[Decimal, Decimal]]:
        return {course.pair.pk: (Decimal("7.5"), Decimal("10"))}

    column = GradebookColumn(key="handgrading", label="Handgrading", scores=handgraded)
    monkeypatch.setattr(scores, "gradebook_columns", lambda: [column])

    final_rows = csv_rows(course.build(ExportKind.FINAL_SCORES), media_root)
    all_rows = csv_rows(course.build(ExportKind.ALL_SCORES), media_root)

    pair = next(r for r in final_rows if r["usernames"] == "ann; bob")
    assert (pair["Handgrading"], pair["Handgrading possible"]) == ("7.5", "10")
    assert next(r for r in final_rows if r["usernames"] == "cat")["Handgrading"] == ""
    by_id = {r["submission_id"]: r["Handgrading"] for r in all_rows}
    assert by_id[str(course.pair_new.pk)] == "7.5"
    assert by_id[str(course.pair_old.pk)] == ""


def test_deleting_a_finished_download_removes_its_file(
    course: Course, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    task = course.build(ExportKind.FINAL_FILES)
    assert (media_root / task.file_path).is_file()

    with django_capture_on_commit_callbacks(execute=True):
        services.export_delete(task=task)

    assert not ExportTask.objects.filter(pk=task.pk).exists()
    assert not (media_root / task.file_path).parent.exists()


def test_a_queued_download_deleted_before_its_worker_starts_is_never_built(
    course: Course, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    task = services.export_create(
        project=course.project, creator=course.creator, kind=ExportKind.ALL_FILES
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.export_delete(task=task)

    services.export_build(task_id=task.pk)  # the message still arrives

    assert not ExportTask.objects.filter(pk=task.pk).exists()
    assert not any((media_root / "exports").rglob("*.zip"))


def test_a_download_deleted_while_it_is_built_stops_and_leaves_no_file(
    course: Course, media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staff cancel while the worker writes: its next progress check stops the build, and the
    worker removes the partial file (nothing is left for the retention sweep)."""
    monkeypatch.setattr(services, "_PROGRESS_EVERY_SECONDS", 0.0)
    task = services.export_create(
        project=course.project, creator=course.creator, kind=ExportKind.ALL_FILES
    )
    written: list[str] = []
    real_write_zip = archive.write_zip

    def write_zip_cancelled_midway(*, target: Path, entries: Any, on_entry: Any) -> None:
        def on_entry_then_cancel(done: int) -> None:
            if done == 1:  # staff press "Cancel" after the first file went in
                ExportTask.objects.filter(pk=task.pk).delete()
            written.append(str(done))
            on_entry(done)

        real_write_zip(target=target, entries=entries, on_entry=on_entry_then_cancel)

    monkeypatch.setattr(archive, "write_zip", write_zip_cancelled_midway)

    services.export_build(task_id=task.pk)

    assert written[:1] == ["1"] and len(written) < 6, written  # stopped early, not at the end
    assert not any(p.is_file() for p in (media_root / "exports").rglob("*"))
