"""Error reporting is off unless AG_SENTRY_DSN is set; with it, errors reach that server."""

import gzip
import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import sentry_sdk
from django.test import override_settings

from autograder.monitor import sentry


class Collector(http.server.BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        Collector.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def sentry_server() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Collector.received = []
    yield f"http://public@127.0.0.1:{server.server_port}/7"
    sentry_sdk.init(dsn=None)  # off again for the rest of the run
    server.shutdown()


def test_off_without_a_dsn() -> None:
    with override_settings(SENTRY_DSN=""):
        assert sentry.init_from_settings() is False


def test_an_error_reaches_the_configured_server_with_the_release(sentry_server: str) -> None:
    with override_settings(SENTRY_DSN=sentry_server, RELEASE="0.2.0+abc"):
        assert sentry.init_from_settings() is True
    try:
        raise ValueError("grading exploded")
    except ValueError as error:
        sentry_sdk.capture_exception(error)
    sentry_sdk.flush(timeout=10)

    sent = b"".join(Collector.received)
    assert b"grading exploded" in sent
    assert b'"release":"0.2.0+abc"' in sent.replace(b" ", b"")
