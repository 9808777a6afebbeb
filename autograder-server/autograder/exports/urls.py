from django.urls import URLPattern, URLResolver, path

from autograder.exports import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("projects/<int:project_id>/exports/", api.ProjectExportsApi.as_view(), name="exports"),
    path("exports/<int:export_id>/", api.ExportDetailApi.as_view(), name="export-detail"),
    path("exports/<int:export_id>/file/", api.ExportFileApi.as_view(), name="export-file"),
]
