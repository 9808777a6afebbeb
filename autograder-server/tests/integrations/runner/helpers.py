"""Machine keys and runner API calls for the runner tests."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from autograder.courses.models import Course
from autograder.integrations.runner import services
from autograder.integrations.runner.models import MachineKey
from autograder.projects.models import Project
from tests import factories


def make_key(
    course: Course, *projects: Project, feedback_category: str = "normal"
) -> tuple[MachineKey, str]:
    admin = factories.add_role(course, factories.make_user(), "admin")
    return services.machine_key_create(
        course=course,
        name="correctomatic",
        project_ids=[p.pk for p in projects],
        feedback_category=feedback_category,
        created_by=admin,
    )


def post_work(
    secret: str | None,
    *,
    assignment: Any,
    callback: str = "https://example.org/cb",
    params: list[str] | None = None,
    name: str = "main.py",
    content: bytes = b"print('hi')\n",
    **extra: Any,
) -> Any:
    client = APIClient()
    if secret is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    body: dict[str, Any] = {
        "file": SimpleUploadedFile(name, content),
        "work_id": "w-1",
        "assignment": assignment,
        "callback": callback,
        **extra,
    }
    if params is not None:
        body["param"] = params
    return client.post("/api/runner/grade/", body, format="multipart")
