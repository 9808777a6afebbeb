"""System checks of the grading settings, run by `manage.py check` (and `runserver`)."""

from typing import Any

from django.core.checks import CheckMessage, Error, register

from autograder.sandbox.config import load_settings


@register()
def sandbox_settings_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """A malformed AG_SANDBOX_* value (such as an image in AG_SANDBOX_IMAGES that is not an
    image reference) is reported before a deploy, not by the first suite save or grading."""
    try:
        load_settings()
    except ValueError as error:
        return [Error(str(error), id="grading.E001")]
    return []
