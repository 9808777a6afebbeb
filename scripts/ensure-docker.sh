#!/usr/bin/env bash
# Make sure a Docker daemon is reachable, installing and starting one if needed.
#
# Idempotent: installs docker.io (plus runsc for gVisor and debootstrap for image
# bases) only when missing, registers runsc as a Docker runtime, starts dockerd in
# the background when no socket exists, and waits until `docker info` answers.
set -euo pipefail

log() { echo "ensure-docker: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v runsc >/dev/null 2>&1 || missing+=(runsc)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # runsc is optional: install the rest even if it is unavailable.
    if ! $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null; then
        log "retrying without runsc"
        rest=()
        for p in "${missing[@]}"; do [ "$p" = runsc ] || rest+=("$p"); done
        [ "${#rest[@]}" -eq 0 ] || $SUDO apt-get install -y -qq "${rest[@]}" >/dev/null
    fi
fi

# Register gVisor (runsc) with networking disabled inside the sandbox kernel.
daemon_json=/etc/docker/daemon.json
runsc_path="$(command -v runsc || true)"
if [ -n "$runsc_path" ] && ! grep -q '"runsc"' "$daemon_json" 2>/dev/null; then
    log "registering runsc in $daemon_json"
    $SUDO mkdir -p /etc/docker
    $SUDO python3 - "$daemon_json" "$runsc_path" <<'PY'
import json, os, sys
path, runsc = sys.argv[1], sys.argv[2]
config = {}
if os.path.exists(path):
    with open(path) as f:
        config = json.load(f)
config.setdefault("runtimes", {})["runsc"] = {"path": runsc, "runtimeArgs": ["--network=none"]}
with open(path, "w") as f:
    json.dump(config, f, indent=2)
PY
    # A daemon already running must reload its configuration to see the runtime.
    if pid="$(pidof dockerd 2>/dev/null)"; then
        $SUDO kill -HUP "$pid" || true
    fi
fi

# A socket can outlive its daemon (a killed session), so ask the daemon, not the file system.
if ! docker info >/dev/null 2>&1 && ! pidof dockerd >/dev/null 2>&1; then
    log "starting dockerd"
    $SUDO rm -f /var/run/docker.sock /var/run/docker.pid
    $SUDO sh -c 'setsid nohup dockerd >>/var/log/dockerd.log 2>&1 </dev/null &'
fi

for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then
        log "docker is ready"
        exit 0
    fi
    sleep 1
done
log "docker did not become ready; see /var/log/dockerd.log"
exit 1
