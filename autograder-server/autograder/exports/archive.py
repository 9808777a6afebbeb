"""Writing a zip to disk file by file, copying each stored file in chunks: memory stays flat
however many or however big the submissions are."""

import dataclasses
import logging
import shutil
import zipfile
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from django.core.files.storage import default_storage

logger = logging.getLogger(__name__)

_CHUNK = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class ZipEntry:
    arcname: str
    storage_path: str
    """Relative to the storage backend (MEDIA_ROOT)."""
    modified: datetime


def _info(entry: ZipEntry) -> zipfile.ZipInfo:
    stamp = entry.modified.timetuple()[:6]
    info = zipfile.ZipInfo(entry.arcname, date_time=(max(stamp[0], 1980), *stamp[1:]))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def write_zip(*, target: Path, entries: Iterable[ZipEntry], on_entry: Callable[[int], None]) -> int:
    """Writes `entries` into a new zip at `target`; returns how many stored files were missing
    (left out and logged). `on_entry(n)` is told how many entries are done."""
    missing = 0
    with zipfile.ZipFile(target, "w", compresslevel=1, allowZip64=True) as archive:
        for done, entry in enumerate(entries, start=1):
            try:
                source = default_storage.open(entry.storage_path, "rb")
            except FileNotFoundError:
                logger.warning("Export: stored file %s is missing", entry.storage_path)
                missing += 1
            else:
                with source, archive.open(_info(entry), "w", force_zip64=True) as sink:
                    shutil.copyfileobj(source, sink, _CHUNK)
            on_entry(done)
    return missing
