# shellcheck shell=bash
# Shared by the deploy/ scripts (sourced, not run).
#
# Settings come from, in order of precedence: the caller's environment, then
# $AG_DEPLOY_CONFIG (default deploy/config.env, a copy of config.env.example), then the
# image list that build-images wrote ($AG_DEPLOY_STATE/images.env, default deploy/.state/),
# then the defaults here and in docker-compose.yml.

DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$DEPLOY_DIR")"

log() { echo "[$(date +%H:%M:%S)] ${AG_LOG_TAG:-deploy}: $*" >&2; }
die() { log "error: $*"; exit 1; }

ag_load_config() {
    local explicit
    explicit="$(export -p | grep -E '^declare -x AG_[A-Z0-9_]+=' || true)"
    local state="${AG_DEPLOY_STATE:-$DEPLOY_DIR/.state}"
    local config="${AG_DEPLOY_CONFIG:-$DEPLOY_DIR/config.env}"
    set -a
    # shellcheck disable=SC1091
    if [ -f "$state/images.env" ]; then . "$state/images.env"; fi
    # shellcheck disable=SC1090
    if [ -f "$config" ]; then . "$config"; fi
    set +a
    eval "$explicit"
    export AG_DEPLOY_STATE="${AG_DEPLOY_STATE:-$DEPLOY_DIR/.state}"
    export AG_STACK_NAME="${AG_STACK_NAME:-autograder}"
    export AG_SECRETS_PREFIX="${AG_SECRETS_PREFIX:-$AG_STACK_NAME}"
    export AG_BUILD_CACHE="${AG_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/autograder-deploy}"
    export AG_DEBIAN_MIRROR="${AG_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
    mkdir -p "$AG_DEPLOY_STATE" "$AG_BUILD_CACHE"
}

ag_image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

ag_image_id() { docker image inspect -f '{{.Id}}' "$1"; }

# Hash of every file under a folder (names and contents), plus any extra words.
ag_hash_dir() {
    local dir="$1"
    shift
    {
        printf '%s\n' "$@"
        (cd "$dir" && find . -type f ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 \
            | sort -z | xargs -0 -r sha256sum)
    } | sha256sum | cut -c1-12
}

# The debootstrap base shared with scripts/build-sandbox-image.sh: the same recipe gives the
# same tag there and here, so each machine makes it once.
ag_debian_base() {
    local suite=bookworm mirror="$AG_DEBIAN_MIRROR"
    local hash
    hash="$(printf '%s\n' "debootstrap --variant=minbase --include=python3 $suite $mirror" \
        | sha256sum | cut -c1-12)"
    local ref="ag-debian-base:$hash"
    if ! ag_image_exists "$ref"; then
        command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"
        local rootfs
        rootfs="$(mktemp -d /tmp/ag-debootstrap.XXXXXX)"
        log "debootstrapping $suite into $rootfs"
        debootstrap --variant=minbase --include=python3 "$suite" "$rootfs" "$mirror" >&2
        rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
        tar -C "$rootfs" -c . | docker import - "$ref" >/dev/null
        rm -rf "$rootfs"
        log "imported $ref"
    fi
    echo "$ref"
}

# ag_build NAME CONTEXT DOCKERFILE BASE_ARG BASE_IMAGE: builds NAME:<content hash> unless it
# exists. The hash covers the context, the base image's id and the Debian mirror.
ag_build() {
    local name="$1" context="$2" dockerfile="$3" base_arg="$4" base="$5"
    local hash ref
    hash="$(ag_hash_dir "$context" "$(ag_image_id "$base")" "$AG_DEBIAN_MIRROR" "$dockerfile")"
    ref="$name:$hash"
    if ag_image_exists "$ref"; then
        log "$ref is up to date"
    else
        log "building $ref (from $base)"
        DOCKER_BUILDKIT=0 docker build --force-rm \
            -f "$context/$dockerfile" \
            --build-arg "$base_arg=$base" \
            --build-arg "DEBIAN_MIRROR=$AG_DEBIAN_MIRROR" \
            --label "org.autograder.content-hash=$hash" \
            -t "$ref" "$context" >"$AG_BUILD_CACHE/build-${name//\//_}.log" 2>&1 \
            || { tail -40 "$AG_BUILD_CACHE/build-${name//\//_}.log" >&2; die "building $ref failed"; }
    fi
    echo "$ref"
}

