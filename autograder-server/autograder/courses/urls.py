from django.urls import URLPattern, URLResolver, path

from autograder.courses import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("courses/", api.CourseListApi.as_view(), name="courses"),
    path("courses/<int:course_id>/", api.CourseDetailApi.as_view(), name="course-detail"),
    path("courses/<int:course_id>/copy/", api.CourseCopyApi.as_view(), name="course-copy"),
    path(
        "courses/<int:course_id>/roster/<str:role>/", api.RosterApi.as_view(), name="course-roster"
    ),
    path(
        "courses/<int:course_id>/roster/<str:role>/preview/",
        api.RosterPreviewApi.as_view(),
        name="course-roster-preview",
    ),
    path("courses/<int:course_id>/late_days/", api.LateDaysListApi.as_view(), name="late-days"),
    path(
        "courses/<int:course_id>/late_days/<int:user_id>/",
        api.LateDaysDetailApi.as_view(),
        name="late-days-detail",
    ),
]
