from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("autograder.grading.config_urls")),
    path("", include("autograder.grading.results_urls")),
    path("", include("autograder.grading.pipeline_urls")),
    path("", include("autograder.grading.reruns_urls")),
]
