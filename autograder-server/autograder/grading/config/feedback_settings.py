"""What each feedback category shows, per command, test case and suite.

Settings are stored as JSON on the config rows (one object per category) and read through
these dataclasses, which fill in defaults and reject unknown keys.
"""

import dataclasses
import enum
from typing import Any, Self, TypeVar

from autograder.common.errors import ApplicationError

T = TypeVar("T")


class FeedbackCategory(enum.StrEnum):
    NORMAL = "normal"
    """A student's submission before the deadline, within the daily limit."""
    FIRST_FAILED_TEST = "first_failed_test"
    """Overrides `normal` for the first failing test of a submission, where configured."""
    PAST_LIMIT = "past_limit"
    """A student's submission made past the daily limit."""
    FINAL_GRADED = "final_graded"
    """A student's final graded submission, after the deadline once results are released."""
    STAFF_VIEWER = "staff_viewer"
    """Staff looking at another group's submission."""


CATEGORIES_WITHOUT_OVERRIDE = (
    FeedbackCategory.NORMAL,
    FeedbackCategory.PAST_LIMIT,
    FeedbackCategory.FINAL_GRADED,
    FeedbackCategory.STAFF_VIEWER,
)


class OutputFeedback(enum.StrEnum):
    NONE = "none"
    CORRECT_OR_INCORRECT = "correct_or_incorrect"
    EXPECTED_AND_ACTUAL = "expected_and_actual"


def _parse(cls: type[T], data: Any, field_name: str) -> T:
    if not isinstance(data, dict):
        raise ApplicationError(
            "Feedback settings must be an object.",
            code="invalid",
            fields={field_name: ["Expected an object."]},
        )
    known = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ApplicationError(
            f"Unknown feedback settings: {', '.join(unknown)}.",
            code="invalid",
            fields={field_name: [f"Unknown key {key!r}." for key in unknown]},
        )
    values: dict[str, Any] = {}
    for name, value in data.items():
        expected = known[name].type
        if expected is bool and not isinstance(value, bool):
            raise ApplicationError(
                f"{name} must be true or false.",
                code="invalid",
                fields={field_name: [f"{name}: expected true or false."]},
            )
        if expected is OutputFeedback:
            try:
                value = OutputFeedback(value)
            except ValueError:
                choices = ", ".join(level.value for level in OutputFeedback)
                raise ApplicationError(
                    f"{name} must be one of {choices}.",
                    code="invalid",
                    fields={field_name: [f"{name}: expected one of {choices}."]},
                ) from None
        values[name] = value
    return cls(**values)


@dataclasses.dataclass(frozen=True)
class CommandFeedback:
    visible: bool = True
    return_code_feedback: OutputFeedback = OutputFeedback.CORRECT_OR_INCORRECT
    stdout_feedback: OutputFeedback = OutputFeedback.CORRECT_OR_INCORRECT
    stderr_feedback: OutputFeedback = OutputFeedback.CORRECT_OR_INCORRECT
    show_points: bool = True
    show_actual_return_code: bool = False
    show_actual_stdout: bool = False
    show_actual_stderr: bool = False
    show_whether_timed_out: bool = True

    @classmethod
    def parse(cls, data: Any, field_name: str = "feedback") -> Self:
        return _parse(cls, data, field_name)

    def to_json(self) -> dict[str, Any]:
        return {
            k: (v.value if isinstance(v, enum.Enum) else v)
            for k, v in dataclasses.asdict(self).items()
        }


@dataclasses.dataclass(frozen=True)
class CaseFeedback:
    visible: bool = True
    show_individual_commands: bool = True

    @classmethod
    def parse(cls, data: Any, field_name: str = "feedback") -> Self:
        return _parse(cls, data, field_name)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class SuiteFeedback:
    visible: bool = True
    show_individual_tests: bool = True
    show_setup_return_code: bool = True
    show_setup_timed_out: bool = True
    show_setup_stdout: bool = False
    show_setup_stderr: bool = False

    @classmethod
    def parse(cls, data: Any, field_name: str = "feedback") -> Self:
        return _parse(cls, data, field_name)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_ALL = OutputFeedback.EXPECTED_AND_ACTUAL
