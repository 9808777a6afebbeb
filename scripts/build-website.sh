#!/usr/bin/env bash
# Builds the single-page app into ag-website/dist. Idempotent and cheap to re-run:
#   - `npm ci` only when package-lock.json changed since the last install;
#   - `vite build` only when the sources (or the lock file) changed since the last build,
#     judged by a content hash stamped into dist/.build-hash.
# Needs Node.js 20.19+ and npm (the npm registry is the only download).
set -euo pipefail
cd "$(dirname "$0")/../ag-website"

log() { echo "build-website: $*" >&2; }

if ! command -v npm >/dev/null 2>&1; then
    log "Node.js and npm are needed (Node 20.19 or newer)"
    exit 1
fi

lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
lock_stamp=node_modules/.ag-lock-hash
if [ ! -f "$lock_stamp" ] || [ "$(cat "$lock_stamp")" != "$lock_hash" ]; then
    log "installing packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error >&2
    echo "$lock_hash" > "$lock_stamp"
fi

source_hash="$( { find src index.html vite.config.ts tsconfig.json env.d.ts package-lock.json -type f -print0 \
    | sort -z | xargs -0 sha256sum; } | sha256sum | cut -d' ' -f1)"
build_stamp=dist/.build-hash
if [ -f dist/index.html ] && [ -f "$build_stamp" ] && [ "$(cat "$build_stamp")" = "$source_hash" ]; then
    log "dist/ is up to date"
    exit 0
fi
log "building dist/"
npx --no-install vite build --logLevel warn >&2
echo "$source_hash" > "$build_stamp"
log "built dist/"
