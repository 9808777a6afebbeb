"""Bulk downloads: starting one, building it (the worker), and removing expired ones.

A download is an `ExportTask`; its `state` moves queued → building → done or failed, written
only here. The worker builds the file under MEDIA_ROOT/exports/ as `<name>.part`, then renames
it, so a file that exists under its final name is complete. Progress is written at most a few
times a second, as a percent of the files (zips) or rows (CSVs) done.
"""

import csv
import logging
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from autograder.accounts.models import User
from autograder.common.enqueue import enqueue_small_on_commit
from autograder.exports import archive, selection
from autograder.exports.models import ExportKind, ExportState, ExportTask
from autograder.exports.scores import score_rows
from autograder.groups.models import Group
from autograder.projects.models import Project
from autograder.submissions.models import Submission

logger = logging.getLogger(__name__)

_PROGRESS_EVERY_SECONDS = 0.5
BUILD_TIME_LIMIT_SECONDS = 3600
"""A build still running after this is killed by Celery; cleanup then marks it failed."""
EXPORTS_DIR = "exports"


def export_create(
    *,
    project: Project,
    creator: User | None,
    kind: str,
    include_staff: bool = False,
    include_pending_extensions: bool = False,
) -> ExportTask:
    """Records the request and has a `small` worker build it once this transaction commits."""
    from autograder.exports.tasks import build_export

    task = ExportTask.objects.create(
        project=project,
        creator=creator,
        kind=kind,
        include_staff=include_staff,
        include_pending_extensions=include_pending_extensions,
    )
    enqueue_small_on_commit(build_export, task.pk)
    return task


def download_filename(task: ExportTask) -> str:
    """What the browser saves the file as: project, kind, and when it was asked for."""
    extension = "csv" if task.kind in (ExportKind.ALL_SCORES, ExportKind.FINAL_SCORES) else "zip"
    name = slugify(task.project.name) or f"project-{task.project_id}"
    kind = task.kind.replace("_", "-")
    return f"{name}-{kind}-{task.created_at:%Y%m%d-%H%M}.{extension}"


class _CancelledError(Exception):
    """The download was deleted by staff while it was being built."""


