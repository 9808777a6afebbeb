from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for the quickstart (`manage.py seed_demo`): the one app that may use every
    other, because it fills all of them."""

    name = "autograder.demo"
    label = "demo"
