from django.apps import AppConfig


class EiplConfig(AppConfig):
    name = "autograder.eipl"
    label = "eipl"
    verbose_name = "Explain in plain English"
