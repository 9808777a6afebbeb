from django.urls import URLPattern, URLResolver, path

from autograder.grading.reruns import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("projects/<int:project_id>/reruns/", api.ProjectRerunsApi.as_view(), name="reruns"),
    path("reruns/<int:rerun_id>/", api.RerunDetailApi.as_view(), name="rerun-detail"),
    path("reruns/<int:rerun_id>/cancel/", api.RerunCancelApi.as_view(), name="rerun-cancel"),
]
