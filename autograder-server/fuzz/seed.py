"""Seeds the fuzzer's throwaway database: one small course per fuzzing role, full enough that
every id in a path can point at a real row (a project, its files, a group, a graded submission
with results, test configuration, an invitation, a rerun, an API token).

Each role gets its own course so that what one role's run destroys (a project deleted, a
roster replaced) never makes another role's run shallower. Prints one JSON object on stdout:
`{role: {"token": key or null, "auth_token_id": id or null, "ids": {path parameter: [ids]},
"usernames": [the course's people]}}`.

Run from autograder-server/ with the fuzz run's AG_* environment:
`python -m fuzz.seed > seed.json`.
"""

import json
import os
from datetime import timedelta
from decimal import Decimal
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autograder.settings")
django.setup()

# Django must be set up before the models load.
from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.utils import timezone  # noqa: E402

from autograder.accounts.models import User  # noqa: E402
from autograder.accounts.services import api_token_create  # noqa: E402
from autograder.courses.models import Course, CourseMembership, Role, Semester  # noqa: E402
from autograder.grading.config.autograders.services import prairielearn_import  # noqa: E402
from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite  # noqa: E402
from autograder.grading.pipeline.models import RerunTask  # noqa: E402
from autograder.grading.results.models import AGTestCommandResult, AGTestSuiteResult  # noqa: E402
from autograder.groups.models import Group, GroupMembership  # noqa: E402
from autograder.groups.services import group_invitation_create  # noqa: E402
from autograder.handgrading import services as handgrading_services  # noqa: E402
from autograder.handgrading.models import (  # noqa: E402
    Annotation,
    AppliedAnnotation,
    Comment,
    Criterion,
    HandgradingRubric,
)
from autograder.projects.models import Project  # noqa: E402
from autograder.projects.services import expected_file_create, instructor_file_create  # noqa: E402
from autograder.submissions.models import Submission, SubmissionStatus  # noqa: E402

# The grading factories store result rows as the grader would, without running the pipeline.
from tests.grading import autograder_zips  # noqa: E402
from tests.grading import factories as grading  # noqa: E402

ROLES = ("anonymous", "student", "staff", "admin")


def _user(username: str, **fields: Any) -> User:
    return User.objects.create_user(username=username, email=username, **fields)


def _group(project: Project, *members: User) -> Group:
    group = Group.objects.create(project=project)
    group.members.add(*members)
    for member in members:
        GroupMembership.objects.create(group=group, project=project, user=member)
    return group


def _graded_submission(group: Group, submitter: User) -> Submission:
    """A finished submission with one stored file, as the grader would leave it (finished, so
    the event stream closes at once instead of waiting for a worker)."""
    now = timezone.now()
    submission = Submission.objects.create(
        group=group,
        project=group.project,
        submitter=submitter,
        status=SubmissionStatus.FINISHED_GRADING,
        submitted_filenames=["main.py"],
        total_size=len(b"print(42)\n"),
        queued_at=now,
        grading_started_at=now,
        non_deferred_finished_at=now,
        finished_at=now,
    )
    default_storage.save(f"{submission.files_dir}/main.py", ContentFile(b"print(42)\n"))
    if not AGTestSuite.objects.filter(project=group.project).exists():
        suite = grading.make_suite(group.project, name="Basics")
        case = grading.make_case(suite, name="Prints 42")
        grading.make_command(case, name="Run", cmd="python3 main.py", expected_stdout_text="42\n")
    grading.grade(submission)
    return submission


def _handgrading(project: Project, group: Group, staff: User) -> dict[str, list[int]]:
    """A rubric with a criterion and an annotation, and the group's result with one of each
    item, so the handgrading paths have real rows to name."""
    rubric = HandgradingRubric.objects.create(project=project, max_points=Decimal(10))
    criterion = Criterion.objects.create(
        rubric=rubric, short_description="Style", points=Decimal(2)
    )
    annotation = Annotation.objects.create(
        rubric=rubric, short_description="Magic", deduction=Decimal(-1)
    )
    result = handgrading_services.result_for_group(group=group)
    assert result is not None
    applied = AppliedAnnotation.objects.create(
        result=result, annotation=annotation, filename="x.py", first_line=1, last_line=1
    )
    comment = Comment.objects.create(result=result, text="Nice", created_by=staff)
    return {
        "rubric_id": [rubric.pk],
        "criterion_id": [criterion.pk],
        "annotation_id": [annotation.pk],
        "result_id": [result.pk],
        "applied_id": [applied.pk],
        "comment_id": [comment.pk],
    }


