"""Mutation suites in the tests-as-code document (`mutation_suites`, after `suites`).

Registered with `grading.config.transfer.sections` from this app's `ready()`. Entries are
matched by name; a key left out means the field's default; files are named (instructor files
by name, expected files by pattern), and a zip export carries the buggy implementations with
the project's other instructor files. Writes go through this app's services, so the rules
(placeholders, images, names) are the staff page's, and errors name the YAML path
(`mutation_suites[0].grade_buggy_impl_command`).
"""

from decimal import Decimal
from functools import partial
from typing import Any

from autograder.grading.config.transfer import document
from autograder.grading.config.transfer.importing import (
    ImportRun,
    at,
    coerced,
    diff,
    file_refs,
    named_entries,
    path_error,
    reorder,
)
from autograder.grading.config.transfer.sections import TransferSection
from autograder.grading.mutation import services
from autograder.grading.mutation.models import MutationTestSuite
from autograder.grading.mutation.settings import DEFAULTS, normalize_mutation_feedback
from autograder.projects.models import Project

KEY = "mutation_suites"
ENTRY_KEYS = services.MUTATION_FIELDS
_FILE_FIELDS = services.M2M_FIELDS
_PLAIN_FIELDS = tuple(
    name for name in services.MUTATION_FIELDS if name not in ("name", "feedback", *_FILE_FIELDS)
)


def _yaml_value(value: Any) -> Any:
    """Decimals as YAML numbers: 2, 1.25 (PyYAML's safe dumper has no Decimal)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _exact(value: Any) -> Any:
    """A YAML float as its text (0.1 → "0.1"), so it becomes the decimal it reads as rather
    than the binary fraction nearest to it."""
    return repr(value) if isinstance(value, float) else value


def _minimal_feedback(stored: dict[str, Any]) -> dict[str, Any]:
    """Only what differs from each category's defaults (what the import merges over)."""
    result: dict[str, Any] = {}
    for category, settings in normalize_mutation_feedback({}, stored).items():
        defaults = next(d for c, d in DEFAULTS.items() if c.value == category).to_json()
        changed = {k: v for k, v in settings.items() if defaults[k] != v}
        if changed:
            result[category] = changed
    return result


def _entry(suite: MutationTestSuite) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": suite.name}
    for name in _PLAIN_FIELDS:
        value = getattr(suite, name)
        if value != document.field_default(MutationTestSuite, name):
            entry[name] = _yaml_value(value)
    files = sorted(f.name for f in suite.instructor_files_needed.all())
    patterns = sorted(f.pattern for f in suite.student_files_needed.all())
    if files:
        entry["instructor_files_needed"] = files
    if patterns:
        entry["student_files_needed"] = patterns
    feedback = _minimal_feedback(suite.feedback)
    if feedback:
        entry["feedback"] = feedback
    return entry


def mutation_suites_export(project: Project) -> list[Any]:
    suites = MutationTestSuite.objects.filter(project=project).prefetch_related(*_FILE_FIELDS)
    return [_entry(suite) for suite in suites.order_by("order", "pk")]


def _wanted(run: ImportRun, entry: dict[str, Any], path: str) -> dict[str, Any]:
    wanted: dict[str, Any] = {
        name: coerced(
            MutationTestSuite,
            name,
            _exact(entry.get(name, document.field_default(MutationTestSuite, name))),
            path,
        )
        for name in _PLAIN_FIELDS
    }
    buggy = wanted["buggy_impl_names"]
    if not isinstance(buggy, list):
        raise path_error(f"{path}.buggy_impl_names", "must be a list of names.")
    for field in _FILE_FIELDS:
        wanted[field], _ = file_refs(
            run, entry.get(field), f"{path}.{field}", expected=field == "student_files_needed"
        )
    with at(path):
        wanted["feedback"] = normalize_mutation_feedback(entry.get("feedback") or {})
    return wanted


def _changes(suite: MutationTestSuite, wanted: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    changed: dict[str, Any] = {}
    details: list[str] = []
    for name in _PLAIN_FIELDS:
        if getattr(suite, name) != wanted[name]:
            changed[name] = wanted[name]
            details.append(diff(_yaml_value(getattr(suite, name)), wanted[name], name))
    for field in _FILE_FIELDS:
        key = "name" if field == "instructor_files_needed" else "pattern"
        current = sorted(getattr(f, key) for f in getattr(suite, field).all())
        new = sorted(getattr(f, key) for f in wanted[field])
        if current != new:
            changed[field] = wanted[field]
            details.append(diff(current, new, field))
    current_feedback = normalize_mutation_feedback({}, suite.feedback)
    if current_feedback != wanted["feedback"]:
        changed["feedback"] = wanted["feedback"]
        details += [
            diff(old[key], new[key], f"feedback.{category}.{key}")
            for category, new in wanted["feedback"].items()
            for old in [current_feedback[category]]
            for key in new
            if old[key] != new[key]
        ]
    return changed, details


def mutation_suites_import(run: ImportRun, raw: Any) -> None:
    listed = named_entries(raw, KEY, ENTRY_KEYS)
    existing = {s.name: s for s in MutationTestSuite.objects.filter(project=run.project)}
    for path, entry in listed:
        name = entry["name"]
        wanted = _wanted(run, entry, path)
        suite = existing.get(name)
        with at(path):
            if suite is None:
                services.mutation_suite_create(project=run.project, name=name, **wanted)
                run.note("create", "mutation_suite", repr(name))
                continue
            changed, details = _changes(suite, wanted)
            if changed:
                services.mutation_suite_update(suite=suite, **changed)
                run.note("update", "mutation_suite", repr(name), details)
    names = [entry["name"] for _, entry in listed]
    for name, suite in existing.items():
        if name not in names:
            run.unlisted(
                "mutation_suite", repr(name), partial(services.mutation_suite_delete, suite=suite)
            )
    reorder(
        run,
        MutationTestSuite.objects.filter(project=run.project),
        names,
        lambda ids: services.mutation_suite_reorder(project=run.project, ids=ids),
        "mutation suites",
    )


SECTION = TransferSection(key=KEY, export=mutation_suites_export, apply=mutation_suites_import)
