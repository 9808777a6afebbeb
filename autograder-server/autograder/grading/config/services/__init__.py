"""Every write to a project's test configuration: suites → test cases → commands, and
copying a suite.

Results point at configuration with SET_NULL and keep the names they ran under, so nothing
here writes to a result row: editing or deleting tests leaves what was graded as it was.
Each service runs in one transaction and locks the parent whose children it numbers, so
concurrent creates and reorders can't interleave.
"""

from autograder.grading.config.services.cases import (
    case_create,
    case_delete,
    case_reorder,
    case_update,
)
from autograder.grading.config.services.commands import (
    command_create,
    command_delete,
    command_reorder,
    command_update,
)
from autograder.grading.config.services.copying import (
    case_clone,
    project_config_copy,
    suite_copy,
)
from autograder.grading.config.services.editing import (
    CASE_FIELDS,
    CASE_TEXT_FIELDS,
    COMMAND_FIELDS,
    COMMAND_FILE_FIELDS,
    MAX_TEXT_LENGTH,
    MIN_MEMORY_LIMIT_BYTES,
    SUITE_FIELDS,
)
from autograder.grading.config.services.suites import (
    suite_create,
    suite_delete,
    suite_reorder,
    suite_update,
)

__all__ = [
    "CASE_FIELDS",
    "CASE_TEXT_FIELDS",
    "COMMAND_FIELDS",
    "COMMAND_FILE_FIELDS",
    "MAX_TEXT_LENGTH",
    "MIN_MEMORY_LIMIT_BYTES",
    "SUITE_FIELDS",
    "case_clone",
    "case_create",
    "case_delete",
    "case_reorder",
    "case_update",
    "command_create",
    "command_delete",
    "command_reorder",
    "command_update",
    "project_config_copy",
    "suite_copy",
    "suite_create",
    "suite_delete",
    "suite_reorder",
    "suite_update",
]