# Writes NAME=value lines to a file in the state folder, replacing earlier values.
ag_record() {
    local file="$AG_DEPLOY_STATE/$1"
    shift
    touch "$file"
    local pair name
    for pair in "$@"; do
        name="${pair%%=*}"
        grep -v "^$name=" "$file" > "$file.tmp" || true
        echo "$pair" >> "$file.tmp"
        mv "$file.tmp" "$file"
    done
}

ag_require_swarm_manager() {
    [ "$(docker info -f '{{.Swarm.ControlAvailable}}' 2>/dev/null)" = true ] \
        || die "run this on a swarm manager (deploy/swarm-init makes this node one)"
}

# The id of a running container of a stack service on this node (for docker exec).
ag_service_container() {
    docker ps -q --filter "label=com.docker.swarm.service.name=${AG_STACK_NAME}_$1" \
        --filter status=running | head -1
}

# ag_resolve_image VAR DEFAULT STANDIN: the image VAR names (or DEFAULT) when this machine has
# it or can pull it; else the Debian stand-in from deploy/standins/STANDIN ("debian": the
# plain debootstrap base). Names of earlier stand-ins are rebuilt from their recipe.
ag_resolve_image() {
    local var="$1" default="$2" standin="$3"
    local want="${!var:-$default}"
    case "$want" in
        *ag-standin-* | *ag-debian-base:*) ;;
        *)
            if ag_image_exists "$want"; then echo "$want"; return; fi
            if [ "${AG_OFFLINE:-0}" != 1 ] && docker pull -q "$want" >/dev/null 2>&1; then
                echo "$want"
                return
            fi
            log "$want is not here and cannot be pulled: using a Debian stand-in"
            ;;
    esac
    local base
    base="$(ag_debian_base)"
    if [ "$standin" = debian ]; then
        echo "$base"
    else
        ag_build "ag-standin-$standin" "$DEPLOY_DIR/standins/$standin" Dockerfile BASE_IMAGE "$base"
    fi
}

# Resolves every base and third-party image of the stack (building stand-ins in parallel)
# and records them in images.env.
ag_resolve_bases() {
    ag_debian_base >/dev/null
    local tmp specs spec var default standin failed=0
    tmp="$(mktemp -d)"
    specs=(
        "AG_PYTHON_BASE_IMAGE debian:bookworm-slim debian"
        "AG_NGINX_BASE_IMAGE nginx:1.27-bookworm nginx"
        "AG_POSTGRES_IMAGE postgres:15-bookworm postgres"
        "AG_REDIS_IMAGE redis:7-bookworm redis"
        "AG_RABBITMQ_IMAGE rabbitmq:3.13 rabbitmq"
        "AG_REGISTRY_IMAGE registry:2 registry"
    )
    for spec in "${specs[@]}"; do
        read -r var default standin <<<"$spec"
        (ag_resolve_image "$var" "$default" "$standin" >"$tmp/$var") &
    done
    wait || true
    for spec in "${specs[@]}"; do
        read -r var default standin <<<"$spec"
        if [ -s "$tmp/$var" ]; then
            export "$var=$(cat "$tmp/$var")"
            ag_record images.env "$var=${!var}"
        else
            failed=1
        fi
    done
    rm -rf "$tmp"
    [ "$failed" = 0 ] || die "some base images could not be made (see above)"
}

