"""Seeds tests/e2e/autograder_imports.test.mjs: a project "Gradescope demo" in the course named
by IMPORTS_COURSE (students submit calc.py; alice in a group of her own) and, in the directory
IMPORTS_DIR, the zips staff upload: a Gradescope Python unittest autograder, one zipped as a
folder (run_autograder not at the root), a version 2 of the Gradescope one (test_mul weighs 5)
and a PrairieLearn C grader's tests. With IMPORTS_SUBMIT_PROJECT set instead, alice submits
a calc.py whose mul is wrong (queued for the real worker). Run with `manage.py shell <`; prints
ids as JSON."""

import json
import os
from datetime import timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from autograder.accounts.models import User
from autograder.courses.models import Course
from autograder.groups.models import Group, GroupMembership
from autograder.projects.models import ExpectedStudentFile, Project
from autograder.submissions.services import submission_create
from tests.grading import autograder_zips as z

alice = User.objects.get(username="alice@e2e.test")
if "IMPORTS_SUBMIT_PROJECT" in os.environ:
    project = Project.objects.get(pk=int(os.environ["IMPORTS_SUBMIT_PROJECT"]))
    group = Group.objects.get(project=project, members=alice)
    upload = SimpleUploadedFile("calc.py", z.CALC)
    submission = submission_create(group=group, submitter=alice, files=[upload])
    print(json.dumps({"submission": submission.pk}))
else:
    course = Course.objects.get(pk=int(os.environ["IMPORTS_COURSE"]))
    project = Project.objects.create(
        course=course,
        name="Gradescope demo",
        visible_to_students=True,
        closing_time=timezone.now() + timedelta(days=7),
    )
    ExpectedStudentFile.objects.create(project=project, pattern="calc.py")
    group = Group.objects.create(project=project)
    group.members.add(alice)
    GroupMembership.objects.create(group=group, user=alice, project=project)
    out = Path(os.environ["IMPORTS_DIR"])
    (out / "calc-autograder.zip").write_bytes(z.gradescope_python_zip())
    (out / "folder-zipped.zip").write_bytes(
        z.make_zip({"hw1/run_autograder": z.GS_RUN_AUTOGRADER, "hw1/setup.sh": z.GS_SETUP})
    )
    (out / "pl-tests.zip").write_bytes(z.prairielearn_c_zip())
    # Version 2 of the Gradescope autograder: staff decided test_mul weighs 5.
    (out / "calc-autograder-v2.zip").write_bytes(
        z.make_zip(
            {
                "setup.sh": z.GS_SETUP,
                "run_autograder": z.GS_RUN_AUTOGRADER,
                "run_tests.py": z.GS_RUN_TESTS,
                "test_calc.py": z.GS_TESTS.replace(b"@weight(3)", b"@weight(5)"),
            }
        )
    )
    print(json.dumps({"project": project.pk}))
