from django.apps import AppConfig


class MonitorConfig(AppConfig):
    name = "autograder.monitor"
    label = "monitor"

    def ready(self) -> None:
        # Celery signal handlers (heartbeats) and optional error reporting; both are no-ops
        # outside a worker or without a DSN.
        from autograder.monitor import heartbeat, sentry

        heartbeat.connect_signals()
        sentry.init_from_settings()
