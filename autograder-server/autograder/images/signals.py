"""What the images app asks the apps above it, without importing them.

`images_pinned` is sent (with no arguments) when garbage collection computes what every node
keeps (`services.images_needed`). A receiver returns the image references it still needs (tags,
references by digest, or image ids): grading pins the images that results may be rerun on
(see grading.reruns.pins).
"""

from django.dispatch import Signal

images_pinned = Signal()
