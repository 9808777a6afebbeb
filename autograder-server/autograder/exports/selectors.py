from django.db.models import QuerySet

from autograder.common.errors import NotFoundError
from autograder.exports.models import ExportTask
from autograder.projects.models import Project


def exports_of_project(*, project: Project) -> QuerySet[ExportTask]:
    return ExportTask.objects.filter(project=project).select_related("creator", "project")


def export_get(*, export_id: int) -> ExportTask:
    found = (
        ExportTask.objects.select_related("project", "project__course", "creator")
        .filter(pk=export_id)
        .first()
    )
    if found is None:
        raise NotFoundError("No such download.")
    return found
