"""Host side of the runner protocol, over a Docker attach socket.

The container runs without a TTY, so Docker multiplexes what it sends back: each
chunk of the runner's stdout arrives behind an 8-byte header (stream id, 3 zero
bytes, big-endian length). Inside that stream the runner writes frames: struct
">II" (header length, blob length), a JSON header, the blob. Only the runner
writes to this stream; student output travels inside blobs.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import time
from typing import Any

from autograder.sandbox.errors import SandboxBrokenError

FRAME = struct.Struct(">II")
DOCKER_CHUNK = struct.Struct(">BxxxI")
STDOUT = 1
MAX_HEADER_BYTES = 16 * 1024 * 1024
MAX_BLOB_BYTES = 1 << 31


class Connection:
    """One request at a time to one runner."""

    def __init__(self, sock: socket.socket, owner: Any = None) -> None:
        self._sock = sock
        self._owner = owner  # docker-py's wrapper around sock, closed with it
        self._buf = bytearray()  # demultiplexed runner stdout not consumed yet
        self._chunk_left = 0  # bytes left in the current Docker chunk
        self._chunk_stream = STDOUT
        self.closed = False

    def request(
        self, header: dict[str, Any], blob: bytes = b"", *, timeout: float
    ) -> tuple[dict[str, Any], bytes]:
        """Send one frame and wait up to `timeout` seconds for the reply frame."""
        if self.closed:
            raise SandboxBrokenError("connection to the runner is closed")
        deadline = time.monotonic() + timeout
        encoded = json.dumps(header).encode()
        try:
            self._sock.settimeout(timeout)
            self._sock.sendall(FRAME.pack(len(encoded), len(blob)) + encoded)
            if blob:
                self._sock.sendall(blob)
            header_len, blob_len = FRAME.unpack(self._read_exact(FRAME.size, deadline))
            if header_len > MAX_HEADER_BYTES or blob_len > MAX_BLOB_BYTES:
                raise SandboxBrokenError("runner sent an oversized frame")
            reply = json.loads(self._read_exact(header_len, deadline))
            data = self._read_exact(blob_len, deadline)
        except (OSError, ValueError) as e:  # timeouts, resets, bad JSON
            self.close()
            raise SandboxBrokenError(f"runner did not answer: {e!r}") from e
        except BaseException:
            # Anything else mid-frame (a Celery time limit, an interrupt) leaves a reply
            # unread in the stream: the next request would take it for its own.
            self.close()
            raise
        if not isinstance(reply, dict):
            self.close()
            raise SandboxBrokenError("runner sent a malformed header")
        return reply, data

    def _read_exact(self, n: int, deadline: float) -> bytes:
        while len(self._buf) < n:
            self._fill(deadline)
        data = bytes(self._buf[:n])
        del self._buf[:n]
        return data

    def _fill(self, deadline: float) -> None:
        """Append the payload of the next Docker chunk (or part of it) to the buffer."""
        if self._chunk_left == 0:
            stream, size = DOCKER_CHUNK.unpack(self._recv_exact(DOCKER_CHUNK.size, deadline))
            self._chunk_stream, self._chunk_left = stream, size
            if size == 0:
                return
        data = self._recv(min(self._chunk_left, 1 << 20), deadline)
        self._chunk_left -= len(data)
        if self._chunk_stream == STDOUT:
            self._buf += data

    def _recv_exact(self, n: int, deadline: float) -> bytes:
        parts = bytearray()
        while len(parts) < n:
            parts += self._recv(n - len(parts), deadline)
        return bytes(parts)

    def _recv(self, n: int, deadline: float) -> bytes:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("runner reply timed out")
        self._sock.settimeout(remaining)
        data = self._sock.recv(n)
        if not data:
            raise SandboxBrokenError("runner stream closed")
        return data

    def close(self) -> None:
        """Close the stream; the runner sees end of input, kills everything and exits."""
        if self.closed:
            return
        self.closed = True
        # shutdown() acts at once even while docker-py's file wrapper still
        # holds a reference that would keep close() from releasing the fd.
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        for obj in (self._sock, self._owner):
            if obj is not None:
                with contextlib.suppress(OSError):
                    obj.close()
