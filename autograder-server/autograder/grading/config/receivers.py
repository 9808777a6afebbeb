"""How the test configuration follows a project that is copied (the projects app sends
`project_copied` without knowing who listens; see `projects.signals`)."""

from typing import Any

from django.dispatch import receiver

from autograder.grading.config.services import project_config_copy
from autograder.projects.models import Project
from autograder.projects.signals import project_copied


@receiver(project_copied)
def copy_test_config(sender: Any, *, source: Project, copy: Project, **kwargs: Any) -> None:
    project_config_copy(source=source, target=copy)
