"""Seeds a project for tests/e2e/runner.test.mjs: "Runner demo" in the course named by
RUNNER_COURSE, expecting work.py, with one suite whose command runs it and checks it greets
the GREETING variable (a runner API `param`) for 2 points. Run with
`manage.py shell < seed_runner.py`; prints the project's id as JSON."""

import json
import os
from datetime import timedelta

from django.utils import timezone

from autograder.courses.models import Course
from autograder.projects.models import ExpectedStudentFile, Project
from tests.grading.pipeline_helpers import command, suite

course = Course.objects.get(pk=int(os.environ["RUNNER_COURSE"]))
project = Project.objects.create(
    course=course,
    name="Runner demo",
    visible_to_students=True,
    closing_time=timezone.now() + timedelta(days=7),
)
ExpectedStudentFile.objects.create(project=project, pattern="work.py")
command(
    suite(project, name="Greeting"),
    "python3 work.py",
    case="greets",
    name="greets",
    expected_stdout_source="text",
    expected_stdout_text="hello bonjour\n",
    points_for_correct_stdout=2,
)
print(json.dumps({"project": project.pk}))
