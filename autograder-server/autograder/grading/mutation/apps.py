from django.apps import AppConfig


class MutationConfig(AppConfig):
    """Mutation test suites: grading students' own tests against buggy implementations.

    Its own app label (and migrations) beside `grading`; the pipeline runs its suites."""

    name = "autograder.grading.mutation"
    label = "mutation"
    verbose_name = "Mutation test suites"

    def ready(self) -> None:
        # A copied project gets the mutation suites too (projects.signals.project_copied).
        from autograder.grading.config.transfer.sections import register_transfer_section
        from autograder.grading.mutation import receivers  # noqa: F401
        from autograder.grading.mutation.transfer import SECTION

        # Tests as code: mutation suites are a section of the exported document.
        register_transfer_section(SECTION)
