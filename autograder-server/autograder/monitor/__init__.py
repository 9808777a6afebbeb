"""Operations: which release may grade, what the workers and queues are doing, metrics.

`release` fences off workers of another release, `heartbeat` records what each worker can
do (and feeds its container healthcheck), `metrics` serves `/api/metrics/` to Prometheus,
`sentry` turns on error reporting when a DSN is configured.
"""
