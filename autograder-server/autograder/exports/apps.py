from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "autograder.exports"
    label = "exports"
    verbose_name = "Bulk downloads"
