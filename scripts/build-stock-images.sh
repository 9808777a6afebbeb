#!/usr/bin/env bash
# Build the stock sandbox images without any image registry, FROM the default image (so the
# runner, the `autograder` user and the sandbox's hardening are the default image's):
#
#   java      ag-sandbox-java      + Debian's JDK (default-jdk-headless)
#   node      ag-sandbox-node      + Debian's Node.js
#   polyglot  ag-sandbox-polyglot  + JDK, Node.js, Go and Haskell (GHC); FROM the java image
#
#   scripts/build-stock-images.sh [java|node|polyglot|all]...   (default: all)
#
# Each is tagged ag-sandbox-<name>:<hash> and :latest, where <hash> covers its base image's
# tag and its folder under sandbox-images/: when the hash-tagged image exists nothing is
# built, so a rerun with nothing changed takes a second. Prints one image reference (the
# hash tag) per line, in the order asked; the build's own output goes to stderr.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { echo "build-stock-images: $*" >&2; }

# build <name> <base ref>: prints the image's hash-tagged reference.
build() {
    local name="$1" base="$2" dir="$repo_root/sandbox-images/$1" hash ref started
    hash="$( { echo "$base"; cd "$dir" && find . -type f -print0 | sort -z \
        | xargs -0 sha256sum; } | sha256sum | cut -c1-12)"
    ref="ag-sandbox-$name:$hash"
    if docker image inspect "$ref" >/dev/null 2>&1; then
        log "$ref already built"
    else
        log "building $ref FROM $base"
        started="$(date +%s)"
        docker build --quiet --build-arg "BASE_IMAGE=$base" \
            --label "org.autograder.content-hash=$hash" \
            --label "org.autograder.stock-image=$name" \
            -t "$ref" "$dir" >&2
        log "built $ref in $(($(date +%s) - started)) s"
    fi
    docker tag "$ref" "ag-sandbox-$name:latest"
    echo "$ref"
}

wanted=("$@")
[ "${#wanted[@]}" -gt 0 ] || wanted=(all)
for name in "${wanted[@]}"; do
    case "$name" in
        java | node | polyglot | all) ;;
        *)
            echo "usage: $0 [java|node|polyglot|all]..." >&2
            exit 2
            ;;
    esac
done

default_ref="$("$repo_root/scripts/build-sandbox-image.sh" | tail -n1)"
java_ref=""
for name in "${wanted[@]}"; do
    case "$name" in
        java | polyglot | all) [ -n "$java_ref" ] || java_ref="$(build java "$default_ref")" ;;
    esac
    case "$name" in
        java) echo "$java_ref" ;;
        node) build node "$default_ref" ;;
        polyglot) build polyglot "$java_ref" ;;
        all)
            echo "$java_ref"
            build node "$default_ref"
            build polyglot "$java_ref"
            ;;
    esac
done
