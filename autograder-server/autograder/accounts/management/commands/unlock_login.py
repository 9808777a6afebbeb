"""Lifts a login lockout before it runs out (accounts/throttle.py), e.g. for a teacher who
mistyped their password too often the hour before a deadline."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from autograder.accounts import throttle


class Command(BaseCommand):
    help = "Forget the failed logins (and bad API tokens) of an account and/or a client address."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", help="the account (any spelling of its username)")
        parser.add_argument("--address", help="a client IP address (IPv6: any address of its /64)")

    def handle(self, *args: Any, **options: Any) -> None:
        username, address = options["username"], options["address"]
        if not username and not address:
            raise CommandError("Give --username, --address or both.")
        if address:
            address = throttle.address_normalise(address)
        throttle.lockout_lift(username=username, address=address)
        lifted = " and ".join(
            f"{what} {value}"
            for what, value in (("account", username), ("address", address))
            if value
        )
        self.stdout.write(f"Failed logins forgotten for {lifted}.")
