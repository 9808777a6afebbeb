#!/bin/sh
# As the official image: render /etc/nginx/templates/*.template into /etc/nginx/conf.d/,
# substituting only variables that are set in the environment (so nginx's own $host etc.
# stay), then start nginx.
set -eu
if [ "${1:-}" = nginx ]; then
    # shellcheck disable=SC2016,SC2046
    defined="$(printf '${%s} ' $(env | cut -d= -f1))"
    for template in /etc/nginx/templates/*.template; do
        [ -f "$template" ] || continue
        out="/etc/nginx/conf.d/$(basename "$template" .template)"
        envsubst "$defined" < "$template" > "$out"
    done
fi
exec "$@"
