# shellcheck shell=bash
# Shared by the deploy/ scripts (sourced, not run).
#
# Settings come from, in order of precedence: the caller's environment, then
# $AG_DEPLOY_CONFIG (default deploy/config.env, a copy of config.env.example), then the
# image list that build-images wrote ($AG_DEPLOY_STATE/images.env, default deploy/.state/),
# then what ag_derive_settings works out from this machine (IPVS, cores, the swarm, the
# secrets that exist), then the defaults in docker-compose.yml. Every script loads them the
# same way, so deploy-stack, update, restore, scale-graders and recover-node deploy exactly
# what single-host deployed.

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
    # -g: inside this function a plain `declare` would make them local, and config.env's
    # values would win after all.
    eval "${explicit//declare -x /declare -gx }"
    export AG_DEPLOY_STATE="${AG_DEPLOY_STATE:-$DEPLOY_DIR/.state}"
    export AG_STACK_NAME="${AG_STACK_NAME:-autograder}"
    export AG_SECRETS_PREFIX="${AG_SECRETS_PREFIX:-$AG_STACK_NAME}"
    export AG_BUILD_CACHE="${AG_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/autograder-deploy}"
    export AG_DEBIAN_MIRROR="${AG_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
    mkdir -p "$AG_DEPLOY_STATE" "$AG_BUILD_CACHE"
    ag_derive_settings
}

ag_have_ipvs() {
    [ -e /proc/net/ip_vs ] || [ -d /proc/sys/net/ipv4/vs ] || grep -qw '^ip_vs' /proc/modules 2>/dev/null
}

# How many nodes the swarm has (0: no swarm; "?" when this node is not a manager).
ag_swarm_nodes() {
    local state
    state="$(docker info -f '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.Nodes}}' 2>/dev/null || echo "inactive false 0")"
    case "$state" in
        "active true "*) echo "${state##* }" ;;
        active*) echo "?" ;;
        *) echo 0 ;;
    esac
}

# The settings that follow from config.env and from this machine. Only what config.env (or
# the caller) left unset is filled in; ag_preflight reports where a set value cannot work.
ag_derive_settings() {
    export AG_VERSION
    AG_VERSION="$(cat "$REPO_DIR/VERSION" 2>/dev/null || echo 0.0.0)"
    # single: everything on this machine (images stay local, media is a host folder).
    # cluster: several nodes (a registry for the images, shared media over NFS).
    if [ -z "${AG_TOPOLOGY:-}" ]; then
        case "$(ag_swarm_nodes)" in
            0 | 1) AG_TOPOLOGY=single ;;
            *) AG_TOPOLOGY=cluster ;;
        esac
    fi
    export AG_TOPOLOGY
    # Swarm's virtual IPs and routing mesh need IPVS; DNS round robin and host-mode ports
    # work on any kernel.
    if ag_have_ipvs; then
        export AG_ENDPOINT_MODE="${AG_ENDPOINT_MODE:-vip}"
        export AG_REGISTRY_PUBLISH_MODE="${AG_REGISTRY_PUBLISH_MODE:-ingress}"
    else
        export AG_ENDPOINT_MODE="${AG_ENDPOINT_MODE:-dnsrr}"
        export AG_REGISTRY_PUBLISH_MODE="${AG_REGISTRY_PUBLISH_MODE:-host}"
    fi
    if [ "$AG_TOPOLOGY" = single ]; then
        local cores
        cores="$(nproc)"
        export AG_MEDIA_VOLUME_TYPE="${AG_MEDIA_VOLUME_TYPE:-none}"
        export AG_MEDIA_VOLUME_OPTIONS="${AG_MEDIA_VOLUME_OPTIONS:-bind}"
        export AG_MEDIA_VOLUME_DEVICE="${AG_MEDIA_VOLUME_DEVICE:-/srv/autograder/media}"
        export AG_GRADER_CONCURRENCY="${AG_GRADER_CONCURRENCY:-$((cores > 1 ? cores - 1 : 1))}"
        # The sandbox registry answers only on this machine.
        export AG_SANDBOX_REGISTRY_ADDR="${AG_SANDBOX_REGISTRY_ADDR:-127.0.0.1}"
        export AG_ADVERTISE_ADDR="${AG_ADVERTISE_ADDR:-$(ag_default_address)}"
    fi
    # Open files of the web and nginx containers (one per live status stream): 65536, or
    # what dockerd itself may open when that is less (a container can't get more).
    if [ -z "${AG_CONTAINER_NOFILE:-}" ]; then
        local dockerd_nofile
        dockerd_nofile="$(awk '/^Max open files/ {print $5}' "/proc/$(pidof dockerd 2>/dev/null | cut -d' ' -f1)/limits" 2>/dev/null || true)"
        AG_CONTAINER_NOFILE=65536
        if [[ "$dockerd_nofile" =~ ^[0-9]+$ ]] && [ "$dockerd_nofile" -lt 65536 ]; then
            AG_CONTAINER_NOFILE="$dockerd_nofile"
        fi
    fi
    export AG_CONTAINER_NOFILE
    export AG_APP_UID="${AG_APP_UID:-10001}"
    export AG_ACME_WEBROOT="${AG_ACME_WEBROOT:-/srv/autograder/acme}"
    export AG_TLS_MODE="${AG_TLS_MODE:-files}"
    export AG_BACKUP_DIR="${AG_BACKUP_DIR:-/var/backups/autograder}"
    export AG_BACKUP_KEEP="${AG_BACKUP_KEEP:-14}"
    ag_derive_secret_names
}

