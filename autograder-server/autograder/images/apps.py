from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "autograder.images"
    label = "images"
    verbose_name = "Sandbox images"
