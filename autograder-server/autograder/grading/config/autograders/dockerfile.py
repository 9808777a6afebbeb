"""The Dockerfile (and build files) that turn a Gradescope autograder zip into a sandbox image.

The image is built FROM the site's default sandbox image, so it keeps python3 (the sandbox's
runner) and the unprivileged `autograder` user. As on Gradescope, the zip is unpacked at
`/autograder/source`, `run_autograder` is copied to `/autograder/run_autograder` and
`setup.sh` runs as root from `/autograder/source` at build time.

A sandbox mounts a fresh tmpfs on `/autograder` (the rest of its root filesystem is read-only),
which would hide what the image has there. So the build moves the finished `/autograder` to
`STAGED` and the suite's setup command copies it back into the sandbox before each run:
whatever `setup.sh` left in `/autograder` is there, at the paths it used.

The build files hold text only, so the zip travels as base64 in chunks beside a small
unpacker (which keeps the members' executable bits).
"""

import base64
import os
import shlex

from autograder.grading.config.autograders.zips import Member

STAGED = "/opt/ag-autograder"
"""Where the image keeps the built /autograder."""
COPY_COMMAND = (
    f"find {STAGED} -mindepth 1 -maxdepth 1"
    " -exec cp -R --preserve=mode,timestamps -t /autograder {} +"
)
"""The suite's setup command: what the built /autograder holds, into the sandbox's (writable)
one. Its entries one by one, not `STAGED/.`: the sandbox's /autograder itself is root's, and
cp would fail setting its times."""
CHUNK_CHARS = 250_000
CONTEXT_DIR = "ag-autograder"

UNPACK = '''"""Unpacks the base64 chunks of the autograder zip into the directory named."""
import base64, pathlib, sys, zipfile, io
here, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
data = base64.b64decode("".join(p.read_text() for p in sorted(here.glob("zip.b64.*"))))
with zipfile.ZipFile(io.BytesIO(data)) as archive:
    for info in archive.infolist():
        path = target / info.filename
        if info.is_dir():
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(archive.read(info))
        path.chmod(0o755 if (info.external_attr >> 16) & 0o111 else 0o644)
'''


def apt_mirror() -> str:
    """AG_AUTOGRADER_APT_MIRROR: a Debian mirror URL that replaces deb.debian.org while
    `setup.sh` runs (for builders without internet access)."""
    return os.environ.get("AG_AUTOGRADER_APT_MIRROR", "").strip()


def pip_index_url() -> str:
    """AG_AUTOGRADER_PIP_INDEX_URL: a Python package index `pip install` in `setup.sh` uses."""
    return os.environ.get("AG_AUTOGRADER_PIP_INDEX_URL", "").strip()


def build_files(zip_bytes: bytes) -> dict[str, str]:
    encoded = base64.b64encode(zip_bytes).decode()
    chunks = [encoded[i : i + CHUNK_CHARS] for i in range(0, len(encoded), CHUNK_CHARS)] or [""]
    files = {f"{CONTEXT_DIR}/zip.b64.{n:02d}": chunk for n, chunk in enumerate(chunks)}
    files[f"{CONTEXT_DIR}/unpack.py"] = UNPACK
    return files


def gradescope_dockerfile(*, base_image: str, members: list[Member]) -> str:
    has_setup = any(m.path == "setup.sh" for m in members)
    lines = [
        "# A Gradescope autograder, built as Gradescope builds it (docs/contracts/gradescope.md).",
        f"FROM {base_image}",
        "USER root",
        "ENV DEBIAN_FRONTEND=noninteractive",
    ]
    mirror, index = apt_mirror(), pip_index_url()
    if mirror:
        lines.append(
            "RUN sed -i "
            + shlex.quote(f"s|http://deb.debian.org/debian|{mirror}|g")
            + " /etc/apt/sources.list"
        )
    if index:
        lines.append(f"ENV PIP_INDEX_URL={shlex.quote(index)}")
    lines += [
        f"COPY {CONTEXT_DIR}/ /tmp/{CONTEXT_DIR}/",
        f"RUN python3 /tmp/{CONTEXT_DIR}/unpack.py /tmp/{CONTEXT_DIR} /autograder/source"
        f" && rm -rf /tmp/{CONTEXT_DIR}"
        " && cp /autograder/source/run_autograder /autograder/run_autograder"
        " && chmod 755 /autograder/run_autograder",
    ]
    if has_setup:
        lines.append("RUN cd /autograder/source && bash ./setup.sh")
    lines += [
        # The submission and its metadata are placed at run time, over nothing.
        "RUN rm -rf /autograder/submission /autograder/submission_metadata.json"
        f" && mv /autograder {STAGED} && chmod -R a+rX {STAGED}",
        "WORKDIR /home/autograder/working_dir",
        "",
    ]
    return "\n".join(lines)
