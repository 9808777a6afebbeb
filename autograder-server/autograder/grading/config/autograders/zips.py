"""Reading an uploaded autograder zip: every member checked before anything is stored."""

import dataclasses
import io
import stat
import zipfile
from pathlib import PurePosixPath

from autograder.common.errors import ApplicationError, field_error

MAX_ZIP_BYTES = 3_000_000
"""The zip travels to the image builder base64-encoded in the image's build files, which hold
at most 20 files of 256,000 characters (autograder.images.services): 3 MB fits with room."""
MAX_UNPACKED_BYTES = 200_000_000
"""All members together, unpacked: a zip bomb stops here."""
MAX_MEMBERS = 2000


@dataclasses.dataclass(frozen=True)
class Member:
    path: str
    content: bytes
    executable: bool


def _refuse(field: str, message: str, code: str) -> ApplicationError:
    return field_error(field, message, code=code)


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    path = PurePosixPath(name)
    mode = info.external_attr >> 16
    if "\0" in name or "\\" in name:
        return f"{name!r}: member names may not contain NUL bytes or backslashes."
    if path.is_absolute() or name.startswith("/") or ".." in path.parts:
        return f"{name!r} points outside the zip (an absolute path or '..'); it is refused."
    if stat.S_ISLNK(mode):
        return f"{name!r} is a symbolic link; zips with links are refused (copy the file)."
    if stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        # (zips made without Unix modes, e.g. on Windows, carry no file type: fine)
        return f"{name!r} is not a regular file or a directory."
    if info.flag_bits & 0x1:
        return f"{name!r} is encrypted."
    if any(len(part.encode()) > 255 for part in path.parts):
        return f"{name!r}: a name in it is longer than 255 bytes."
    return None


def check_size(size: int, *, field: str = "file") -> None:
    if size > MAX_ZIP_BYTES:
        message = f"The zip is {size} bytes; at most {MAX_ZIP_BYTES} bytes are accepted."
        raise ApplicationError(
            message, code="file_too_large", fields={field: [message]}, status=413
        )


def read_zip(data: bytes, *, field: str = "file") -> list[Member]:
    """The zip's files (directories left out), or a 4xx naming `field` and the reason."""
    check_size(len(data), field=field)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise _refuse(field, f"This is not a zip file ({e}).", "not_a_zip") from None
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _refuse(
            field, f"The zip has {len(infos)} members; at most {MAX_MEMBERS}.", "too_many"
        )
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise _refuse(
            field, f"Unpacked, the zip is larger than {MAX_UNPACKED_BYTES} bytes.", "too_large"
        )
    members: list[Member] = []
    seen: set[str] = set()
    for info in infos:
        problem = _member_problem(info)
        if problem:
            raise _refuse(field, problem, "unsafe_member")
        if info.is_dir():
            continue
        path = str(PurePosixPath(info.filename))
        if path in seen:
            raise _refuse(field, f"{path!r} is in the zip twice.", "duplicate_member")
        seen.add(path)
        try:
            content = archive.read(info)
        except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as e:
            raise _refuse(field, f"{info.filename!r} can't be read ({e}).", "bad_member") from None
        executable = bool((info.external_attr >> 16) & 0o111)
        members.append(Member(path=path, content=content, executable=executable))
    if not members:
        raise _refuse(field, "The zip holds no files.", "empty_zip")
    return members


def require_at_root(members: list[Member], name: str, *, field: str = "file") -> None:
    """Gradescope looks for `run_autograder` (and `setup.sh`) at the zip's root."""
    if any(m.path == name for m in members):
        return
    nested = [m.path for m in members if PurePosixPath(m.path).name == name]
    hint = f" It is at {nested[0]!r}: zip the folder's contents, not the folder." if nested else ""
    raise _refuse(
        field, f"The zip has no {name} at its root.{hint}", f"missing_{name.replace('.', '_')}"
    )
