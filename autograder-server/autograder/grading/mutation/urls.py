from django.urls import URLPattern, URLResolver, path

from autograder.grading.mutation import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "projects/<int:project_id>/mutation_suites/",
        api.ProjectMutationSuitesApi.as_view(),
        name="mutation-suites",
    ),
    path(
        "projects/<int:project_id>/mutation_suites/order/",
        api.MutationSuiteOrderApi.as_view(),
        name="mutation-suite-order",
    ),
    path(
        "mutation_suites/<int:suite_id>/",
        api.MutationSuiteDetailApi.as_view(),
        name="mutation-suite-detail",
    ),
]