# This machine's address on its default route: what other nodes would reach it at.
ag_default_address() {
    ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -1
}

# The certificate has secrets of its own, one generation per certificate (renew-cert makes a
# new one), apart from the passwords and the Django key. The newest generation is used;
# sites from before generations keep <prefix>_tls_cert / <prefix>_tls_key.
ag_derive_secret_names() {
    local newest=""
    if [ "$(docker info -f '{{.Swarm.ControlAvailable}}' 2>/dev/null)" = true ]; then
        newest="$(docker secret ls --filter "label=org.autograder.tls-generation" \
            --filter "name=${AG_SECRETS_PREFIX}_tls_cert_" --format '{{.CreatedAt}}|{{.Name}}' \
            | sort | tail -1 | cut -d'|' -f2)"
    fi
    if [ -n "$newest" ]; then
        export AG_TLS_CERT_SECRET="$newest"
        export AG_TLS_KEY_SECRET="${newest/_tls_cert_/_tls_key_}"
    else
        export AG_TLS_CERT_SECRET="${AG_SECRETS_PREFIX}_tls_cert"
        export AG_TLS_KEY_SECRET="${AG_SECRETS_PREFIX}_tls_key"
    fi
}

# Runs deploy/preflight once per command (scripts that call each other check once).
ag_preflight() {
    [ "${AG_PREFLIGHT_DONE:-}" = 1 ] && return 0
    "$DEPLOY_DIR/preflight" "$@" || exit 1
    export AG_PREFLIGHT_DONE=1
}

