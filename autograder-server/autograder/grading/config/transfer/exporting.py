"""A project's whole configuration as YAML, or as a zip with its instructor files."""

from autograder.grading.config import selectors
from autograder.grading.config.transfer import document, yaml_io
from autograder.projects.models import Project


def project_config_yaml(*, project: Project) -> str:
    return yaml_io.dump(document.build(project, selectors.project_test_config(project=project)))


def project_config_zip(*, project: Project) -> bytes:
    files: dict[str, bytes] = {}
    for instructor_file in project.instructor_files.all():
        with instructor_file.file_obj.open("rb") as stored:
            files[instructor_file.name] = stored.read()
    return yaml_io.zip_bytes(project_config_yaml(project=project), files)
