from django.urls import URLPattern, URLResolver, path

from autograder.integrations.runner import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("runner/grade/", api.RunnerGradeApi.as_view(), name="runner-grade"),
    path(
        "courses/<int:course_id>/machine-keys/",
        api.CourseMachineKeysApi.as_view(),
        name="course-machine-keys",
    ),
    path("machine-keys/<int:key_id>/", api.MachineKeyApi.as_view(), name="machine-key"),
    path(
        "projects/<int:project_id>/runner-works/",
        api.ProjectRunnerWorksApi.as_view(),
        name="project-runner-works",
    ),
]