# Drops the image names read from images.env, so that a script run after build-images
# reads the new ones (the caller's environment would otherwise win).
ag_forget_images() {
    local name
    [ -f "$AG_DEPLOY_STATE/images.env" ] || return 0
    for name in $(sed -n 's/^\(AG_[A-Z0-9_]*\)=.*/\1/p' "$AG_DEPLOY_STATE/images.env"); do
        unset "$name"
    done
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

# ag_build NAME CONTEXT DOCKERFILE BASE_ARG BASE_IMAGE [--build-arg K=V ...]: builds
# NAME:<content hash> unless it exists. The hash covers the context, the base image's id, the
# Debian mirror and the extra build arguments.
ag_build() {
    local name="$1" context="$2" dockerfile="$3" base_arg="$4" base="$5"
    shift 5
    local hash ref
    hash="$(ag_hash_dir "$context" "$(ag_image_id "$base")" "$AG_DEBIAN_MIRROR" "$dockerfile" "$@")"
    ref="$name:$hash"
    if ag_image_exists "$ref"; then
        log "$ref is up to date"
    else
        log "building $ref (from $base)"
        DOCKER_BUILDKIT=0 docker build --force-rm \
            -f "$context/$dockerfile" \
            --build-arg "$base_arg=$base" \
            --build-arg "DEBIAN_MIRROR=$AG_DEBIAN_MIRROR" "$@" \
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
    rerun_grader tiny_rerun_grader image_builder)
# shellcheck disable=SC2034
AG_PINNED_LABELS=(database cache rabbitmq_broker registry)

# The generated secrets (create-secrets makes them; nobody needs to know them): random
# tokens, and lti_private_key, the RSA key LMS platforms know us by (docs/lti.md).
# shellcheck disable=SC2034
AG_RANDOM_SECRETS=(django_secret_key db_password broker_password metrics_token lti_private_key)

ag_secret_names() {
    local s
    for s in "${AG_RANDOM_SECRETS[@]}"; do
        echo "${AG_SECRETS_PREFIX}_$s"
    done
    echo "$AG_TLS_CERT_SECRET"
    echo "$AG_TLS_KEY_SECRET"
}

# Waits until every service of the stack runs all its tasks, healthy, and the init service
# has completed (twice in a row, 5 s apart, so that a crash loop can't pass); prints progress
# every 30 s and returns non-zero after $2 seconds. Containers on this node must also report
# "healthy" (other nodes' containers are not visible from here). For a deploy, use
# ag_wait_converged, which also catches rollbacks.
ag_wait_healthy() {
    local stack="$1" timeout="$2" start now name pending last=0 good=0
    start="$(date +%s)"
    while true; do
        pending=()
        ag_snapshot "$stack"
        [ "${#ag_snap_replicas[@]}" -gt 0 ] || pending+=("$stack(no services yet)")
        for name in "${!ag_snap_replicas[@]}"; do
            if [ "$name" = "${stack}_init" ]; then
                [ "$(ag_init_state "$name")" = complete ] || pending+=("$name(migrating)")
                continue
            fi
            ag_service_converged "$name" || pending+=("$name($ag_pending_reason)")
        done
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

# Exports what docker-compose.yml reads and runs docker stack deploy. Remembers each
# service's last update (ag_update_marks) so that ag_wait_converged judges this deploy only.
ag_stack_deploy() {
    local resolve="${AG_RESOLVE_IMAGE:-}"
    [ -n "$resolve" ] || { [ -n "${AG_REGISTRY:-}" ] && resolve=always || resolve=never; }
    local secret missing=()
    for secret in $(ag_secret_names); do
        docker secret inspect "$secret" >/dev/null 2>&1 || missing+=("$secret")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        # A random secret added by a newer release (e.g. the metrics token) is made here;
        # a missing certificate is the sysadmin's to give.
        "$DEPLOY_DIR/create-secrets" --random-only >&2
        for secret in "${missing[@]}"; do
            docker secret inspect "$secret" >/dev/null 2>&1 \
                || die "docker secret $secret is missing (run deploy/create-secrets or deploy/renew-cert)"
        done
    fi
    if [ "${AG_MEDIA_VOLUME_TYPE:-none}" = none ]; then
        mkdir -p "${AG_MEDIA_VOLUME_DEVICE:-/srv/autograder/media}"
    fi
    mkdir -p "$AG_ACME_WEBROOT"
    ag_update_marks >"$AG_DEPLOY_STATE/update-marks"
    date -u +%Y-%m-%dT%H:%M:%S >"$AG_DEPLOY_STATE/deploy-started"
    log "deploying stack $AG_STACK_NAME (release $AG_VERSION, endpoint mode $AG_ENDPOINT_MODE, $AG_TOPOLOGY)"
    local files=(-c docker-compose.yml) auth=()
    if ag_registry_auth_enabled; then
        # Both registries ask for the password; the nodes that pull get this node's login.
        ag_registry_credentials
        files+=(-c deploy/sandbox-registry-auth.yml)
        [ -z "${AG_REGISTRY:-}" ] || ag_registry_login "$AG_REGISTRY"
        auth=(--with-registry-auth)
    fi
    # The language model's API key (EiPL questions), for the llm queue's workers only.
    [ -z "${AG_LLM_API_KEY_SECRET:-}" ] || files+=(-c deploy/llm-key.yml)
    # shellcheck disable=SC2046  # no flag or one word
    (cd "$REPO_DIR" && docker stack deploy $(ag_stack_detach_flag) --resolve-image "$resolve" --prune \
        "${auth[@]}" "${files[@]}" "$AG_STACK_NAME") >&2
}

# `docker stack deploy` waits for the services by default since Docker 26, unless told
# --detach=true; older clients (Debian bookworm's docker.io, 20.10) never wait and do not
# know the flag.
ag_stack_detach_flag() {
    if docker stack deploy --help 2>/dev/null | grep -q -- '--detach'; then echo --detach=true; fi
}

# "service started-at" of each service's last update, before a deploy.
ag_update_marks() {
    local name
    for name in $(docker stack services "$AG_STACK_NAME" --format '{{.Name}}' 2>/dev/null); do
        echo "$name $(docker service inspect -f '{{if .UpdateStatus}}{{if .UpdateStatus.StartedAt}}{{.UpdateStatus.StartedAt.Format "2006-01-02T15:04:05.000000000"}}{{end}}{{end}}' "$name" 2>/dev/null)"
    done
}

# What went wrong with a service, for the sysadmin: swarm's update message, the last task
# error, and the end of the log of its newest failed task.
ag_explain_service() {
    local name="$1" message task="" error=""
    message="$(docker service inspect -f '{{if .UpdateStatus}}{{.UpdateStatus.State}}: {{.UpdateStatus.Message}}{{end}}' "$name" 2>/dev/null)"
    [ -z "$message" ] || log "  $name: $message"
    read -r task error < <(docker service ps "$name" --no-trunc \
        --format '{{.ID}} {{.Error}}' 2>/dev/null | awk 'NF > 1' | head -1) || true
    if [ -z "$task" ]; then
        read -r task error < <(docker service ps "$name" --no-trunc \
            --format '{{.ID}} {{.CurrentState}}' 2>/dev/null | head -1) || true
    fi
    [ -z "$error" ] || log "  $name: last task error: $error"
    if [ -n "$task" ]; then
        log "  $name: end of that task's log (deploy/logs ${name#"${AG_STACK_NAME}_"} shows more):"
        docker service logs --raw --tail 15 "$task" 2>&1 | sed 's/^/      /' >&2 || true
    fi
}

# Waits until the deploy has converged: every service updated (not rolled back or paused),
# every task running the service's current image and healthy, init completed. Fails loudly,
# naming each failing service with its last error, when swarm rolled an update back, paused
# it, or init failed; and after $2 seconds.
ag_wait_converged() {
    local stack="$1" timeout="$2" start now last=0 good=0 name mark state started
    start="$(date +%s)"
    declare -A marks=()
    if [ -f "$AG_DEPLOY_STATE/update-marks" ]; then
        while read -r name mark; do marks[$name]="$mark"; done <"$AG_DEPLOY_STATE/update-marks"
    fi
    while true; do
        local pending=() failed=()
        ag_snapshot "$stack"
        [ "${#ag_snap_replicas[@]}" -gt 0 ] || pending+=("$stack(no services yet)")
        for name in "${!ag_snap_replicas[@]}"; do
            read -r state started <<<"${ag_snap_update[$name]:-none -}"
            if [ "$started" != "${marks[$name]:-}" ] || [ "$state" = updating ]; then
                case "$state" in
                    paused)
                        # init's new task finished inside swarm's monitor window: swarm calls
                        # that early termination (stacks deployed before init's update_config
                        # said continue); its tasks say whether it worked.
                        if [ "$name" != "${stack}_init" ] || [ "$(ag_init_state "$name" fresh)" != complete ]; then
                            failed+=("$name")
                            continue
                        fi
                        ;;
                    rollback_started | rollback_paused | rollback_completed)
                        failed+=("$name")
                        continue
                        ;;
                    updating)
                        pending+=("$name(updating)")
                        continue
                        ;;
                esac
            fi
            if [ "$name" = "${stack}_init" ]; then
                case "$(ag_init_state "$name")" in
                    complete) ;;
                    failed) failed+=("$name") ;;
                    *) pending+=("$name(migrating)") ;;
                esac
                continue
            fi
            ag_service_converged "$name" || pending+=("$name($ag_pending_reason)")
        done
        if [ "${#failed[@]}" -gt 0 ]; then
            log "the deploy FAILED; swarm rolled back or stopped: ${failed[*]#"${stack}_"}"
            for name in "${failed[@]}"; do ag_explain_service "$name"; done
            return 1
        fi
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
            log "the deploy FAILED: services not ready after ${timeout}s: ${pending[*]}"
            for name in "${pending[@]}"; do ag_explain_service "${name%%(*}"; done
            return 1
        fi
        sleep 4
    done
}