# Every node label the stack places services by. The pinned ones carry one replica with a
# local volume: put each on exactly one node.
# shellcheck disable=SC2034  # used by the scripts that source this file
AG_NODE_LABELS=(webserver django_app database cache rabbitmq_broker registry small_tasks
    grader tiny_grader fast_grader tiny_fast_grader deferred_grader tiny_deferred_grader
    rerun_grader tiny_rerun_grader image_builder tiny_image_builder)
# shellcheck disable=SC2034
AG_PINNED_LABELS=(database cache rabbitmq_broker registry)

ag_secret_names() {
    local s
    for s in django_secret_key db_password broker_password tls_cert tls_key; do
        echo "${AG_SECRETS_PREFIX}_$s"
    done
}

# Waits until every service of the stack runs all its tasks, healthy, and the init service
# has completed (twice in a row, 5 s apart, so that a crash loop can't pass); prints progress
# every 30 s and returns non-zero after $2 seconds. Containers on this node must also report
# "healthy" (other nodes' containers are not visible from here).
ag_wait_healthy() {
    local stack="$1" timeout="$2" start now name replicas pending last=0 good=0
    start="$(date +%s)"
    while true; do
        pending=()
        while read -r name replicas; do
            if [ "$name" = "${stack}_init" ]; then
                docker service ps "$name" --format '{{.CurrentState}}' | grep -q '^Complete' \
                    || pending+=("$name(migrating)")
                continue
            fi
            local running="${replicas%%/*}" desired="${replicas#*/}" local_tasks healthy
            desired="${desired%% *}"
            local_tasks="$(docker ps -q --filter "label=com.docker.swarm.service.name=$name" | wc -l)"
            healthy="$(docker ps -q --filter "label=com.docker.swarm.service.name=$name" \
                --filter health=healthy | wc -l)"
            if [ "$running" != "$desired" ] || [ "$healthy" -lt "$local_tasks" ]; then
                pending+=("$name($replicas)")
            fi
        done < <(docker stack services "$stack" --format '{{.Name}} {{.Replicas}}')
        if [ "${#pending[@]}" -eq 0 ]; then
            good=$((good + 1))
            [ "$good" -ge 2 ] && return 0
        else
            good=0
        fi
        now="$(date +%s)"
        if [ "${#pending[@]}" -gt 0 ] && [ $((now - last)) -ge 30 ]; then
            log "after $((now - start))s, waiting for: ${pending[*]}"
            last="$now"
        fi
        if [ $((now - start)) -ge "$timeout" ]; then
            log "services not ready after ${timeout}s; their tasks:"
            docker stack ps "$stack" --no-trunc \
                --format '{{.Name}} {{.CurrentState}} {{.Error}}' | head -60 >&2 || true
            return 1
        fi
        sleep 5
    done
}

# Exports what docker-compose.yml reads and runs docker stack deploy.
ag_stack_deploy() {
    local resolve="${AG_RESOLVE_IMAGE:-}"
    [ -n "$resolve" ] || { [ -n "${AG_REGISTRY:-}" ] && resolve=always || resolve=never; }
    local secret
    for secret in $(ag_secret_names); do
        docker secret inspect "$secret" >/dev/null 2>&1 \
            || die "docker secret $secret is missing (run deploy/create-secrets)"
    done
    if [ "${AG_MEDIA_VOLUME_TYPE:-none}" = none ]; then
        mkdir -p "${AG_MEDIA_VOLUME_DEVICE:-/srv/autograder/media}"
    fi
    log "deploying stack $AG_STACK_NAME"
    (cd "$REPO_DIR" && docker stack deploy --detach=true --resolve-image "$resolve" --prune \
        -c docker-compose.yml "$AG_STACK_NAME") >&2
}

# Hostnames of the nodes that carry a label.
ag_nodes_with_label() {
    local node
    for node in $(docker node ls -q); do
        docker node inspect -f "{{if index .Spec.Labels \"$1\"}}{{.Description.Hostname}}{{end}}" "$node"
    done | grep . || true
}
