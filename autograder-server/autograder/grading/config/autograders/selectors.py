"""Reading autograder imports."""

from django.db.models import QuerySet

from autograder.common.errors import NotFoundError
from autograder.grading.config.autograders.models import AutograderImport
from autograder.projects.models import Project


def imports_of_project(*, project: Project) -> QuerySet[AutograderImport]:
    return AutograderImport.objects.filter(project=project).select_related("image", "suite")


def import_get(*, import_id: int) -> AutograderImport:
    try:
        return AutograderImport.objects.select_related("image", "suite", "project").get(
            pk=import_id
        )
    except AutograderImport.DoesNotExist:
        raise NotFoundError("No such autograder import.") from None