# The one-shot init service: "complete" when its newest task completed (with "fresh": a task
# started since the deploy began), "failed" when it failed as often as its restart policy
# allows (3) since the deploy began, else "running".
ag_init_state() {
    local ids since newest failures
    ids="$(docker service ps -q --no-trunc "$1" 2>/dev/null)"
    [ -n "$ids" ] || { echo running; return; }
    since="$(cat "$AG_DEPLOY_STATE/deploy-started" 2>/dev/null || echo 0)"
    # shellcheck disable=SC2086
    newest="$(docker inspect -f '{{.CreatedAt.Format "2006-01-02T15:04:05"}} {{.Status.State}}' $ids 2>/dev/null | sort | tail -1)"
    if [ "${newest##* }" = complete ] && { [ "${2:-}" != fresh ] || [ "${newest%% *}" \> "$since" ]; }; then
        echo complete
        return
    fi
    # shellcheck disable=SC2086
    failures="$(docker inspect -f '{{.CreatedAt.Format "2006-01-02T15:04:05"}} {{.Status.State}}' $ids 2>/dev/null \
        | awk -v since="$since" '$1 >= since && ($2 == "failed" || $2 == "rejected")' | wc -l)"
    if [ "$failures" -ge 3 ]; then echo failed; else echo running; fi
}

