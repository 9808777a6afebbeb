"""A copied project (course rollover, project copy) gets its source's rubric: criteria and
annotations, never results (`projects.signals.project_copied`, sent inside the copy's
transaction)."""

from typing import Any

from django.dispatch import receiver

from autograder.handgrading.models import HandgradingRubric
from autograder.handgrading.services import copy_rubric
from autograder.projects.models import Project
from autograder.projects.signals import project_copied


@receiver(project_copied)
def copy_handgrading_rubric(sender: Any, *, source: Project, copy: Project, **kwargs: Any) -> None:
    if HandgradingRubric.objects.filter(project=source).exists():
        copy_rubric(src_project=source, dst_project=copy)
