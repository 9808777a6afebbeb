"""Reading autograder imports."""

from django.db.models import Prefetch, QuerySet

from autograder.common.errors import NotFoundError
from autograder.grading.config.autograders.models import AutograderImport, AutograderImportVersion
from autograder.projects.models import Project

_VERSIONS = Prefetch(
    "versions",
    queryset=AutograderImportVersion.objects.select_related("build", "created_by"),
)


def imports_of_project(*, project: Project) -> QuerySet[AutograderImport]:
    return (
        AutograderImport.objects.filter(project=project)
        .select_related("image", "suite")
        .prefetch_related(_VERSIONS)
    )


def import_get(*, import_id: int) -> AutograderImport:
    try:
        return (
            AutograderImport.objects.select_related("image", "suite", "project")
            .prefetch_related(_VERSIONS)
            .get(pk=import_id)
        )
    except AutograderImport.DoesNotExist:
        raise NotFoundError("No such autograder import.") from None
