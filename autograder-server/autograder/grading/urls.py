from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("autograder.grading.config.urls")),
    path("", include("autograder.grading.config.autograders.urls")),
    path("", include("autograder.grading.results.urls")),
    path("", include("autograder.grading.pipeline.urls")),
    path("", include("autograder.grading.reruns.urls")),
    path("", include("autograder.grading.mutation.urls")),
]
