from django.urls import URLPattern, URLResolver, path

from autograder.grading.config import api
from autograder.grading.config.transfer import api as transfer_api

urlpatterns: list[URLPattern | URLResolver] = [
    path("projects/<int:project_id>/suites/", api.ProjectSuitesApi.as_view(), name="suites"),
    path(
        "projects/<int:project_id>/suites/order/",
        api.SuiteOrderApi.as_view(),
        name="suite-order",
    ),
    path(
        "projects/<int:project_id>/sandbox_images/",
        api.ProjectSandboxImagesApi.as_view(),
        name="sandbox-images",
    ),
    path("suites/<int:suite_id>/", api.SuiteDetailApi.as_view(), name="suite-detail"),
    path("suites/<int:suite_id>/copy/", api.SuiteCopyApi.as_view(), name="suite-copy"),
    path("suites/<int:suite_id>/cases/", api.SuiteCasesApi.as_view(), name="cases"),
    path("suites/<int:suite_id>/cases/order/", api.CaseOrderApi.as_view(), name="case-order"),
    path("cases/<int:case_id>/", api.CaseDetailApi.as_view(), name="case-detail"),
    path("cases/<int:case_id>/commands/", api.CaseCommandsApi.as_view(), name="commands"),
    path(
        "cases/<int:case_id>/commands/order/",
        api.CommandOrderApi.as_view(),
        name="command-order",
    ),
    path("commands/<int:command_id>/", api.CommandDetailApi.as_view(), name="command-detail"),
    path("cases/<int:case_id>/clone/", transfer_api.CaseCloneApi.as_view(), name="case-clone"),
    path(
        "projects/<int:project_id>/copy_preview/",
        transfer_api.ProjectCopyPreviewApi.as_view(),
        name="project-copy-preview",
    ),
    path(
        "courses/<int:course_id>/copy_preview/",
        transfer_api.CourseCopyPreviewApi.as_view(),
        name="course-copy-preview",
    ),
    path(
        "projects/<int:project_id>/config/export/",
        transfer_api.ProjectConfigExportApi.as_view(),
        name="config-export",
    ),
    path(
        "projects/<int:project_id>/config/import/",
        transfer_api.ProjectConfigImportApi.as_view(),
        name="config-import",
    ),
    path("feedback_presets/", api.FeedbackPresetsApi.as_view(), name="feedback-presets"),
]
