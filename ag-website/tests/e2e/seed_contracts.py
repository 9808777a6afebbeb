"""Seeds a project for tests/e2e/contracts.test.mjs: "Webhooks demo" in the course named by
CONTRACTS_COURSE, with one suite (one command worth a point) and alice in a group of her own.
With CONTRACTS_SUBMIT_PROJECT set instead, alice submits hello.txt to that project (queued for
the real worker). Run with `manage.py shell < seed_contracts.py`; prints ids as JSON."""

import json
import os
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from autograder.accounts.models import User
from autograder.courses.models import Course
from autograder.groups.models import Group, GroupMembership
from autograder.projects.models import ExpectedStudentFile, Project
from autograder.submissions.services import submission_create
from tests.grading.pipeline_helpers import command, suite

alice = User.objects.get(username="alice@e2e.test")
if "CONTRACTS_SUBMIT_PROJECT" in os.environ:
    project = Project.objects.get(pk=int(os.environ["CONTRACTS_SUBMIT_PROJECT"]))
    group = Group.objects.get(project=project, members=alice)
    upload = SimpleUploadedFile("hello.txt", b"hello\n")
    submission = submission_create(group=group, submitter=alice, files=[upload])
    print(json.dumps({"submission": submission.pk}))
else:
    course = Course.objects.get(pk=int(os.environ["CONTRACTS_COURSE"]))
    project = Project.objects.create(
        course=course,
        name="Webhooks demo",
        visible_to_students=True,
        closing_time=timezone.now() + timedelta(days=7),
    )
    ExpectedStudentFile.objects.create(project=project, pattern="hello.txt")
    command(
        suite(project, name="Greeting"),
        "cat hello.txt",
        name="prints",
        expected_return_code="zero",
        points_for_correct_return_code=1,
    )
    group = Group.objects.create(project=project)
    group.members.add(alice)
    GroupMembership.objects.create(group=group, user=alice, project=project)
    print(json.dumps({"project": project.pk}))
