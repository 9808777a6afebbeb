"""`manage.py deploy_init`: what the stack's one-shot `init` service runs on every deploy.

Applies migrations, then records this image's release as the deployed one, in one process
(Django starts once: on a busy node that halves the time every other service waits).
"""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Apply migrations, then record the running release as the deployed one."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, stdout=self.stdout, stderr=self.stderr)
        call_command("record_release", stdout=self.stdout)