# One look at the stack, with five docker calls whatever its size (a loop that asks per
# service would load a small machine): per service its replicas, its last update, its image,
# the images of the tasks it wants running, and the health of its containers on this node.
ag_snapshot() {
    local stack="$1" name value image rest
    declare -gA ag_snap_replicas=() ag_snap_update=() ag_snap_image=() ag_snap_task_images=() ag_snap_unhealthy=()
    while read -r name value; do
        [ -n "$name" ] && ag_snap_replicas[$name]="$value"
    done < <(docker stack services "$stack" --format '{{.Name}} {{.Replicas}}' 2>/dev/null)
    [ "${#ag_snap_replicas[@]}" -gt 0 ] || return 0
    # shellcheck disable=SC2046
    while read -r name value rest image; do
        ag_snap_update[$name]="$value $rest"
        ag_snap_image[$name]="$image"
    done < <(docker service inspect -f '{{.Spec.Name}} {{if .UpdateStatus}}{{.UpdateStatus.State}} {{if .UpdateStatus.StartedAt}}{{.UpdateStatus.StartedAt.Format "2006-01-02T15:04:05.000000000"}}{{else}}-{{end}}{{else}}none -{{end}} {{.Spec.TaskTemplate.ContainerSpec.Image}}' \
        $(docker stack services -q "$stack") 2>/dev/null)
    while read -r name image; do
        name="${name%.*}"
        case " ${ag_snap_task_images[$name]:-} " in *" $image "*) ;; *) ag_snap_task_images[$name]+="$image " ;; esac
    done < <(docker stack ps "$stack" --filter desired-state=running --no-trunc --format '{{.Name}} {{.Image}}' 2>/dev/null)
    while read -r name rest; do
        case "$rest" in
            *"(health: starting)"* | *"(unhealthy)"*) ag_snap_unhealthy[$name]=1 ;;
        esac
    done < <(docker ps --filter "label=com.docker.stack.namespace=$stack" \
        --format '{{.Label "com.docker.swarm.service.name"}} {{.Status}}' 2>/dev/null)
}

# Whether a (long-running) service runs all its tasks, on its current image, healthy as far
# as this node can see (from the last ag_snapshot). Sets ag_pending_reason when not.
ag_service_converged() {
    local name="$1" replicas running desired
    replicas="${ag_snap_replicas[$name]:-0/1}"
    running="${replicas%%/*}" desired="${replicas#*/}"
    desired="${desired%% *}"
    if [ "$running" != "$desired" ]; then
        ag_pending_reason="$replicas"
        return 1
    fi
    if [ -n "${ag_snap_task_images[$name]:-}" ] && [ "${ag_snap_task_images[$name]}" != "${ag_snap_image[$name]:-} " ]; then
        ag_pending_reason="old image"
        return 1
    fi
    if [ -n "${ag_snap_unhealthy[$name]:-}" ]; then
        ag_pending_reason="starting"
        return 1
    fi
    return 0
}

# --- registry credentials ---------------------------------------------------------------
# On several nodes both registries (the stack's images at AG_REGISTRY, the sandbox images at
# AG_SANDBOX_REGISTRY_ADDR) listen on a cluster address, so they serve TLS and ask for a
# password (htpasswd, user "ag"). On one machine they answer on 127.0.0.1 only and need
# neither. AG_REGISTRY_AUTH=true|false overrides what the topology implies.
ag_registry_auth_enabled() {
    case "${AG_REGISTRY_AUTH:-}" in
        true) return 0 ;;
        false) return 1 ;;
    esac
    [ "$AG_TOPOLOGY" = cluster ]
}

