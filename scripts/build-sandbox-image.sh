#!/usr/bin/env bash
# Build the default sandbox image without any image registry.
#
#   1. debootstrap a minimal Debian bookworm (with python3) and `docker import`
#      it as ag-debian-base:<hash>;
#   2. `docker build` sandbox-images/default FROM that base and tag it
#      ag-sandbox-default:<hash> and ag-sandbox-default:latest.
#
# Idempotent and cached by content hash: when the hash-tagged image already
# exists, nothing is done. Prints the image reference on its last line.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
image_dir="$repo_root/sandbox-images/default"
mirror="${AG_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite=bookworm

log() { echo "build-sandbox-image: $*" >&2; }

base_hash="$(printf '%s\n' "debootstrap --variant=minbase --include=python3 $suite $mirror" \
    | sha256sum | cut -c1-12)"
base_ref="ag-debian-base:$base_hash"
image_hash="$( { echo "$base_ref"; cd "$image_dir" && find . -type f -print0 | sort -z \
    | xargs -0 sha256sum; } | sha256sum | cut -c1-12)"
image_ref="ag-sandbox-default:$image_hash"

if docker image inspect "$image_ref" >/dev/null 2>&1; then
    log "$image_ref already built"
    docker tag "$image_ref" ag-sandbox-default:latest
    echo "$image_ref"
    exit 0
fi

if ! docker image inspect "$base_ref" >/dev/null 2>&1; then
    rootfs="$(mktemp -d /tmp/ag-debootstrap.XXXXXX)"
    trap 'rm -rf "$rootfs"' EXIT
    log "debootstrapping $suite into $rootfs"
    debootstrap --variant=minbase --include=python3 "$suite" "$rootfs" "$mirror" >&2
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    log "importing $base_ref"
    tar -C "$rootfs" -c . | docker import - "$base_ref" >/dev/null
    rm -rf "$rootfs"
    trap - EXIT
fi

log "building $image_ref"
docker build --quiet --build-arg "BASE_IMAGE=$base_ref" \
    --label "org.autograder.content-hash=$image_hash" \
    -t "$image_ref" -t ag-sandbox-default:latest "$image_dir" >&2
echo "$image_ref"
