"""Top-level sections that apps above `grading.config` add to the configuration document.

Mutation suites live in `grading.mutation`, which sits above `config` in the import layers,
so the document cannot import them; instead an app registers a section here from its
`AppConfig.ready()`, and export and import ask every registered section for its part. A
section is exported after the suites (only when it has entries, so a project without any
keeps the short document it had) and imported after them, in the same transaction, so it may
name the instructor files and expected files the document brings.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from autograder.projects.models import Project

if TYPE_CHECKING:
    from autograder.grading.config.transfer.importing import ImportRun


@dataclass(frozen=True)
class TransferSection:
    key: str
    """The top-level key in the YAML document (`mutation_suites`)."""
    export: Callable[[Project], list[Any]]
    """The section's entries for a project (plain YAML data; empty: the key is left out)."""
    apply: Callable[["ImportRun", Any], None]
    """Imports the section's raw value (writes through the app's services, notes changes)."""


_SECTIONS: dict[str, TransferSection] = {}


def register_transfer_section(section: TransferSection) -> None:
    """Adds (or replaces, by key) a section; call from an `AppConfig.ready()`."""
    _SECTIONS[section.key] = section


def transfer_sections() -> list[TransferSection]:
    return list(_SECTIONS.values())
