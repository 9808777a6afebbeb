from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "autograder.notifications"
    label = "notifications"

    def ready(self) -> None:
        import autograder.notifications.receivers  # noqa: F401  (connects the signal receivers)