def _seed_role(role: str) -> dict[str, Any]:
    course = Course.objects.create(
        name=f"Fuzz {role}", semester=Semester.FALL, year=2026, num_late_days=2
    )
    admin = _user(f"admin.{role}@fuzz.test", can_create_courses=True)
    staff = _user(f"staff.{role}@fuzz.test")
    student = _user(f"student.{role}@fuzz.test")
    partner = _user(f"partner.{role}@fuzz.test")
    loner = _user(f"loner.{role}@fuzz.test")
    for user, member_role in [
        (admin, Role.ADMIN),
        (staff, Role.STAFF),
        (student, Role.STUDENT),
        (partner, Role.STUDENT),
        (loner, Role.STUDENT),
    ]:
        CourseMembership.objects.create(course=course, user=user, role=member_role)

    closing = timezone.now() + timedelta(days=7)
    project = Project.objects.create(
        course=course, name="P1", visible_to_students=True, closing_time=closing, max_group_size=2
    )
    solo_project = Project.objects.create(
        course=course, name="P2", visible_to_students=True, closing_time=closing, max_group_size=2
    )
    hidden = Project.objects.create(course=course, name="P3 hidden", visible_to_students=False)
    expected = expected_file_create(project=project, pattern="*.py", max_num_matches=3)
    instructor_file = instructor_file_create(
        project=project, name="tests.py", content=ContentFile(b"assert True\n", name="tests.py")
    )

    group = _group(project, student, partner)
    other_group = _group(project, loner)
    submission = _graded_submission(group, student)
    other_submission = _graded_submission(other_group, loner)
    invitation = group_invitation_create(project=solo_project, sender=loner, recipients=[student])
    rerun = RerunTask.objects.create(project=project, creator=admin, selection="all")

    handgrading = _handgrading(project, group, staff)
    # An imported autograder (in the hidden project: its suite and files stay out of P1's), so
    # its new-version uploads reach the zip checks instead of a 404.
    imported = prairielearn_import(
        project=hidden,
        upload=SimpleUploadedFile("tests.zip", autograder_zips.prairielearn_c_zip()),
        suite_name="PrairieLearn grader",
        command="/grade/tests/run.sh",
        sandbox_image="",
        time_limit_s=30,
        user=admin,
    )

    suite_results = AGTestSuiteResult.objects.filter(submission__project=project)
    command_results = AGTestCommandResult.objects.filter(
        case_result__suite_result__submission__project=project
    )
    fuzz_user = {"student": student, "staff": staff, "admin": admin}.get(role)
    token_key: str | None = None
    auth_token_id: int | None = None
    token_ids: list[int] = []
    if fuzz_user is not None:
        auth_token, token_key = api_token_create(user=fuzz_user, name="fuzz")
        auth_token_id = auth_token.pk
        spare, _ = api_token_create(user=fuzz_user, name="spare")
        token_ids = [spare.pk]

    ids: dict[str, list[int]] = {
        "course_id": [course.pk],
        "project_id": [project.pk, solo_project.pk, hidden.pk],
        "expected_file_id": [expected.pk],
        "instructor_file_id": [instructor_file.pk],
        "group_id": [group.pk, other_group.pk],
        "invitation_id": [invitation.pk],
        "submission_id": [submission.pk, other_submission.pk],
        "suite_id": list(AGTestSuite.objects.filter(project=project).values_list("pk", flat=True)),
        "case_id": list(
            AGTestCase.objects.filter(suite__project=project).values_list("pk", flat=True)
        ),
        "command_id": list(
            AGTestCommand.objects.filter(case__suite__project=project).values_list("pk", flat=True)
        ),
        "suite_result_id": list(suite_results.values_list("pk", flat=True)),
        "command_result_id": list(command_results.values_list("pk", flat=True)),
        "rerun_id": [rerun.pk],
        "import_id": [imported.pk],
        "user_id": [student.pk, staff.pk, admin.pk, loner.pk],
        "token_id": token_ids,
        **handgrading,
    }
    usernames = [user.username for user in (student, partner, loner, staff, admin)]
    return {"token": token_key, "auth_token_id": auth_token_id, "ids": ids, "usernames": usernames}


def main() -> None:
    print(json.dumps({role: _seed_role(role) for role in ROLES}))


if __name__ == "__main__":
    main()
