from django.urls import URLPattern, URLResolver, path

from autograder.grading.config.autograders import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "projects/<int:project_id>/autograder_imports/",
        api.ProjectImportsApi.as_view(),
        name="autograder-imports",
    ),
    path(
        "projects/<int:project_id>/autograder_imports/gradescope/",
        api.GradescopeImportApi.as_view(),
        name="autograder-import-gradescope",
    ),
    path(
        "projects/<int:project_id>/autograder_imports/prairielearn/",
        api.PrairieLearnImportApi.as_view(),
        name="autograder-import-prairielearn",
    ),
    path(
        "autograder_imports/<int:import_id>/",
        api.ImportDetailApi.as_view(),
        name="autograder-import-detail",
    ),
    path(
        "autograder_imports/<int:import_id>/versions/",
        api.ImportVersionsApi.as_view(),
        name="autograder-import-versions",
    ),
]
