"""Instructor files reach every command with the bytes staff uploaded, whatever students do.

Both ways a student could forge a grade by replacing an instructor file are tried through
the real pipeline (the upload API, real sandboxes, a worker slot): replacing it at run time
from an earlier command, and submitting a file of the same name.
"""

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from autograder.courses.models import Role
from autograder.grading.config.models import AGTestSuite
from autograder.grading.results.models import AGTestCommandResult
from autograder.grading.results.output_storage import output_read
from autograder.sandbox.pool import PoolManager
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories
from tests.grading import pipeline_helpers as h

pytestmark = pytest.mark.django_db

GRADER = b"from answer import value\nprint('INSTRUCTOR-OK' if value() == 42 else 'WRONG')\n"
ANSWER = b"def value():\n    return 41\n"
FORGER = b"""\
import os
for name in ("grader.py",):
    for attempt in (
        lambda: os.remove(name),
        lambda: os.rename(name, "moved.py"),
        lambda: os.chmod(name, 0o666),
        lambda: open(name, "w").write("print('forged')"),
        lambda: os.rename("/home/autograder/working_dir", "/home/autograder/old"),
    ):
        try:
            attempt()
            print("CHANGED")
        except OSError as e:
            print(type(e).__name__)
with open("forged.py", "w") as f:
    f.write("print('INSTRUCTOR-OK')")
try:
    os.replace("forged.py", "grader.py")
    print("CHANGED")
except OSError as e:
    print(type(e).__name__)
print(41)
"""


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def grader_suite() -> AGTestSuite:
    """A project whose 10-point test runs the instructor's grader.py after student.py."""
    project = h.project_with_catch_all()
    suite = h.suite(project)
    suite.instructor_files_needed.add(h.instructor_file(project, "grader.py", GRADER))
    h.command(suite, "python3 student.py", name="student", case="forge")
    h.command(
        suite,
        "python3 grader.py",
        name="grader",
        case="forge",
        expected_stdout_source="text",
        expected_stdout_text="INSTRUCTOR-OK\n",
        points_for_correct_stdout=10,
    )
    return suite


def results_of(submission: Submission) -> dict[str, AGTestCommandResult]:
    return {
        r.command_name: r
        for r in AGTestCommandResult.objects.filter(
            case_result__suite_result__submission=submission
        )
    }


def test_an_earlier_command_cannot_replace_an_instructor_file(provider: PoolManager) -> None:
    suite = grader_suite()
    submission = h.submit(suite.project, {"student.py": FORGER, "answer.py": ANSWER})
    submission = h.grade(provider, submission)

    assert submission.status == SubmissionStatus.FINISHED_GRADING
    results = results_of(submission)
    attempts = output_read(results["student"], "stdout").decode().split()
    assert attempts == ["PermissionError"] * 6 + ["41"]
    grader = results["grader"]
    assert output_read(grader, "stdout") == b"WRONG\n"
    assert grader.points_awarded == 0


def test_the_instructor_file_is_the_staff_bytes_at_every_command(provider: PoolManager) -> None:
    project = h.project_with_catch_all()
    suite = h.suite(project)
    secret = b"instructor data \x00\xff line\n"
    suite.instructor_files_needed.add(h.instructor_file(project, "data.bin", secret))
    h.command(suite, "python3 student.py", name="student", case="c")
    h.command(suite, "sha256sum data.bin; stat -c '%U %a' data.bin . ..", name="check", case="c")
    tamper = b"open('data.bin', 'ab').write(b'x')\n"
    submission = h.grade(provider, h.submit(project, {"student.py": tamper}))

    results = results_of(submission)
    assert b"PermissionError" in output_read(results["student"], "stderr")
    lines = output_read(results["check"], "stdout").decode().splitlines()
    assert lines[0].split()[0] == hashlib.sha256(secret).hexdigest()
    # root-owned and read-only, in root-owned sticky directories ($HOME and the working dir)
    assert lines[1:] == ["root 444", "root 1777", "root 1777"]


def test_compile_then_run_in_one_working_directory_still_works(provider: PoolManager) -> None:
    project = h.project_with_catch_all()
    suite = h.suite(project, setup_command="g++ -o prog main.cpp helper.cpp")
    suite.instructor_files_needed.add(
        h.instructor_file(project, "helper.cpp", b"int helper() { return 41; }\n")
    )
    h.command(
        suite,
        "./prog > out.txt && cat out.txt && rm out.txt && mkdir -p build && echo ok > build/x"
        " && cat build/x",
        name="run",
        expected_stdout_source="text",
        expected_stdout_text="42\nok\n",
        points_for_correct_stdout=1,
    )
    main = b'#include <cstdio>\nint helper();\nint main() { printf("%d\\n", helper() + 1); }\n'
    submission = h.grade(provider, h.submit(project, {"main.cpp": main}))

    assert results_of(submission)["run"].points_awarded == 1


def test_a_submitted_file_named_like_an_instructor_file_is_refused_at_upload() -> None:
    project = grader_suite().project
    student = factories.add_role(project.course, factories.make_user(), Role.STUDENT)
    group = factories.make_group(project, student)
    client = APIClient()
    client.force_authenticate(student)

    response = client.post(
        f"/api/groups/{group.pk}/submissions/",
        {
            "files": [
                SimpleUploadedFile("student.py", b"print(41)\n"),
                SimpleUploadedFile("grader.py", b"print('INSTRUCTOR-OK')\n"),
            ]
        },
        format="multipart",
    )

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "instructor_file_name"
    assert body["fields"]["files"] == [
        "grader.py: the name of an instructor file of this project; rename your file."
    ]
    assert not Submission.objects.filter(group=group).exists()


def test_a_clash_accepted_before_the_instructor_file_existed_grades_with_staff_bytes(
    provider: PoolManager,
) -> None:
    project = h.project_with_catch_all()
    submission = h.submit(project, {"grader.py": b"print('INSTRUCTOR-OK')\n"})
    # Staff add the instructor file after the upload was accepted, then grade.
    suite = h.suite(project)
    grader = b"print('instructor grader ran')\n"
    suite.instructor_files_needed.add(h.instructor_file(project, "grader.py", grader))
    h.command(
        suite,
        "python3 grader.py",
        name="grader",
        expected_stdout_source="text",
        expected_stdout_text="INSTRUCTOR-OK\n",
        points_for_correct_stdout=10,
    )

    submission = h.grade(provider, submission)

    result = results_of(submission)["grader"]
    assert output_read(result, "stdout") == b"instructor grader ran\n"
    assert result.points_awarded == 0
