import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autograder.settings")
django_application = get_asgi_application()

# Browsers' live status streams skip Django's per-request thread (see events_asgi).
from autograder.grading.pipeline.events_asgi import with_browser_streams  # noqa: E402

application = with_browser_streams(django_application)
