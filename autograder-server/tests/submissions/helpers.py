"""Builders shared by the submissions API, permission and concurrency tests."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from autograder.accounts.models import User
from autograder.groups.models import Group
from autograder.projects.models import ExpectedStudentFile, Project
from autograder.submissions import services
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories
from tests.conftest import World
from tests.submissions.conftest import upload

BOUNDARY = "----agtestboundary7MA4YWxkTrZu0gW"


def accept_any_file(project: Project) -> None:
    ExpectedStudentFile.objects.get_or_create(
        project=project, pattern="*", defaults={"min_num_matches": 0, "max_num_matches": 5000}
    )


def member(w: World) -> User:
    found = w.users["group_member"]
    assert isinstance(found, User)
    return found


def submission_of(
    w: World, group: Group | None = None, submitter: User | None = None
) -> Submission:
    """A queued submission of `main.cpp` by the world's group member (or the given group)."""
    group = group or w.group
    accept_any_file(group.project)
    return services.submission_create(
        group=group,
        submitter=submitter or member(w),
        files=[upload("main.cpp", b"int main() { return 0; }\n")],
    )


def hidden_submission(w: World) -> Submission:
    """A queued submission in the hidden project, written directly (students can't submit
    there)."""
    group = hidden_group(w)
    sub = Submission.objects.create(
        group=group,
        project=group.project,
        submitter=member(w),
        status=SubmissionStatus.QUEUED,
        submitted_filenames=["main.cpp"],
    )
    default_storage.save(f"{sub.files_dir}/main.cpp", ContentFile(b"int main() {}\n"))
    return sub


def hidden_group(w: World) -> Group:
    """A group of the world's member (and nobody else) in the hidden project."""
    return factories.make_group(w.hidden_project, member(w))


def raw_multipart(files: list[tuple[str, bytes]], field: str = "files") -> tuple[bytes, str]:
    """A multipart body written by hand, so file names reach the server exactly as given (the
    test client would strip directories from them)."""
    body = b""
    for name, content in files:
        head = (
            f"--{BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        body += head.encode() + content + b"\r\n"
    body += f"--{BOUNDARY}--\r\n".encode()
    return body, f"multipart/form-data; boundary={BOUNDARY}"
