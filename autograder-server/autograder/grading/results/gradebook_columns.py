"""Columns that apps above grading add to the gradebook and its CSV.

Grading sits below apps such as handgrading in the import layers, so the gradebook cannot
import them; instead an app registers a column here from its `AppConfig.ready()`, and the
gradebook asks every registered column for the scores of the groups it shows.
"""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal

from autograder.projects.models import Project

ColumnScores = Callable[[Project, Collection[int]], Mapping[int, tuple[Decimal, Decimal]] | None]
"""(project, group ids) → group id → (points awarded, points possible); groups without a
score are absent; None when the column does not apply to the project (it is left out). Must
take a constant number of queries however many groups."""


@dataclass(frozen=True)
class GradebookColumn:
    key: str
    """Stable name in the JSON (`extra[].key`)."""
    label: str
    """Header in the CSV and the gradebook page."""
    scores: ColumnScores


_COLUMNS: dict[str, GradebookColumn] = {}


def register_gradebook_column(column: GradebookColumn) -> None:
    """Adds (or replaces, by key) a column; call from an `AppConfig.ready()`."""
    _COLUMNS[column.key] = column


def gradebook_columns() -> list[GradebookColumn]:
    return sorted(_COLUMNS.values(), key=lambda column: column.key)