# Makes (once) the registry password, its htpasswd file and a certificate authority with a
# certificate for every registry address, in $AG_DEPLOY_STATE/registry (0700, files 0600),
# and the docker secrets the registries read them from. Secret names carry a hash of their
# content (a secret cannot change while a service uses it). Exports AG_REGISTRY_*_SECRET.
ag_registry_credentials() {
    local dir="$AG_DEPLOY_STATE/registry" addresses="" addr san="" name
    for addr in "${AG_REGISTRY:-}" "${AG_SANDBOX_REGISTRY_ADDR:-}"; do
        addr="${addr%:*}"
        [ -n "$addr" ] || continue
        case " $addresses " in *" $addr "*) continue ;; esac
        addresses+="${addresses:+ }$addr"
        if [[ "$addr" =~ ^[0-9.]+$ ]]; then san+="${san:+,}IP:$addr"; else san+="${san:+,}DNS:$addr"; fi
    done
    [ -n "$san" ] || die "registry authentication needs AG_REGISTRY or AG_SANDBOX_REGISTRY_ADDR"
    (
        umask 077
        mkdir -p "$dir"
        if [ ! -s "$dir/password" ]; then
            openssl rand -hex 24 | tr -d '\n' >"$dir/password"
        fi
        if [ ! -s "$dir/htpasswd" ]; then
            command -v htpasswd >/dev/null || {
                apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq apache2-utils >&2
            } || die "htpasswd is missing (Debian: apt-get install apache2-utils)"
            htpasswd -niB ag <"$dir/password" >"$dir/htpasswd" 2>/dev/null
        fi
        if [ ! -s "$dir/ca.crt" ]; then
            openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -subj "/CN=$AG_STACK_NAME registry CA" \
                -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
        fi
        if [ ! -s "$dir/registry.crt" ] || [ "$(cat "$dir/registry.san" 2>/dev/null)" != "$san" ]; then
            openssl req -newkey rsa:3072 -nodes -subj "/CN=${addresses%% *}" \
                -keyout "$dir/registry.key" -out "$dir/registry.csr" 2>/dev/null
            printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" >"$dir/registry.ext"
            openssl x509 -req -in "$dir/registry.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
                -CAcreateserial -days 825 -extfile "$dir/registry.ext" -out "$dir/registry.crt" 2>/dev/null
            echo "$san" >"$dir/registry.san"
            rm -f "$dir/registry.csr" "$dir/registry.ext"
        fi
    ) || die "could not make the registry credentials in $dir"
    for name in htpasswd:htpasswd tls_cert:registry.crt tls_key:registry.key password:password; do
        local kind="${name%%:*}" file="$dir/${name#*:}" secret
        secret="${AG_SECRETS_PREFIX}_registry_${kind}_$(sha256sum "$file" | cut -c1-10)"
        if ! docker secret inspect "$secret" >/dev/null 2>&1; then
            docker secret create --label "org.autograder.stack=$AG_STACK_NAME" "$secret" "$file" >/dev/null
            log "created $secret"
        fi
        case "$kind" in
            htpasswd) export AG_REGISTRY_HTPASSWD_SECRET="$secret" ;;
            tls_cert) export AG_REGISTRY_TLS_CERT_SECRET="$secret" ;;
            tls_key) export AG_REGISTRY_TLS_KEY_SECRET="$secret" ;;
            password) export AG_REGISTRY_PASSWORD_SECRET="$secret" ;;
        esac
    done
    # This node's Docker trusts the registries through the CA (other nodes: prepare-node).
    for addr in "${AG_REGISTRY:-}" "${AG_SANDBOX_REGISTRY_ADDR:+$AG_SANDBOX_REGISTRY_ADDR:${AG_SANDBOX_REGISTRY_PORT:-5001}}"; do
        [ -n "$addr" ] || continue
        mkdir -p "/etc/docker/certs.d/$addr"
        install -m 0644 "$dir/ca.crt" "/etc/docker/certs.d/$addr/ca.crt"
    done
}

# Logs this node's Docker in to a registry (ADDRESS) with the stack's registry password;
# `docker stack deploy --with-registry-auth` then hands the login to the nodes that pull.
ag_registry_login() {
    docker login "$1" --username ag --password-stdin <"$AG_DEPLOY_STATE/registry/password" >/dev/null 2>&1 \
        || die "docker login $1 failed (is the registry up? deploy/start-registry)"
}

