from django.urls import URLPattern, URLResolver, path

from autograder.images import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("courses/<int:course_id>/sandbox_images/", api.CourseImagesApi.as_view()),
    path("site/sandbox_images/", api.SiteImagesApi.as_view()),
    path("sandbox_images/runtimes/", api.RuntimesApi.as_view()),
    path("sandbox_images/<int:image_id>/", api.ImageDetailApi.as_view()),
    path("sandbox_images/<int:image_id>/builds/", api.ImageBuildsApi.as_view()),
    path("image_builds/<int:build_id>/", api.BuildDetailApi.as_view()),
    path("image_builds/<int:build_id>/cancel/", api.BuildCancelApi.as_view()),
]
