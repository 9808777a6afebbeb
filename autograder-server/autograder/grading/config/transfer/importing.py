"""Importing a configuration document into a project: suites, test cases and commands are
matched by name within their parent, expected files by pattern, instructor files by name.

Every write goes through the same services as the staff UI, so the rules are the UI's; an
error names the YAML path of what is wrong (`suites[1].cases[0].commands[2].time_limit_s`).
The import runs in one transaction: it is stored whole or not at all. A dry run does the same
work and rolls it back, so it reports exactly the changes (and errors) applying would give.

A top-level section left out of the document (`project`, `expected_files`,
`instructor_files`, `suites`) is left alone; inside a section, a key left out means the
field's default. Things the document doesn't list are reported, and deleted only when the
caller asks for it.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction

from autograder.common.errors import ApplicationError
from autograder.grading.config import services
from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite
from autograder.grading.config.services.editing import (
    CASE_FIELDS,
    COMMAND_FIELDS,
    COMMAND_FILE_FIELDS,
    SUITE_FIELDS,
)
from autograder.grading.config.transfer import document, yaml_io
from autograder.grading.config.transfer.sections import transfer_sections
from autograder.projects import services as project_services
from autograder.projects.models import ExpectedStudentFile, InstructorFile, Project
from autograder.projects.services import PROJECT_SETTINGS_FIELDS


@dataclass(frozen=True)
class Change:
    action: str
    """create, update, delete, or keep (not in the document, and not deleted)."""
    kind: str
    """project, expected_file, instructor_file, suite, test_case or command."""
    name: str
    details: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        label = self.kind.replace("_", " ")
        line = f"{self.action} {label} {self.name}".rstrip()
        return f"{line}: {'; '.join(self.details)}" if self.details else line


@dataclass(frozen=True)
class ImportResult:
    applied: bool
    changes: list[Change]


def _shown(value: Any) -> str:
    if isinstance(value, models.Model):
        value = str(value)
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _diff(old: Any, new: Any, name: str) -> str:
    return f"{name} {_shown(old)} → {_shown(new)}"


# --- Paths in error messages ----------------------------------------------------------------


def _path_error(path: str, reason: str, *, code: str = "invalid") -> ApplicationError:
    return ApplicationError(f"{path}: {reason}", code=code, fields={path: [reason]})


@contextmanager
def _at(path: str) -> Iterator[None]:
    """Re-raises a service's field errors under `path` (`name` → `suites[0].name`)."""
    try:
        yield
    except ApplicationError as exc:
        if exc.status != 400 and exc.code != "file_too_large":
            raise
        fields = {f"{path}.{key}": reasons for key, reasons in exc.fields.items()} or {
            path: [exc.message]
        }
        first_path, reasons = next(iter(fields.items()))
        reason = reasons[0] if reasons else exc.message
        raise ApplicationError(
            f"{first_path}: {reason}", code=exc.code, fields=fields, status=exc.status
        ) from exc


