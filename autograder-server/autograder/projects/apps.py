from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "autograder.projects"
    label = "projects"