# Containers of the stack on this node that swarm considers finished (their task shut down,
# failed or forgotten) but that still run: stopped, and named. A task that is shutting down
# (a worker finishing its grading) is left alone.
ag_stop_orphans() {
    local stack="$1" id task name
    declare -A states=()
    while read -r task state; do states[$task]="$state"; done < <(docker stack ps "$stack" \
        --no-trunc --format '{{.ID}} {{.CurrentState}}' 2>/dev/null)
    while read -r id task name; do
        [ -n "$id" ] || continue
        case "${states[$task]:-gone}" in
            Running* | Starting* | Preparing* | Assigned* | Accepted* | Ready* | New* | Pending*) continue ;;
        esac
        log "stopping $name: swarm counts its task as ${states[$task]:-gone}, but the container still ran"
        docker stop -t 30 "$id" >/dev/null 2>&1 || true
    done < <(docker ps --filter "label=com.docker.stack.namespace=$stack" \
        --format '{{.ID}} {{.Label "com.docker.swarm.task.id"}} {{.Names}}')
}

# Sets AG_MEDIA_MOUNT to the `docker run` arguments that mount the site's media folder at
# /media in a one-off container, on any node: the host folder, or a volume with the same
# driver options as the stack's (an NFS export). ag_media_unmount removes that volume.
ag_media_mount() {
    local mode="${1:-ro}"
    if [ "${AG_MEDIA_VOLUME_TYPE:-none}" = none ]; then
        AG_MEDIA_MOUNT=(-v "${AG_MEDIA_VOLUME_DEVICE}:/media:$mode")
    else
        docker volume create --driver local --opt "type=$AG_MEDIA_VOLUME_TYPE" \
            --opt "o=$AG_MEDIA_VOLUME_OPTIONS" --opt "device=$AG_MEDIA_VOLUME_DEVICE" \
            "${AG_STACK_NAME}-media-access" >/dev/null
        # shellcheck disable=SC2034  # read by the scripts that call this
        AG_MEDIA_MOUNT=(-v "${AG_STACK_NAME}-media-access:/media:$mode")
    fi
}

ag_media_unmount() {
    docker volume rm "${AG_STACK_NAME}-media-access" >/dev/null 2>&1 || true
}

# Exact row counts of every table of the site's database, "table<TAB>count" sorted; $1 is a
# container with psql that reaches the database (connection options in $2...).
# Rows per table of the public schema ("name<TAB>count" lines), in one statement: run in a
# transaction, the counts are those of its snapshot.
AG_TABLE_COUNTS_SQL="SELECT table_name::text,
       (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM public.%I', table_name), false, true, '')))[1]::text
  FROM information_schema.tables
 WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
 ORDER BY 1"

ag_table_counts() {
    local container="$1"
    shift
    docker exec "$container" psql "$@" -At -F $'\t' -c "$AG_TABLE_COUNTS_SQL"
}

# The database's dump (pg_dump custom format) on stdout and its rows per table (as
# ag_table_counts) in the file $2, both read in one REPEATABLE READ snapshot: the counts are
# those of the dump even while the site writes (counted apart, a busy site's counts and dump
# differ, and a restore's check of one against the other fails).
ag_dump_with_counts() {
    local container="$1" counts_file="$2" in_container=/tmp/ag-backup-counts.tsv
    shift 2
    docker exec -i "$container" psql "$@" -v ON_ERROR_STOP=1 -q -At -F $'\t' <<SQL
BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;
SELECT pg_export_snapshot() AS snapshot \gset
\setenv AG_SNAPSHOT :snapshot
\! pg_dump $* -Fc --snapshot="\$AG_SNAPSHOT" || kill -TERM \$PPID
\o $in_container
$AG_TABLE_COUNTS_SQL;
\o
COMMIT;
SQL
    docker exec "$container" cat "$in_container" >"$counts_file"
    docker exec "$container" rm -f "$in_container"
}

# Hostnames of the nodes that carry a label.
ag_nodes_with_label() {
    local node
    for node in $(docker node ls -q); do
        docker node inspect -f "{{if index .Spec.Labels \"$1\"}}{{.Description.Hostname}}{{end}}" "$node"
    done | grep . || true
}
