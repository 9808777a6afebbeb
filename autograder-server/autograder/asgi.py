import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autograder.settings")
django.setup(set_prefix=False)

# Django's ASGI handler, with the sync middleware and view in one hop on reused threads.
from autograder.common.asgi_handler import PooledThreadASGIHandler  # noqa: E402

django_application = PooledThreadASGIHandler()

# Browsers' live status streams skip Django's per-request thread (see events_asgi).
from autograder.grading.pipeline.events_asgi import with_browser_streams  # noqa: E402

# So are browsers' reads of cached results (see results_asgi).
from autograder.grading.results.results_asgi import with_cached_results  # noqa: E402

application = with_cached_results(with_browser_streams(django_application))
