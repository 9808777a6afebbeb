"""Run by tests/test_quickstart_sqlite.py in a process of its own, on the quickstart's SQLite
database after `migrate` and `seed_demo`: grades a submission of the demo project with stored
results (as a worker would leave them), then asks every GET endpoint of the API schema as each
demo role and prints one JSON line per request (`{"role", "path", "status"}`).

Every other test runs on PostgreSQL; this walk is what finds a query SQLite refuses."""

from __future__ import annotations

import json
import os
import re
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autograder.settings")
django.setup()

from django.test import Client  # noqa: E402
from drf_spectacular.generators import SchemaGenerator  # noqa: E402

from autograder.accounts.models import User  # noqa: E402
from autograder.courses.models import Course  # noqa: E402
from autograder.grading.config.models import AGTestCommand, AGTestSuite  # noqa: E402
from autograder.projects.models import Project  # noqa: E402
from tests import factories  # noqa: E402
from tests.grading import factories as grading  # noqa: E402

ROLES = ["admin@demo.test", "staff@demo.test", "student1@demo.test", "grader@demo.test"]
# Streams never end by themselves; they have tests of their own.
SKIPPED = re.compile(r"/events/$|/stream/$")


def demo_ids() -> dict[str, int]:
    course = Course.objects.get(name="Demo 101")
    project = Project.objects.filter(course=course).order_by("pk").first()
    assert project is not None, "seed_demo made no project"
    student = User.objects.get(username="student1@demo.test")
    group = factories.make_group(project, student)
    first = grading.make_submission(group)
    grading.grade(first)
    latest = grading.make_submission(group)
    commands = AGTestCommand.objects.filter(case__suite__project=project)
    grading.grade(latest, {command: 0 for command in commands})
    suite = AGTestSuite.objects.filter(project=project).order_by("pk").first()
    ids = {
        "course_id": course.pk,
        "project_id": project.pk,
        "group_id": group.pk,
        "submission_id": latest.pk,
    }
    if suite is not None:
        ids["suite_id"] = suite.pk
        case = suite.cases.order_by("pk").first()
        if case is not None:
            ids["case_id"] = case.pk
    return ids


def main() -> int:
    ids = demo_ids()
    generator = SchemaGenerator()  # type: ignore[no-untyped-call]
    schema = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    paths = [path for path, item in schema["paths"].items() if "get" in item]
    for username in ROLES:
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        for template in sorted(paths):
            if SKIPPED.search(template):
                continue
            path = re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), template)
            response = client.get(path)
            line = {"role": username, "path": path, "status": response.status_code}
            print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
