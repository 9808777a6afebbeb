from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "autograder.common"
    label = "common"
