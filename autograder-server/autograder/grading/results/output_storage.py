"""Where command output lives: in the result row when small, in a file when large."""

import uuid
from pathlib import Path
from typing import Literal

from django.conf import settings
from django.db import models

from autograder.grading.results.models import INLINE_OUTPUT_BYTES

Stream = Literal["stdout", "stderr", "setup_stdout", "setup_stderr"]


def _root() -> Path:
    return Path(settings.MEDIA_ROOT)


def output_store(result: models.Model, stream: Stream, data: bytes, *, truncated: bool) -> None:
    """Sets the stream's fields on `result` (the caller saves it). Large output is written to
    its own file first, so a row never points at bytes that are not on disk."""
    setattr(result, f"{stream}_size", len(data))
    setattr(result, f"{stream}_truncated", truncated)
    if len(data) <= INLINE_OUTPUT_BYTES:
        setattr(result, stream, data)
        setattr(result, f"{stream}_path", "")
        return
    relative = f"outputs/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"
    path = _root() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    setattr(result, stream, b"")
    setattr(result, f"{stream}_path", relative)


def output_read(result: models.Model, stream: Stream, *, max_bytes: int | None = None) -> bytes:
    """The stored bytes of one stream (at most `max_bytes` of them)."""
    relative: str = getattr(result, f"{stream}_path")
    if not relative:
        data = bytes(getattr(result, stream))
        return data if max_bytes is None else data[:max_bytes]
    with (_root() / relative).open("rb") as f:
        return f.read() if max_bytes is None else f.read(max_bytes)


def output_files_of(results: list[models.Model], streams: tuple[Stream, ...]) -> list[str]:
    return [
        getattr(result, f"{stream}_path")
        for result in results
        for stream in streams
        if getattr(result, f"{stream}_path")
    ]


def output_files_delete(paths: list[str]) -> None:
    """Removes files of results that were replaced (after the replacing transaction commits)."""
    for relative in paths:
        (_root() / relative).unlink(missing_ok=True)
