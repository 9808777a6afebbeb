#!/usr/bin/env bash
# Creates .venv and installs the server with its dev tools. Re-running is cheap: pip skips
# the install when pyproject.toml hasn't changed since the last successful one.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.ag-installed
want="$(sha256sum autograder-server/pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    .venv/bin/pip install --quiet --upgrade pip
    .venv/bin/pip install --quiet -e "autograder-server[${AG_PIP_EXTRAS:-dev}]"
    echo "$want" > "$stamp"
fi
