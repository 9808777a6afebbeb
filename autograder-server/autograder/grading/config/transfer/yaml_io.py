"""Reading and writing the YAML text of a configuration document, and the zip that carries
it with the instructor files (`project.yaml` + `instructor_files/<name>`).

Only PyYAML's safe loader and dumper are used: a document is data, never objects. Text with
line breaks (expected output, scripts) is written as a `|` block so that diffs in git read
line by line.
"""

import io
import zipfile
from typing import Any

import yaml
from django.conf import settings

from autograder.common.errors import ApplicationError, field_error
from autograder.grading.config.transfer.document import FILES_DIR, YAML_NAME


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(document: dict[str, Any]) -> str:
    text: str = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return text


def load(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except RecursionError as exc:
        raise field_error("file", "The YAML is nested too deeply.", code="invalid_yaml") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise field_error(
            "file", f"Not valid YAML{where}: {problem}.", code="invalid_yaml"
        ) from exc


def zip_bytes(yaml_text: str, files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(YAML_NAME, yaml_text)
        for name, content in sorted(files.items()):
            archive.writestr(FILES_DIR + name, content)
    return buffer.getvalue()


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise field_error(
            "file", "Upload a zip or a UTF-8 YAML file.", code="invalid_yaml"
        ) from exc


def unpack(data: bytes) -> tuple[str, dict[str, bytes] | None]:
    """The YAML text and, for a zip, the instructor files it carries (None: a bare YAML file,
    which names instructor files the project must already have)."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return _text(data), None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _read_zip(archive)
    except (zipfile.BadZipFile, EOFError) as exc:
        raise field_error("file", f"The zip can't be read: {exc}.", code="invalid_zip") from exc


def _read_zip(archive: zipfile.ZipFile) -> tuple[str, dict[str, bytes]]:
    limit: int = settings.MAX_INSTRUCTOR_FILE_BYTES
    names = {info.filename: info for info in archive.infolist() if not info.is_dir()}
    if YAML_NAME not in names:
        raise field_error("file", f"The zip has no {YAML_NAME}.", code="invalid_zip")
    files: dict[str, bytes] = {}
    for name, info in names.items():
        if name == YAML_NAME:
            continue
        inner = name.removeprefix(FILES_DIR)
        if not name.startswith(FILES_DIR) or "/" in inner:
            raise field_error(
                "file",
                f"{name!r}: the zip may hold only {YAML_NAME} and files directly under "
                f"{FILES_DIR}.",
                code="invalid_zip",
            )
        if info.file_size > limit:
            message = (
                f"{name!r} is {info.file_size} bytes; instructor files may be at most {limit}."
            )
            raise ApplicationError(
                message, code="file_too_large", fields={"file": [message]}, status=413
            )
        files[inner] = archive.read(info)
    if names[YAML_NAME].file_size > limit:
        raise field_error("file", f"{YAML_NAME} is too large.", code="invalid_zip")
    return _text(archive.read(YAML_NAME)), files
