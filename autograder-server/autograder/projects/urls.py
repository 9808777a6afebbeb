from django.urls import URLPattern, URLResolver, path

from autograder.projects import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("courses/<int:course_id>/projects/", api.CourseProjectsApi.as_view()),
    path("projects/<int:project_id>/", api.ProjectDetailApi.as_view()),
    path("projects/<int:project_id>/copy/", api.ProjectCopyApi.as_view()),
    path("projects/<int:project_id>/expected_files/", api.ProjectExpectedFilesApi.as_view()),
    path("expected_files/<int:expected_file_id>/", api.ExpectedFileDetailApi.as_view()),
    path("projects/<int:project_id>/instructor_files/", api.ProjectInstructorFilesApi.as_view()),
    path("instructor_files/<int:instructor_file_id>/", api.InstructorFileDetailApi.as_view()),
    path(
        "instructor_files/<int:instructor_file_id>/content/",
        api.InstructorFileContentApi.as_view(),
    ),
]
