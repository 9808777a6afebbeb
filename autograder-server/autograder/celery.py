"""The Celery application shared by every worker type and beat."""

import os
from pathlib import Path

from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autograder.settings")

app = Celery("autograder")
app.config_from_object("django.conf:settings", namespace="CELERY")
if settings.WORKER_DB_CONN_MAX_AGE > 0:
    # Celery's Django fixup closes every database connection around each task unless this is
    # set (then: every 2 x this many tasks). Workers keep theirs across tasks instead
    # (grading.pipeline.receivers.keep_worker_db_connection).
    app.conf["CELERY_DB_REUSE_MAX"] = 1000
if settings.BROKER_URL.startswith("filesystem://"):
    broker_dir = Path(settings.DATA_DIR) / "broker"
    for sub in ("queue", "processed", "control"):
        (broker_dir / sub).mkdir(parents=True, exist_ok=True)
    app.conf.broker_transport_options = {
        "data_folder_in": str(broker_dir / "queue"),
        "data_folder_out": str(broker_dir / "queue"),
        "processed_folder": str(broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(broker_dir / "control"),
    }
app.autodiscover_tasks()
# The grading app keeps its tasks in its pipeline sub-package.
app.autodiscover_tasks(["autograder.grading.pipeline"])
