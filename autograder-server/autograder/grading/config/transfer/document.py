"""The YAML document of a project's configuration ("tests as code"): which keys each level
has, their defaults, and how stored values are written.

A key left out means the field's default, so exports list only what differs from a new
project, and a file kept in git stays short. Instructor files and expected student files are
named (by name and pattern) wherever a suite or command uses them, never by database id.
"""

import datetime
from typing import Any

from django.db import models

from autograder.grading.config import feedback_settings
from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite
from autograder.grading.config.services.editing import (
    CASE_FIELDS,
    COMMAND_FIELDS,
    COMMAND_FILE_FIELDS,
    SUITE_FIELDS,
)
from autograder.grading.config.transfer.sections import transfer_sections
from autograder.projects.models import ExpectedStudentFile, Project
from autograder.projects.services import PROJECT_SETTINGS_FIELDS

FORMAT = "autograder-project/1"
YAML_NAME = "project.yaml"
FILES_DIR = "instructor_files/"

TOP_KEYS = ("format", "project", "expected_files", "instructor_files", "suites")
EXPECTED_FILE_KEYS = ("pattern", "min_num_matches", "max_num_matches")
SUITE_KEYS = (*SUITE_FIELDS, "cases")
CASE_KEYS = (*CASE_FIELDS, "commands")
COMMAND_KEYS = COMMAND_FIELDS


def plain(value: Any) -> Any:
    """A stored value as YAML writes it (times as ISO text, which the model fields parse)."""
    if isinstance(value, datetime.datetime | datetime.time):
        return value.isoformat()
    return value


def field_default(model: type[models.Model], name: str) -> Any:
    field = model._meta.get_field(name)
    if isinstance(field, models.ManyToManyField):
        return []
    if name == "feedback":
        return {}
    assert isinstance(field, models.Field)
    return plain(field.get_default())


def minimal_feedback(normalized: dict[str, Any], kind: str) -> dict[str, Any]:
    """Only the categories that differ from their defaults, each with only the settings that
    differ from the setting's default, so that importing it gives back `normalized`."""
    defaults = _normalize(kind, {})
    blank = _blank(kind)
    result: dict[str, Any] = {}
    for category, settings in normalized.items():
        if settings == defaults.get(category):
            continue
        result[category] = {key: value for key, value in settings.items() if blank[key] != value}
    return result


def _normalize(kind: str, stored: Any) -> dict[str, Any]:
    normalize = {
        "suite": feedback_settings.normalize_suite_feedback,
        "case": feedback_settings.normalize_case_feedback,
        "command": feedback_settings.normalize_command_feedback,
    }[kind]
    return normalize(stored)


def _blank(kind: str) -> dict[str, Any]:
    cls: Any = {
        "suite": feedback_settings.SuiteFeedback,
        "case": feedback_settings.CaseFeedback,
        "command": feedback_settings.CommandFeedback,
    }[kind]
    settings: dict[str, Any] = cls().to_json()
    return settings


def normalize_feedback(kind: str, stored: Any) -> dict[str, Any]:
    return _normalize(kind, stored)


def _without_defaults(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in values.items()
        if key == "name" or value != field_default(model, key)
    }


def _suite_entry(suite: AGTestSuite) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in SUITE_FIELDS:
        if name == "instructor_files_needed":
            values[name] = sorted(f.name for f in suite.instructor_files_needed.all())
        elif name == "student_files_needed":
            values[name] = sorted(f.pattern for f in suite.student_files_needed.all())
        elif name == "feedback":
            values[name] = minimal_feedback(normalize_feedback("suite", suite.feedback), "suite")
        else:
            values[name] = plain(getattr(suite, name))
    entry = _without_defaults(AGTestSuite, values)
    entry["cases"] = [_case_entry(case) for case in suite.cases.all()]
    return entry


def _case_entry(case: AGTestCase) -> dict[str, Any]:
    values = {
        name: (
            minimal_feedback(normalize_feedback("case", case.feedback), "case")
            if name == "feedback"
            else plain(getattr(case, name))
        )
        for name in CASE_FIELDS
    }
    entry = _without_defaults(AGTestCase, values)
    entry["commands"] = [_command_entry(command) for command in case.commands.all()]
    return entry


def _command_entry(command: AGTestCommand) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in COMMAND_FIELDS:
        if name in COMMAND_FILE_FIELDS:
            file = getattr(command, name)
            values[name] = file.name if file is not None else None
        elif name == "feedback":
            values[name] = minimal_feedback(
                normalize_feedback("command", command.feedback), "command"
            )
        else:
            values[name] = plain(getattr(command, name))
    return _without_defaults(AGTestCommand, values)


def expected_file_entry(expected: ExpectedStudentFile) -> dict[str, Any]:
    return {key: getattr(expected, key) for key in EXPECTED_FILE_KEYS}


def project_settings_entry(project: Project) -> dict[str, Any]:
    values = {name: plain(getattr(project, name)) for name in PROJECT_SETTINGS_FIELDS}
    return {key: value for key, value in values.items() if value != field_default(Project, key)}


def top_keys() -> tuple[str, ...]:
    """The document's top-level keys: ours, then those of the registered sections."""
    return (*TOP_KEYS, *(section.key for section in transfer_sections()))


def build(project: Project, suites: "models.QuerySet[AGTestSuite]") -> dict[str, Any]:
    """The document for `project` (`suites`: its configuration with everything prefetched),
    then the registered sections that have entries (e.g. `mutation_suites`)."""
    built = {
        "format": FORMAT,
        "project": project_settings_entry(project),
        "expected_files": [
            expected_file_entry(expected)
            for expected in project.expected_student_files.order_by("pattern")
        ],
        "instructor_files": sorted(project.instructor_files.values_list("name", flat=True)),
        "suites": [_suite_entry(suite) for suite in suites],
    }
    for section in transfer_sections():
        entries = section.export(project)
        if entries:
            built[section.key] = entries
    return built