class _Progress:
    """Writes the task's percent done when it changed, at most every half second; stops the
    build (raises `_CancelledError`) once staff deleted the download."""

    def __init__(self, task_id: int, total: int) -> None:
        self.task_id = task_id
        self.total = max(total, 1)
        self.written = 0
        self.last_write = 0.0

    def __call__(self, done: int) -> None:
        percent = min(99, done * 100 // self.total)
        now = time.monotonic()
        if percent > self.written and now - self.last_write >= _PROGRESS_EVERY_SECONDS:
            still_wanted = ExportTask.objects.filter(
                pk=self.task_id, state=ExportState.BUILDING
            ).update(progress=percent)
            if not still_wanted:
                raise _CancelledError
            self.written = percent
            self.last_write = now


def _claim(task_id: int) -> ExportTask | None:
    """queued → building by one conditional UPDATE, so a redelivered message builds nothing."""
    claimed = ExportTask.objects.filter(pk=task_id, state=ExportState.QUEUED).update(
        state=ExportState.BUILDING, started_at=timezone.now()
    )
    if not claimed:
        return None
    return ExportTask.objects.select_related("project").get(pk=task_id)


def _zip_entries(
    groups: list[Group], submissions: list[Submission], *, per_submission_folder: bool
) -> list[archive.ZipEntry]:
    folders = {group.pk: selection.folder_name(group) for group in groups}
    entries = []
    for submission in submissions:
        folder = folders[submission.group_id]
        if per_submission_folder:
            stamp = submission.timestamp.strftime("%Y-%m-%dT%H-%M-%S")
            folder = f"{folder}/{stamp}-{submission.pk}"
        for name in submission.submitted_filenames:
            entries.append(
                archive.ZipEntry(
                    arcname=f"{folder}/{name}",
                    storage_path=f"{submission.files_dir}/{name}",
                    modified=submission.timestamp,
                )
            )
    return entries


def _write_file(task: ExportTask, target: Path) -> None:
    options = selection.Options(
        include_staff=task.include_staff,
        include_pending_extensions=task.include_pending_extensions,
        now=task.created_at,
    )
    project = task.project
    groups = selection.export_groups(project=project, options=options)
    if task.kind in (ExportKind.ALL_FILES, ExportKind.ALL_SCORES):
        submissions = selection.all_submissions(groups=groups)
        by_id = {group.pk: group for group in groups}
        pairs: list[tuple[Group, Submission | None]] = [(by_id[s.group_id], s) for s in submissions]
    else:
        finals = selection.final_submissions(project=project, groups=groups)
        submissions = [finals[g.pk] for g in groups if g.pk in finals]
        pairs = [(group, finals.get(group.pk)) for group in groups]

    if task.kind in (ExportKind.ALL_FILES, ExportKind.FINAL_FILES):
        entries = _zip_entries(
            groups, submissions, per_submission_folder=task.kind == ExportKind.ALL_FILES
        )
        archive.write_zip(target=target, entries=entries, on_entry=_Progress(task.pk, len(entries)))
        return
    with target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        on_row = _Progress(task.pk, len(pairs))
        writer.writerows(score_rows(project=project, rows=pairs, on_row=on_row))


def _finish(task: ExportTask, **fields: object) -> bool:
    """Records the outcome; false when the download was deleted meanwhile."""
    return bool(
        ExportTask.objects.filter(pk=task.pk, state=ExportState.BUILDING).update(
            finished_at=timezone.now(), **fields
        )
    )


def _task_folder(task: ExportTask) -> Path:
    return Path(default_storage.path(f"{EXPORTS_DIR}/{task.project_id}/{task.pk}"))


def export_build(*, task_id: int) -> None:
    """Builds the download (the worker's side); safe to run twice."""
    task = _claim(task_id)
    if task is None:
        return
    relative = f"{EXPORTS_DIR}/{task.project_id}/{task.pk}/{download_filename(task)}"
    target = Path(default_storage.path(relative))
    partial = target.with_name(target.name + ".part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_file(task, partial)
        partial.rename(target)
    except _CancelledError:
        _remove_folder(_task_folder(task))
        return
    except Exception:
        logger.exception("Export %s failed", task.pk)
        partial.unlink(missing_ok=True)
        _finish(
            task,
            state=ExportState.FAILED,
            error_message="Building the file failed; the server log says why. Try again.",
        )
        return
    recorded = _finish(
        task,
        state=ExportState.DONE,
        progress=100,
        file_path=relative,
        file_size=target.stat().st_size,
    )
    if not recorded:  # deleted after the last progress check: nobody will fetch it
        _remove_folder(_task_folder(task))


def export_delete(*, task: ExportTask) -> None:
    """Staff delete a download: a finished one loses its file, a queued one is never built, one
    being built stops at its next progress check (the worker then removes what it wrote)."""
    folder = _task_folder(task)
    with transaction.atomic():
        ExportTask.objects.filter(pk=task.pk).delete()
        transaction.on_commit(lambda: _remove_folder(folder))


def _remove_folder(folder: Path) -> None:
    if folder.is_dir():
        for child in folder.iterdir():
            child.unlink(missing_ok=True)
        folder.rmdir()


def _orphan_folders(cutoff_timestamp: float) -> list[Path]:
    """Task folders with no row (their project was deleted), older than the cutoff."""
    root = Path(default_storage.path(EXPORTS_DIR))
    folders = [f for f in root.glob("*/*") if f.is_dir() and f.name.isdigit()]
    known = set(
        ExportTask.objects.filter(pk__in=[int(f.name) for f in folders]).values_list(
            "pk", flat=True
        )
    )
    return [f for f in folders if int(f.name) not in known and f.stat().st_mtime < cutoff_timestamp]


def exports_remove_expired() -> int:
    """Deletes downloads older than AG_EXPORT_RETENTION_HOURS (files and rows) and files left
    by deleted projects, and fails builds whose worker died; returns how many downloads went.
    Safe to run twice, or at once on two workers (the second finds nothing)."""
    cutoff = timezone.now() - timedelta(hours=settings.EXPORT_RETENTION_HOURS)
    ExportTask.objects.filter(
        state=ExportState.BUILDING,
        started_at__lt=timezone.now() - timedelta(seconds=BUILD_TIME_LIMIT_SECONDS + 60),
    ).update(
        state=ExportState.FAILED,
        finished_at=timezone.now(),
        error_message="The worker building this file stopped before it finished. Try again.",
    )
    expired = list(ExportTask.objects.filter(created_at__lt=cutoff).only("pk", "project_id"))
    for task in expired:
        _remove_folder(_task_folder(task))
    for folder in _orphan_folders(cutoff.timestamp()):
        _remove_folder(folder)
    with transaction.atomic():
        ExportTask.objects.filter(pk__in=[t.pk for t in expired]).delete()
    return len(expired)
