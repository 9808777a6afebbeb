from django.apps import AppConfig


class GradingConfig(AppConfig):
    name = "autograder.grading"
    label = "grading"

    def ready(self) -> None:
        # Makes the project's Celery app current in every process (web, workers, shell), so
        # tasks are sent to the configured broker. Kept out of autograder/__init__.py so that
        # importing the Django-free sandbox library never loads Django settings.
        import autograder.celery  # noqa: F401
        from autograder.grading import checks  # noqa: F401  (registers the system checks)
        from autograder.grading.config import receivers as _config  # noqa: F401  (copies)
        from autograder.grading.config.autograders import receivers as _imports  # noqa: F401
        from autograder.grading.pipeline import receivers  # noqa: F401  (connects the receivers)
        from autograder.grading.reruns import pins as _pins  # noqa: F401  (keeps rerun images)
        from autograder.grading.results import receivers as _results  # noqa: F401  (cache)
