from autograder.grading.models.config import (
    AGTestCase,
    AGTestCommand,
    AGTestSuite,
    ExpectedOutputSource,
    ExpectedReturnCode,
    StdinSource,
)
from autograder.grading.models.jobs import (
    UNFINISHED_JOB_STATES,
    GradingJob,
    JobKind,
    JobState,
    RerunTask,
)
from autograder.grading.models.results import (
    INLINE_OUTPUT_BYTES,
    AGTestCaseResult,
    AGTestCommandResult,
    AGTestSuiteResult,
)

__all__ = [
    "INLINE_OUTPUT_BYTES",
    "UNFINISHED_JOB_STATES",
    "AGTestCase",
    "AGTestCaseResult",
    "AGTestCommand",
    "AGTestCommandResult",
    "AGTestSuite",
    "AGTestSuiteResult",
    "ExpectedOutputSource",
    "ExpectedReturnCode",
    "GradingJob",
    "JobKind",
    "JobState",
    "RerunTask",
    "StdinSource",
]