def _mapping(value: Any, path: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        where = path or "file"
        raise _path_error(where, "must be a mapping of keys to values.")
    unknown = [key for key in value if key not in allowed]
    if unknown:
        raise _path_error(
            f"{path}.{unknown[0]}" if path else str(unknown[0]),
            f"unknown key; known keys here: {', '.join(allowed)}.",
            code="unknown_key",
        )
    return value


def _list(value: Any, path: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _path_error(path, "must be a list.")
    return value


def _named_entries(
    value: Any, path: str, allowed: tuple[str, ...], key: str = "name"
) -> list[tuple[str, dict[str, Any]]]:
    """(path, entry) for each entry of a list whose entries are matched by `key`, which must
    be text and appear once."""
    entries = []
    seen: set[str] = set()
    for index, raw in enumerate(_list(value, path)):
        entry_path = f"{path}[{index}]"
        entry = _mapping(raw, entry_path, allowed)
        name = entry.get(key)
        if not isinstance(name, str) or not name.strip():
            raise _path_error(f"{entry_path}.{key}", "required, as text.")
        if name.strip() in seen:
            raise _path_error(f"{entry_path}.{key}", f"{name!r} appears twice.", code="duplicate")
        seen.add(name.strip())
        entries.append((entry_path, {**entry, key: name.strip()}))
    return entries


def _coerced(model: type[models.Model], name: str, value: Any, path: str) -> Any:
    """`value` as the model field stores it (text → time, "3" → 3), or a 400 at `path`."""
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    try:
        return model_field.to_python(value)
    except ValidationError as exc:
        raise _path_error(f"{path}.{name}", " ".join(exc.messages)) from exc
    except (TypeError, ValueError) as exc:
        raise _path_error(f"{path}.{name}", f"{value!r} is not a valid value here.") from exc


# --- The import -----------------------------------------------------------------------------


@dataclass
class _Run:
    project: Project
    files: dict[str, bytes] | None
    delete_missing: bool
    changes: list[Change] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    """Storage names of bytes this run wrote; removed again if it doesn't commit."""

    def note(self, action: str, kind: str, name: str, details: list[str] | None = None) -> None:
        self.changes.append(Change(action, kind, name, details or []))

    def instructor_files(self) -> dict[str, InstructorFile]:
        return {f.name: f for f in InstructorFile.objects.filter(project=self.project)}

    def expected_files(self) -> dict[str, ExpectedStudentFile]:
        return {f.pattern: f for f in ExpectedStudentFile.objects.filter(project=self.project)}

    def unlisted(self, kind: str, name: str, delete: Callable[[], None]) -> None:
        if self.delete_missing:
            delete()
            self.note("delete", kind, name)
        else:
            self.note("keep", kind, name, ["not in the document"])


def project_config_import(
    *, project: Project, data: bytes, dry_run: bool, delete_missing: bool = False
) -> ImportResult:
    """Applies the document in `data` (YAML, or a zip of `project.yaml` and
    `instructor_files/…`) to `project`; with `dry_run`, only reports what would change."""
    text, files = yaml_io.unpack(data)
    raw = yaml_io.load(text)
    top = _mapping(raw if raw is not None else {}, "", document.top_keys())
    if top.get("format", document.FORMAT) != document.FORMAT:
        raise _path_error("format", f"must be {document.FORMAT!r}.")
    run = _Run(project=project, files=files, delete_missing=delete_missing)
    try:
        with transaction.atomic():
            Project.objects.select_for_update().get(pk=project.pk)
            if "project" in top:
                _import_settings(run, top["project"])
            if "expected_files" in top:
                _import_expected_files(run, top["expected_files"])
            if "instructor_files" in top or files:
                _import_instructor_files(run, top.get("instructor_files"))
            if "suites" in top:
                _import_suites(run, top["suites"])
            for section in transfer_sections():
                if section.key in top:
                    section.apply(run, top[section.key])
            if dry_run:
                transaction.set_rollback(True)
    except BaseException:
        _delete_stored(run.written)
        raise
    if dry_run:
        _delete_stored(run.written)
    return ImportResult(applied=not dry_run, changes=run.changes)


def _delete_stored(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _import_settings(run: _Run, raw: Any) -> None:
    entry = _mapping(raw if raw is not None else {}, "project", PROJECT_SETTINGS_FIELDS)
    changed: dict[str, Any] = {}
    details = []
    for name in PROJECT_SETTINGS_FIELDS:
        wanted = entry.get(name, document.field_default(Project, name))
        current = getattr(run.project, name)
        if _coerced(Project, name, wanted, "project") != current:
            changed[name] = wanted
            details.append(_diff(document.plain(current), wanted, name))
    if changed:
        with _at("project"):
            run.project = project_services.project_update(project=run.project, **changed)
        run.note("update", "project", "settings", details)


def _import_expected_files(run: _Run, raw: Any) -> None:
    existing = run.expected_files()
    listed = _named_entries(raw, "expected_files", document.EXPECTED_FILE_KEYS, key="pattern")
    for path, entry in listed:
        pattern = entry["pattern"]
        wanted = {
            key: _coerced(
                ExpectedStudentFile,
                key,
                entry.get(key, document.field_default(ExpectedStudentFile, key)),
                path,
            )
            for key in ("min_num_matches", "max_num_matches")
        }
        current = existing.get(pattern)
        with _at(path):
            if current is None:
                project_services.expected_file_create(
                    project=run.project, pattern=pattern, **wanted
                )
                run.note("create", "expected_file", repr(pattern))
                continue
            details = [
                _diff(getattr(current, key), value, key)
                for key, value in wanted.items()
                if getattr(current, key) != value
            ]
            if details:
                project_services.expected_file_update(expected_file=current, **wanted)
                run.note("update", "expected_file", repr(pattern), details)
    names = {entry["pattern"] for _, entry in listed}
    for pattern, expected in existing.items():
        if pattern not in names:
            run.unlisted(
                "expected_file",
                repr(pattern),
                partial(project_services.expected_file_delete, expected_file=expected),
            )


def _import_instructor_files(run: _Run, raw: Any) -> None:
    existing = run.instructor_files()
    carried = run.files or {}
    listed: list[str] = []
    for index, name in enumerate(_list(raw, "instructor_files")):
        if not isinstance(name, str) or not name:
            raise _path_error(f"instructor_files[{index}]", "must be a file name.")
        if name in listed:
            raise _path_error(f"instructor_files[{index}]", f"{name!r} appears twice.")
        listed.append(name)
        if name not in carried and name not in existing:
            raise _path_error(
                f"instructor_files[{index}]",
                f"the project has no file {name!r}: upload a zip with "
                f"{document.FILES_DIR}{name}, or add the file to the project first.",
                code="missing_file",
            )
    extra = sorted(set(carried) - set(listed))
    if extra:
        raise _path_error(
            "instructor_files",
            f"the zip carries {document.FILES_DIR}{extra[0]}, which this list doesn't name.",
        )
    for index, name in enumerate(listed):
        if name not in carried:
            continue
        content = carried[name]
        with _at(f"instructor_files[{index}]"):
            current = existing.get(name)
            if current is None:
                created = project_services.instructor_file_create(
                    project=run.project, name=name, content=ContentFile(content, name=name)
                )
                run.written.append(created.file_obj.name)
                run.note("create", "instructor_file", repr(name), [f"{len(content)} bytes"])
                continue
            with current.file_obj.open("rb") as stored:
                same = stored.read() == content
            if not same:
                replaced = project_services.instructor_file_replace(
                    instructor_file=current, content=ContentFile(content, name=name)
                )
                run.written.append(replaced.file_obj.name)
                run.note(
                    "update",
                    "instructor_file",
                    repr(name),
                    [_diff(current.size, len(content), "bytes")],
                )
    for name, instructor_file in existing.items():
        if name not in listed:
            run.unlisted(
                "instructor_file",
                repr(name),
                partial(project_services.instructor_file_delete, instructor_file=instructor_file),
            )


# --- Suites, test cases, commands -----------------------------------------------------------


def _wanted_feedback(kind: str, entry: dict[str, Any], path: str) -> dict[str, Any]:
    with _at(path):
        return document.normalize_feedback(kind, entry.get("feedback", {}) or {})


def _feedback_change(
    kind: str, stored: dict[str, Any], wanted: dict[str, Any]
) -> tuple[dict[str, Any] | None, str | None]:
    """The `feedback` value to write (categories dropped from the document become null, as
    the services read it) and its description, or (None, None) when nothing changes."""
    current = document.normalize_feedback(kind, stored)
    if current == wanted:
        return None, None
    changes: list[str] = []
    for category in sorted(set(current) | set(wanted)):
        old, new = current.get(category, {}), wanted.get(category, {})
        changes += [
            _diff(old.get(key), new.get(key), f"feedback.{category}.{key}")
            for key in sorted(set(old) | set(new))
            if old.get(key) != new.get(key)
        ]
    value: dict[str, Any] = dict(wanted)
    for category in current:
        if category not in wanted:
            value[category] = None
    return value, "; ".join(changes)


def _plain_values(
    model: type[models.Model], entry: dict[str, Any], names: tuple[str, ...], path: str
) -> dict[str, Any]:
    return {
        name: _coerced(model, name, entry.get(name, document.field_default(model, name)), path)
        for name in names
    }


def _compare(
    row: models.Model, wanted: dict[str, Any], shown: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    changed: dict[str, Any] = {}
    details = []
    for name, value in wanted.items():
        current = getattr(row, name)
        if current != value:
            changed[name] = value
            details.append(_diff(document.plain(current), shown.get(name, value), name))
    return changed, details


def _file_refs(run: _Run, names: Any, path: str, *, expected: bool) -> tuple[list[Any], list[str]]:
    available: dict[str, Any] = run.expected_files() if expected else run.instructor_files()
    what = "expected file pattern" if expected else "instructor file"
    result = []
    listed = []
    for index, name in enumerate(_list(names, path)):
        if not isinstance(name, str) or name not in available:
            raise _path_error(
                f"{path}[{index}]", f"the project has no {what} {name!r}.", code="missing_file"
            )
        result.append(available[name])
        listed.append(name)
    return result, sorted(listed)


def _reorder(
    run: _Run,
    rows: "models.QuerySet[Any]",
    wanted_names: list[str],
    reorder: Callable[[list[int]], Any],
    where: str,
) -> None:
    current = list(rows.order_by("order", "pk").values_list("pk", "name"))
    by_name = dict((name, pk) for pk, name in current)
    ordered = [by_name[name] for name in wanted_names if name in by_name]
    ordered += [pk for pk, _ in current if pk not in ordered]
    if ordered != [pk for pk, _ in current]:
        reorder(ordered)
        run.note("update", "order", where, [", ".join(wanted_names)])


def _import_suites(run: _Run, raw: Any) -> None:
    listed = _named_entries(raw, "suites", document.SUITE_KEYS)
    existing = {s.name: s for s in AGTestSuite.objects.filter(project=run.project)}
    plain_fields = tuple(
        name
        for name in SUITE_FIELDS
        if name not in ("name", "feedback", "instructor_files_needed", "student_files_needed")
    )
    for path, entry in listed:
        name = entry["name"]
        wanted = _plain_values(AGTestSuite, entry, plain_fields, path)
        instructor, instructor_names = _file_refs(
            run,
            entry.get("instructor_files_needed"),
            f"{path}.instructor_files_needed",
            expected=False,
        )
        student, student_patterns = _file_refs(
            run, entry.get("student_files_needed"), f"{path}.student_files_needed", expected=True
        )
        feedback = _wanted_feedback("suite", entry, path)
        suite = existing.get(name)
        with _at(path):
            if suite is None:
                suite = services.suite_create(
                    project=run.project,
                    name=name,
                    feedback=feedback,
                    instructor_files_needed=instructor,
                    student_files_needed=student,
                    **wanted,
                )
                run.note("create", "suite", repr(name))
            else:
                changed, details = _compare(suite, wanted, {})
                current_files = sorted(f.name for f in suite.instructor_files_needed.all())
                if current_files != instructor_names:
                    changed["instructor_files_needed"] = instructor
                    details.append(
                        _diff(current_files, instructor_names, "instructor_files_needed")
                    )
                current_patterns = sorted(f.pattern for f in suite.student_files_needed.all())
                if current_patterns != student_patterns:
                    changed["student_files_needed"] = student
                    details.append(
                        _diff(current_patterns, student_patterns, "student_files_needed")
                    )
                value, described = _feedback_change("suite", suite.feedback, feedback)
                if value is not None:
                    changed["feedback"] = value
                    details.append(described or "feedback")
                if changed:
                    suite = services.suite_update(suite=suite, **changed)
                    run.note("update", "suite", repr(name), details)
        _import_cases(run, suite, entry.get("cases"), f"{path}.cases")
    names = [entry["name"] for _, entry in listed]
    for name, suite in existing.items():
        if name not in names:
            run.unlisted("suite", repr(name), partial(services.suite_delete, suite=suite))
    _reorder(
        run,
        AGTestSuite.objects.filter(project=run.project),
        names,
        lambda ids: services.suite_reorder(parent=run.project, ids=ids),
        "suites",
    )


def _import_cases(run: _Run, suite: AGTestSuite, raw: Any, path: str) -> None:
    listed = _named_entries(raw, path, document.CASE_KEYS)
    existing = {c.name: c for c in AGTestCase.objects.filter(suite=suite)}
    text_fields = tuple(name for name in CASE_FIELDS if name not in ("name", "feedback"))
    for case_path, entry in listed:
        name = entry["name"]
        where = f"{suite.name} / {name}"
        wanted = _plain_values(AGTestCase, entry, text_fields, case_path)
        feedback = _wanted_feedback("case", entry, case_path)
        case = existing.get(name)
        with _at(case_path):
            if case is None:
                case = services.case_create(suite=suite, name=name, feedback=feedback, **wanted)
                run.note("create", "test_case", repr(where))
            else:
                changed, details = _compare(case, wanted, {})
                value, described = _feedback_change("case", case.feedback, feedback)
                if value is not None:
                    changed["feedback"] = value
                    details.append(described or "feedback")
                if changed:
                    case = services.case_update(case=case, **changed)
                    run.note("update", "test_case", repr(where), details)
        _import_commands(run, case, entry.get("commands"), f"{case_path}.commands", where)
    names = [entry["name"] for _, entry in listed]
    for name, case in existing.items():
        if name not in names:
            run.unlisted(
                "test_case",
                repr(f"{suite.name} / {name}"),
                partial(services.case_delete, case=case),
            )
    _reorder(
        run,
        AGTestCase.objects.filter(suite=suite),
        names,
        lambda ids: services.case_reorder(parent=suite, ids=ids),
        f"test cases of {suite.name!r}",
    )


def _import_commands(run: _Run, case: AGTestCase, raw: Any, path: str, where: str) -> None:
    listed = _named_entries(raw, path, document.COMMAND_KEYS)
    existing = {c.name: c for c in AGTestCommand.objects.filter(case=case)}
    files = run.instructor_files()
    plain_fields = tuple(
        name for name in COMMAND_FIELDS if name not in ("name", "feedback", *COMMAND_FILE_FIELDS)
    )
    for command_path, entry in listed:
        name = entry["name"]
        label = f"{where} / {name}"
        wanted: dict[str, Any] = _plain_values(AGTestCommand, entry, plain_fields, command_path)
        shown: dict[str, Any] = {}
        for file_field in COMMAND_FILE_FIELDS:
            file_name = entry.get(file_field)
            if file_name is not None and (not isinstance(file_name, str) or file_name not in files):
                raise _path_error(
                    f"{command_path}.{file_field}",
                    f"the project has no instructor file {file_name!r}.",
                    code="missing_file",
                )
            wanted[file_field] = files[file_name] if file_name is not None else None
            shown[file_field] = file_name
        feedback = _wanted_feedback("command", entry, command_path)
        command = existing.get(name)
        with _at(command_path):
            if command is None:
                services.command_create(case=case, name=name, feedback=feedback, **wanted)
                run.note("create", "command", repr(label))
                continue
            changed, details = _compare(command, wanted, shown)
            value, described = _feedback_change("command", command.feedback, feedback)
            if value is not None:
                changed["feedback"] = value
                details.append(described or "feedback")
            if changed:
                services.command_update(command=command, **changed)
                run.note("update", "command", repr(label), details)
    names = [entry["name"] for _, entry in listed]
    for name, command in existing.items():
        if name not in names:
            run.unlisted(
                "command",
                repr(f"{where} / {name}"),
                partial(services.command_delete, command=command),
            )
    _reorder(
        run,
        AGTestCommand.objects.filter(case=case),
        names,
        lambda ids: services.command_reorder(parent=case, ids=ids),
        f"commands of {where!r}",
    )


# --- For registered sections (`transfer.sections`) -----------------------------------------
# A section imports its entries with the same rules and error paths as the suites above.

ImportRun = _Run
path_error = _path_error
at = _at
named_entries = _named_entries
coerced = _coerced
file_refs = _file_refs
reorder = _reorder
diff = _diff
