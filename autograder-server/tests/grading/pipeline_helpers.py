"""Builders for pipeline tests: a project with a test configuration and a submitted group."""

import itertools
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from autograder.courses.models import Role
from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite
from autograder.grading.pipeline import worker
from autograder.grading.pipeline.models import GradingJob, JobState
from autograder.projects.models import InstructorFile, Project
from autograder.sandbox import SandboxProvider
from autograder.submissions import services as submission_services
from autograder.submissions.models import Submission
from tests import factories

_names = itertools.count(1)


def project_with_catch_all(**fields: Any) -> Project:
    project = factories.make_project(**fields)
    factories.make_expected_file(project, "*", 0, 100)
    return project


def suite(project: Project, **fields: Any) -> AGTestSuite:
    fields.setdefault("name", f"Suite {next(_names)}")
    fields.setdefault("order", AGTestSuite.objects.filter(project=project).count())
    return AGTestSuite.objects.create(project=project, **fields)


def command(
    suite: AGTestSuite, cmd: str, *, case: str | None = None, **fields: Any
) -> AGTestCommand:
    """A command in a test case of its own (or in the named case of the suite)."""
    test_case, _ = AGTestCase.objects.get_or_create(
        suite=suite,
        name=case or f"Case {next(_names)}",
        defaults={"order": suite.cases.count()},
    )
    fields.setdefault("name", f"Command {next(_names)}")
    return AGTestCommand.objects.create(case=test_case, cmd=cmd, **fields)


def instructor_file(project: Project, name: str, content: bytes) -> InstructorFile:
    file = InstructorFile(project=project, name=name, size=len(content))
    file.file_obj.save(name, ContentFile(content), save=False)
    file.save()
    return file


def submit(project: Project, files: dict[str, bytes] | None = None) -> Submission:
    student = factories.add_role(project.course, factories.make_user(), Role.STUDENT)
    group = factories.make_group(project, student)
    uploads = [
        SimpleUploadedFile(name, content)
        for name, content in (files or {"main.py": b"print('hi')\n"}).items()
    ]
    return submission_services.submission_create(group=group, submitter=student, files=uploads)


def staff_of(project: Project) -> Any:
    return factories.add_role(project.course, factories.make_user(), Role.STAFF)


def grade(provider: SandboxProvider, submission: Submission) -> Submission:
    """Grades the submission's pending job in this process, as a worker slot would."""
    job = GradingJob.objects.get(submission=submission, state=JobState.PENDING)
    assert worker.work_one(job.queue, provider=provider) is not None
    submission.refresh_from_db()
    return submission
