from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "autograder.integrations.lti"
    label = "lti"
    verbose_name = "LTI 1.3"

    def ready(self) -> None:
        import autograder.integrations.lti.checks
        import autograder.integrations.lti.receivers  # noqa: F401  (connects the signal receivers)
