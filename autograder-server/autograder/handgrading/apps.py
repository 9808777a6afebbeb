from django.apps import AppConfig


class HandgradingConfig(AppConfig):
    name = "autograder.handgrading"
    label = "handgrading"

    def ready(self) -> None:
        # Grading sits below this app, so it offers registries this app fills in: the
        # gradebook's columns (handgraded points) and whether handgraders read test results.
        from autograder.handgrading import (
            gradebook,  # noqa: F401  (registers the columns)
            policies,  # noqa: F401  (registers the handgraders' results policy)
            receivers,  # noqa: F401  (copies rubrics)
        )
