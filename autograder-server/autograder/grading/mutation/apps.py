from django.apps import AppConfig


class MutationConfig(AppConfig):
    """Mutation test suites: grading students' own tests against buggy implementations.

    Its own app label (and migrations) beside `grading`; the pipeline runs its suites."""

    name = "autograder.grading.mutation"
    label = "mutation"
    verbose_name = "Mutation test suites"
