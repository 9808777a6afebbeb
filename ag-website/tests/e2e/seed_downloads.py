"""Seeds a graded project for tests/e2e/downloads.test.mjs: "Downloads demo" (hidden from
students) in the course named by DOWNLOADS_COURSE, one suite with the tests `easy` and `hard`,
the groups alice+bob (two graded submissions; the newest passes both tests) and carol (one,
failing `hard`), with their files in storage. Run with `manage.py shell < seed_downloads.py`;
prints the project id as JSON."""

import json
import os
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from autograder.accounts.models import User
from autograder.courses.models import Course
from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite
from autograder.grading.results.models import (
    AGTestCaseResult,
    AGTestCommandResult,
    AGTestSuiteResult,
)
from autograder.groups.models import Group, GroupMembership
from autograder.projects.models import Project
from autograder.submissions.models import Submission, SubmissionStatus

course = Course.objects.get(pk=int(os.environ["DOWNLOADS_COURSE"]))
project = Project.objects.create(course=course, name="Downloads demo", visible_to_students=False)
suite = AGTestSuite.objects.create(project=project, name="Public")
commands = {
    name: AGTestCommand.objects.create(
        case=AGTestCase.objects.create(suite=suite, name=name, order=order),
        name="run",
        cmd="python3 main.py",
        expected_return_code="zero",
        points_for_correct_return_code=1,
    )
    for order, name in enumerate(["easy", "hard"])
}
now = timezone.now()


def group(*usernames: str) -> Group:
    created = Group.objects.create(project=project)
    for username in usernames:
        user = User.objects.get(username=username)
        created.members.add(user)
        GroupMembership.objects.create(group=created, project=project, user=user)
    return created


def graded(of: Group, minutes_ago: int, files: dict[str, str], failing: set[str]) -> None:
    at = now - timedelta(minutes=minutes_ago)
    submission = Submission.objects.create(
        group=of,
        project=project,
        submitter=of.members.order_by("username").first(),
        status=SubmissionStatus.FINISHED_GRADING,
        timestamp=at,
        submitted_filenames=list(files),
        queued_at=at,
        grading_started_at=at + timedelta(seconds=3),
        finished_at=at + timedelta(seconds=9),
    )
    for name, text in files.items():
        default_storage.save(f"{submission.files_dir}/{name}", ContentFile(text.encode()))
    suite_result = AGTestSuiteResult.objects.create(
        submission=submission, suite=suite, suite_name=suite.name
    )
    for name, command in commands.items():
        case_result = AGTestCaseResult.objects.create(
            suite_result=suite_result, case=command.case, case_name=name
        )
        passed = name not in failing
        AGTestCommandResult.objects.create(
            case_result=case_result,
            command=command,
            command_name=command.name,
            return_code=0 if passed else 1,
            return_code_correct=passed,
            points_awarded=1 if passed else 0,
            points_possible=1,
        )


pair = group("alice@e2e.test", "bob@e2e.test")
graded(pair, 90, {"main.py": "print('first try')\n"}, failing={"easy", "hard"})
graded(pair, 30, {"main.py": "print('hello')\n", "notes.txt": "done\n"}, failing=set())
graded(group("carol@e2e.test"), 60, {"main.py": "print('carol')\n"}, failing={"hard"})
print(json.dumps({"project": project.pk}))
