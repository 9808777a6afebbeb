"""A real SMTP server on 127.0.0.1 (aiosmtpd) that tests read delivered mail from, and Celery
tasks run in-process, so a test sees exactly what a worker would have sent."""

import email
import email.policy
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from autograder.celery import app


@dataclass
class Inbox:
    """Everything the server accepted, in order; `refuse_next` makes it answer the next
    messages with a temporary failure (451), as a busy mail server does."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse_next: int = 0

    async def handle_DATA(  # noqa: N802 (the name aiosmtpd calls)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.refuse_next > 0:
            self.refuse_next -= 1
            return "451 4.3.0 Try again later"
        content = envelope.original_content or b""
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    def link(self, message: EmailMessage) -> tuple[str, str]:
        """The (uid, token) of the set-password link in `message`."""
        found = re.search(r"/set-password/([^/\s]+)/([^/\s]+)", self.body(message))
        assert found, self.body(message)
        return found.group(1), found.group(2)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_inbox(settings: Any) -> Iterator[Inbox]:
    """Starts the SMTP server, points Django's SMTP backend at it and runs tasks eagerly."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.DEFAULT_FROM_EMAIL = "Autograder <noreply@autograder.test>"
    eager, propagates = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, False
    try:
        yield inbox
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = eager, propagates
        controller.stop()
