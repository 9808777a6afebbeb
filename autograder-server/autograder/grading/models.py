"""The grading app's models, defined in its sub-packages and registered with Django here.

Import them from where they live (`grading.config.models`, `grading.pipeline.models`,
`grading.results.models`); this module exists because Django loads an app's models from
`<app>.models`.
"""

from autograder.grading.config.autograders.models import AutograderImport, AutograderImportVersion
from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite
from autograder.grading.pipeline.models import GradingJob, RerunTask
from autograder.grading.results.models import (
    AGTestCaseResult,
    AGTestCommandResult,
    AGTestSuiteResult,
)

__all__ = [
    "AGTestCase",
    "AGTestCaseResult",
    "AGTestCommand",
    "AGTestCommandResult",
    "AGTestSuite",
    "AGTestSuiteResult",
    "AutograderImport",
    "AutograderImportVersion",
    "GradingJob",
    "RerunTask",
]
