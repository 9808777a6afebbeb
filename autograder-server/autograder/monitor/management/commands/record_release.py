"""`manage.py record_release`: the init step's last act, after `migrate`.

From then on only workers of this release claim jobs (autograder/monitor/release.py).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from autograder.monitor import release


class Command(BaseCommand):
    help = "Record the running (or the given) release as the deployed one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--release", default="", help="default: AG_RELEASE")

    def handle(self, *args: Any, **options: Any) -> None:
        value = options["release"] or release.running_release()
        if not value:
            # An image built without deploy/build-images: nothing to fence by.
            self.stdout.write("no release id (AG_RELEASE is empty): the release fence stays off")
            return
        previous = release.deployed_release()
        release.release_record(release=value)
        self.stdout.write(f"deployed release: {value} (was: {previous or 'none'})")
