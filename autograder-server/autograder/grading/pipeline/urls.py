from django.urls import URLPattern, URLResolver, path

from autograder.grading.pipeline import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "submissions/<int:submission_id>/status/",
        api.SubmissionStatusApi.as_view(),
        name="submission-status",
    ),
    path(
        "submissions/<int:submission_id>/events/",
        api.SubmissionEventsApi.as_view(),
        name="submission-events",
    ),
]
