from django.urls import URLPattern, URLResolver, path

from autograder.submissions import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "groups/<int:group_id>/submissions/",
        api.GroupSubmissionsApi.as_view(),
        name="group-submissions",
    ),
    path(
        "projects/<int:project_id>/my_submissions/",
        api.MySubmissionsApi.as_view(),
        name="my-submissions",
    ),
    path("projects/<int:project_id>/my_limits/", api.MyLimitsApi.as_view(), name="my-limits"),
    path(
        "projects/<int:project_id>/file_check/",
        api.FileCheckApi.as_view(),
        name="file-check",
    ),
    path(
        "submissions/<int:submission_id>/",
        api.SubmissionDetailApi.as_view(),
        name="submission-detail",
    ),
    path(
        "submissions/<int:submission_id>/remove_from_queue/",
        api.SubmissionRemoveFromQueueApi.as_view(),
        name="submission-remove-from-queue",
    ),
    path(
        "submissions/<int:submission_id>/files/",
        api.SubmissionFilesApi.as_view(),
        name="submission-files",
    ),
    path(
        "submissions/<int:submission_id>/files/content/",
        api.SubmissionFileContentApi.as_view(),
        name="submission-file-content",
    ),
]
