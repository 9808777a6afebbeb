from django.urls import URLPattern, URLResolver, path

from autograder.eipl import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("projects/<int:project_id>/eipl_question/", api.QuestionApi.as_view()),
    path("projects/<int:project_id>/eipl_question/student/", api.QuestionStudentApi.as_view()),
    path("groups/<int:group_id>/eipl_explanations/", api.ExplanationSubmitApi.as_view()),
    path("submissions/<int:submission_id>/eipl_attempt/", api.AttemptApi.as_view()),
    path("courses/<int:course_id>/eipl_limits/", api.CourseLimitsApi.as_view()),
]
