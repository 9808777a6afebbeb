#!/usr/bin/env python3
"""Prints requirements that wheels in a folder need on the target Python but that pip left
out because it evaluates environment markers against the host's interpreter (for example
`async-timeout; python_full_version < "3.11.3"` for Debian bookworm's 3.11.2).

    target-requirements.py WHEEL_DIR PYTHON_FULL_VERSION MACHINE
"""

import re
import sys
import zipfile
from pathlib import Path

try:
    from packaging.requirements import Requirement
except ImportError:  # pip always carries a copy
    from pip._vendor.packaging.requirements import Requirement


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main(wheel_dir: str, full_version: str, machine: str) -> None:
    major_minor = ".".join(full_version.split(".")[:2])
    env = {
        "python_version": major_minor,
        "python_full_version": full_version,
        "implementation_version": full_version,
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": machine,
        "os_name": "posix",
        "extra": "",
    }
    wheels = sorted(Path(wheel_dir).glob("*.whl"))
    have = {canonical(w.name.split("-")[0]) for w in wheels}
    missing = set()
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            meta = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
            lines = archive.read(meta).decode("utf-8", "replace").splitlines()
        for line in lines:
            if not line.startswith("Requires-Dist:"):
                continue
            req = Requirement(line.split(":", 1)[1].strip())
            # Extras are the same on host and target: pip already chose them right.
            if req.marker is None or "extra" in str(req.marker):
                continue
            if req.marker.evaluate(env) and canonical(req.name) not in have:
                missing.add(f"{req.name}{req.specifier}")
    print("\n".join(sorted(missing)))


if __name__ == "__main__":
    main(*sys.argv[1:4])