COMMAND_PRESETS: dict[str, CommandFeedback] = {
    "public": CommandFeedback(
        return_code_feedback=_ALL,
        stdout_feedback=_ALL,
        stderr_feedback=_ALL,
        show_actual_return_code=True,
        show_actual_stdout=True,
        show_actual_stderr=True,
    ),
    "pass_fail": CommandFeedback(),
    "pass_fail_with_output": CommandFeedback(
        show_actual_return_code=True, show_actual_stdout=True, show_actual_stderr=True
    ),
    "private": CommandFeedback(
        visible=True,
        return_code_feedback=OutputFeedback.NONE,
        stdout_feedback=OutputFeedback.NONE,
        stderr_feedback=OutputFeedback.NONE,
        show_points=False,
        show_whether_timed_out=False,
    ),
    "hidden": CommandFeedback(visible=False),
}
"""Named starting points staff pick in the UI and then fine-tune."""

COMMAND_DEFAULTS: dict[FeedbackCategory, CommandFeedback] = {
    FeedbackCategory.NORMAL: COMMAND_PRESETS["pass_fail"],
    FeedbackCategory.PAST_LIMIT: COMMAND_PRESETS["private"],
    FeedbackCategory.FINAL_GRADED: COMMAND_PRESETS["pass_fail"],
    FeedbackCategory.STAFF_VIEWER: COMMAND_PRESETS["public"],
}
SUITE_DEFAULTS: dict[FeedbackCategory, SuiteFeedback] = {
    FeedbackCategory.NORMAL: SuiteFeedback(),
    FeedbackCategory.PAST_LIMIT: SuiteFeedback(
        show_setup_return_code=False, show_setup_timed_out=False
    ),
    FeedbackCategory.FINAL_GRADED: SuiteFeedback(),
    FeedbackCategory.STAFF_VIEWER: SuiteFeedback(show_setup_stdout=True, show_setup_stderr=True),
}
CASE_DEFAULTS: dict[FeedbackCategory, CaseFeedback] = {
    category: CaseFeedback() for category in CATEGORIES_WITHOUT_OVERRIDE
}


def _category_settings(
    stored: dict[str, Any], defaults: dict[FeedbackCategory, T], parse: Any
) -> dict[FeedbackCategory, T]:
    result = dict(defaults)
    for category in CATEGORIES_WITHOUT_OVERRIDE:
        if category.value in stored:
            result[category] = parse(stored[category.value], f"feedback.{category.value}")
    return result


def command_feedback(stored: dict[str, Any]) -> dict[FeedbackCategory, CommandFeedback]:
    """Every category of a command; `first_failed_test` is present only when configured."""
    result = _category_settings(stored, COMMAND_DEFAULTS, CommandFeedback.parse)
    override = stored.get(FeedbackCategory.FIRST_FAILED_TEST.value)
    if override is not None:
        result[FeedbackCategory.FIRST_FAILED_TEST] = CommandFeedback.parse(
            override, "feedback.first_failed_test"
        )
    return result


def case_feedback(stored: dict[str, Any]) -> dict[FeedbackCategory, CaseFeedback]:
    return _category_settings(stored, CASE_DEFAULTS, CaseFeedback.parse)


def suite_feedback(stored: dict[str, Any]) -> dict[FeedbackCategory, SuiteFeedback]:
    return _category_settings(stored, SUITE_DEFAULTS, SuiteFeedback.parse)


def _check_categories(stored: Any, *, allow_override: bool) -> dict[str, Any]:
    if not isinstance(stored, dict):
        raise ApplicationError(
            "Feedback must be an object keyed by category.",
            code="invalid",
            fields={"feedback": ["Expected an object keyed by category."]},
        )
    allowed = {c.value for c in CATEGORIES_WITHOUT_OVERRIDE}
    if allow_override:
        allowed.add(FeedbackCategory.FIRST_FAILED_TEST.value)
    unknown = sorted(set(stored) - allowed)
    if unknown:
        raise ApplicationError(
            f"Unknown feedback categories: {', '.join(unknown)}.",
            code="invalid",
            fields={"feedback": [f"Unknown category {key!r}." for key in unknown]},
        )
    return stored


def normalize_command_feedback(stored: Any) -> dict[str, Any]:
    """Validated, complete JSON for a command's `feedback` field."""
    settings = command_feedback(_check_categories(stored, allow_override=True))
    return {category.value: value.to_json() for category, value in settings.items()}


def normalize_case_feedback(stored: Any) -> dict[str, Any]:
    settings = case_feedback(_check_categories(stored, allow_override=False))
    return {category.value: value.to_json() for category, value in settings.items()}


def normalize_suite_feedback(stored: Any) -> dict[str, Any]:
    settings = suite_feedback(_check_categories(stored, allow_override=False))
    return {category.value: value.to_json() for category, value in settings.items()}
