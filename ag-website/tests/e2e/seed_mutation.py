"""Seeds a project for tests/e2e/mutation.test.mjs: "Mutation demo" in the course named by
MUTATION_COURSE, with the expected file test_stats.py, the instructor files of a small Python
library (stats.py, its three buggy implementations bug_mean.py, bug_max.py and bug_count.py,
run_test.py and list_tests.py, as in tests/grading/mutation/project.py) and alice in a group of
her own; it closes in a week. Staff configure the mutation suite in the browser. Run with
`manage.py shell < seed_mutation.py`; prints the project id as JSON."""

import json
import os
from datetime import timedelta

from django.utils import timezone

from autograder.accounts.models import User
from autograder.courses.models import Course
from autograder.groups.models import Group, GroupMembership
from autograder.projects.models import ExpectedStudentFile, Project
from tests.grading.mutation.project import BUGS, CORRECT, HARNESS, LISTER
from tests.grading.pipeline_helpers import instructor_file

course = Course.objects.get(pk=int(os.environ["MUTATION_COURSE"]))
# Closes in a week: students get normal feedback (a project without a deadline is past it).
project = Project.objects.create(
    course=course,
    name="Mutation demo",
    visible_to_students=True,
    closing_time=timezone.now() + timedelta(days=7),
)
ExpectedStudentFile.objects.create(project=project, pattern="test_stats.py")
files = {"stats.py": CORRECT, "run_test.py": HARNESS, "list_tests.py": LISTER}
files.update({f"{name}.py": content for name, content in BUGS.items()})
for name, content in files.items():
    instructor_file(project, name, content)
alice = User.objects.get(username="alice@e2e.test")
group = Group.objects.create(project=project)
group.members.add(alice)
GroupMembership.objects.create(group=group, user=alice, project=project)
print(json.dumps({"project": project.pk}))
