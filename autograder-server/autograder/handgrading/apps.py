from django.apps import AppConfig


class HandgradingConfig(AppConfig):
    name = "autograder.handgrading"
    label = "handgrading"

    def ready(self) -> None:
        # Adds the handgraded points to the gradebook and its CSV (grading sits below this app,
        # so it offers a column registry and this app fills it in).
        from autograder.handgrading import (
            gradebook,  # noqa: F401  (registers the columns)
            receivers,  # noqa: F401  (copies rubrics)
        )
