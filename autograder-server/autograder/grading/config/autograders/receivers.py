"""An imported Gradescope autograder gets its suite when its image's build is ready (the
images app saves the image then; it knows nothing of imports)."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from autograder.grading.config.autograders.services import import_finish
from autograder.images.models import SandboxImage


@receiver(post_save, sender=SandboxImage)
def image_saved(sender: Any, *, instance: SandboxImage, **kwargs: Any) -> None:
    import_finish(image=instance)
