from django.urls import URLPattern, URLResolver, path

from autograder.grading.results import api as results_api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "submissions/<int:submission_id>/results/",
        results_api.SubmissionResultsApi.as_view(),
        name="submission-results",
    ),
    *(
        path(
            f"command_results/<int:command_result_id>/{stream}/",
            results_api.CommandOutputApi.as_view(stream=stream),
            name=f"command-result-{stream}",
        )
        for stream in ("stdout", "stderr")
    ),
    *(
        path(
            f"command_results/<int:command_result_id>/{stream}_diff/",
            results_api.CommandDiffApi.as_view(stream=stream),
            name=f"command-result-{stream}-diff",
        )
        for stream in ("stdout", "stderr")
    ),
    *(
        path(
            f"suite_results/<int:suite_result_id>/{stream}/",
            results_api.SuiteSetupOutputApi.as_view(stream=stream),
            name=f"suite-result-{stream}",
        )
        for stream in ("setup_stdout", "setup_stderr")
    ),
    path(
        "groups/<int:group_id>/scores/",
        results_api.GroupScoresApi.as_view(),
        name="group-scores",
    ),
    path(
        "projects/<int:project_id>/gradebook/",
        results_api.ProjectGradebookApi.as_view(),
        name="project-gradebook",
    ),
    path(
        "projects/<int:project_id>/gradebook.csv",
        results_api.ProjectGradebookCsvApi.as_view(),
        name="project-gradebook-csv",
    ),
    path(
        "projects/<int:project_id>/statistics/",
        results_api.ProjectStatisticsApi.as_view(),
        name="project-statistics",
    ),
]
