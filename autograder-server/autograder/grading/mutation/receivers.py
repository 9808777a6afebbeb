"""A copied project (course rollover, project copy) gets its source's mutation suites
(`projects.signals.project_copied`, sent inside the copy's transaction, after the instructor
and expected files the suites name are copied)."""

from typing import Any

from django.dispatch import receiver

from autograder.grading.mutation.services import copy_mutation_suites
from autograder.projects.models import Project
from autograder.projects.signals import project_copied


@receiver(project_copied)
def copy_project_mutation_suites(
    sender: Any, *, source: Project, copy: Project, **kwargs: Any
) -> None:
    copy_mutation_suites(source, copy)
