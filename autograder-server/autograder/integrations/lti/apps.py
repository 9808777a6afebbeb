from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "autograder.integrations.lti"
    label = "lti"
    verbose_name = "LTI 1.3"
