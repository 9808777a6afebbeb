#!/bin/bash
# The official image's contract, in short: RABBITMQ_DEFAULT_USER/RABBITMQ_DEFAULT_PASS
# create the first user on an empty data folder; /etc/rabbitmq/conf.d/*.conf are read;
# logs go to the console; the server runs as the rabbitmq user.
set -euo pipefail

if [ "${1:-}" = rabbitmq-server ]; then
    conf=/var/lib/rabbitmq/rabbitmq.conf
    {
        echo "loopback_users = none"
        echo "listeners.tcp.default = 5672"
        echo "log.console = true"
        echo "log.console.level = info"
        echo "log.file = false"
        [ -z "${RABBITMQ_DEFAULT_USER:-}" ] || echo "default_user = $RABBITMQ_DEFAULT_USER"
        [ -z "${RABBITMQ_DEFAULT_PASS:-}" ] || echo "default_pass = $RABBITMQ_DEFAULT_PASS"
        [ -z "${RABBITMQ_DEFAULT_VHOST:-}" ] || echo "default_vhost = $RABBITMQ_DEFAULT_VHOST"
        for extra in /etc/rabbitmq/conf.d/*.conf; do
            [ -f "$extra" ] && cat "$extra" && echo
        done
    } > "$conf"
    chmod 0600 "$conf"
    export RABBITMQ_CONFIG_FILE="${conf%.conf}"
    if [ "$(id -u)" = 0 ]; then
        chown -R rabbitmq:rabbitmq /var/lib/rabbitmq /var/log/rabbitmq
        exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups \
            /usr/lib/rabbitmq/bin/rabbitmq-server
    fi
    exec /usr/lib/rabbitmq/bin/rabbitmq-server
fi
exec "$@"
