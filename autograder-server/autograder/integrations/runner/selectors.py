"""Reads of machine keys and runner works."""

from django.db.models import QuerySet

from autograder.integrations.runner.models import MachineKey, RunnerWork
from autograder.integrations.runner.params import reserved

WORK_LOG_LENGTH = 100


def work_params(submission_id: int) -> dict[str, str]:
    """The `param` fields of the work a submission grades ({} for any other submission):
    the grading pipeline's environment provider. Reserved names were refused on the way in;
    they are dropped here too, should a row ever hold one."""
    work = RunnerWork.objects.filter(submission_id=submission_id).only("params").first()
    if work is None:
        return {}
    return {str(k): str(v) for k, v in work.params.items() if not reserved(str(k))}


def keys_of_course(*, course_id: int) -> QuerySet[MachineKey]:
    return MachineKey.objects.filter(course_id=course_id).prefetch_related("projects")


def works_of_project(*, project_id: int) -> QuerySet[RunnerWork]:
    """The project's last works, newest first, with their key and submission status."""
    return RunnerWork.objects.filter(project_id=project_id).select_related("key", "submission")[
        :WORK_LOG_LENGTH
    ]
