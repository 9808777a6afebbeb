from django.apps import AppConfig


class CallbacksConfig(AppConfig):
    name = "autograder.integrations.callbacks"
    label = "callbacks"
    verbose_name = "Webhooks and the runner API"

    def ready(self) -> None:
        import autograder.integrations.callbacks.receivers  # noqa: F401  (connects the signal receivers)
