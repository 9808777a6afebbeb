from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "autograder.groups"
    label = "groups"
