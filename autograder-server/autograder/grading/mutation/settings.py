"""What each feedback category shows of a mutation suite's result.

Stored as JSON on the suite (one object per category, as for other suites) and read through
`MutationFeedback`, which fills in defaults and rejects unknown keys and values.
"""

import dataclasses
import enum
from typing import Any, Self

from autograder.common.errors import ApplicationError
from autograder.grading.config.feedback_settings import (
    CATEGORIES_WITHOUT_OVERRIDE,
    FeedbackCategory,
)


class BugsExposedFeedback(enum.StrEnum):
    """How much of the bug list a category shows (autograder.io's bugs_exposed_fdbk_level)."""

    NO_FEEDBACK = "no_feedback"
    NUM_BUGS_EXPOSED = "num_bugs_exposed"
    EXPOSED_BUG_NAMES = "exposed_bug_names"
    ALL_BUG_NAMES = "all_bug_names"


@dataclasses.dataclass(frozen=True)
class MutationFeedback:
    visible: bool = True
    show_setup_return_code: bool = True
    show_setup_stdout: bool = False
    show_setup_stderr: bool = False
    show_get_test_names_return_code: bool = True
    show_get_test_names_stdout: bool = False
    show_get_test_names_stderr: bool = False
    show_validity_check_stdout: bool = False
    show_validity_check_stderr: bool = False
    show_grade_buggy_impls_stdout: bool = False
    show_grade_buggy_impls_stderr: bool = False
    show_invalid_test_names: bool = True
    show_points: bool = True
    bugs_exposed_feedback: BugsExposedFeedback = BugsExposedFeedback.NUM_BUGS_EXPOSED

    @classmethod
    def parse(cls, data: Any, field_name: str) -> Self:
        if not isinstance(data, dict):
            raise _invalid(field_name, "Expected an object.")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise _invalid(field_name, *(f"Unknown key {key!r}." for key in unknown))
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name == "bugs_exposed_feedback":
                try:
                    values[name] = BugsExposedFeedback(value)
                except ValueError:
                    choices = ", ".join(level.value for level in BugsExposedFeedback)
                    raise _invalid(field_name, f"{name}: expected one of {choices}.") from None
            elif not isinstance(value, bool):
                raise _invalid(field_name, f"{name}: expected true or false.")
            else:
                values[name] = value
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        return {
            k: (v.value if isinstance(v, enum.Enum) else v)
            for k, v in dataclasses.asdict(self).items()
        }


def _invalid(field_name: str, *messages: str) -> ApplicationError:
    return ApplicationError(messages[0], code="invalid", fields={field_name: list(messages)})


MutationFeedbackByCategory = dict[FeedbackCategory, MutationFeedback]

_EVERYTHING = MutationFeedback(
    show_setup_stdout=True,
    show_setup_stderr=True,
    show_get_test_names_stdout=True,
    show_get_test_names_stderr=True,
    show_validity_check_stdout=True,
    show_validity_check_stderr=True,
    show_grade_buggy_impls_stdout=True,
    show_grade_buggy_impls_stderr=True,
    bugs_exposed_feedback=BugsExposedFeedback.ALL_BUG_NAMES,
)
DEFAULTS: MutationFeedbackByCategory = {
    FeedbackCategory.NORMAL: MutationFeedback(),
    FeedbackCategory.PAST_LIMIT: MutationFeedback(
        show_setup_return_code=False,
        show_get_test_names_return_code=False,
        show_invalid_test_names=False,
        show_points=False,
        bugs_exposed_feedback=BugsExposedFeedback.NO_FEEDBACK,
    ),
    FeedbackCategory.FINAL_GRADED: MutationFeedback(),
    FeedbackCategory.STAFF_VIEWER: _EVERYTHING,
}


def mutation_feedback(stored: dict[str, Any]) -> MutationFeedbackByCategory:
    result = dict(DEFAULTS)
    for category in CATEGORIES_WITHOUT_OVERRIDE:
        if category.value in stored:
            result[category] = MutationFeedback.parse(
                stored[category.value], f"feedback.{category.value}"
            )
    return result


def normalize_mutation_feedback(
    stored: Any, current: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Validated, complete JSON for a suite's `feedback`: `stored` (categories, each with some
    settings) merged over `current` (what the suite has now, or the defaults)."""
    if not isinstance(stored, dict):
        raise _invalid("feedback", "Expected an object keyed by category.")
    allowed = {c.value for c in CATEGORIES_WITHOUT_OVERRIDE}
    unknown = sorted(set(stored) - allowed)
    if unknown:
        raise _invalid("feedback", *(f"Unknown category {key!r}." for key in unknown))
    base = mutation_feedback(current or {})
    merged: dict[str, Any] = {}
    for category in CATEGORIES_WITHOUT_OVERRIDE:
        values = base[category].to_json()
        change = stored.get(category.value, {})
        if not isinstance(change, dict):
            raise _invalid(f"feedback.{category.value}", "Expected an object.")
        values.update(change)
        merged[category.value] = MutationFeedback.parse(
            values, f"feedback.{category.value}"
        ).to_json()
    return merged
