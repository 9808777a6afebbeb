"""Importing Gradescope and PrairieLearn autograders. Callers check permissions."""

import logging

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from autograder.accounts.models import User
from autograder.common.errors import ApplicationError, field_error
from autograder.common.filenames import filename_problem
from autograder.grading.config import services as config_services
from autograder.grading.config.autograders import dockerfile, zips
from autograder.grading.config.autograders.models import (
    AutograderImport,
    AutograderImportVersion,
    AutograderKind,
)
from autograder.grading.config.models import (
    MAX_TIME_LIMIT_S,
    AGTestSuite,
    FileLayout,
    ResultsFormat,
)
from autograder.images import selectors as image_selectors
from autograder.images import services as image_services
from autograder.images.models import ImageBuild, ImageStatus, SandboxImage
from autograder.projects import services as project_services
from autograder.projects.models import InstructorFile, Project

logger = logging.getLogger(__name__)

GRADESCOPE_RESULTS = "/autograder/results/results.json"
PRAIRIELEARN_RESULTS = "/grade/results/results.json"
GRADESCOPE_COMMAND = "/autograder/run_autograder"


def _check_suite_name(project: Project, name: str) -> None:
    if not name.strip():
        raise field_error("suite_name", "Name the suite.", code="blank")
    if AGTestSuite.objects.filter(project=project, name=name).exists():
        raise field_error(
            "suite_name", f"This project already has a suite named {name!r}.", code="duplicate_name"
        )


def check_time_limit(seconds: int) -> None:
    if not 1 <= seconds <= MAX_TIME_LIMIT_S:
        raise field_error(
            "time_limit_s", f"Between 1 and {MAX_TIME_LIMIT_S} seconds.", code="out_of_range"
        )


def zip_bytes(upload: UploadedFile) -> bytes:
    zips.check_size(upload.size or 0, field="file")
    upload.seek(0)
    data: bytes = upload.read()
    return data


def _free_image_name(project: Project, suite_name: str) -> str:
    base = f"Gradescope: {project.name} / {suite_name}"[:180]
    name, n = base, 2
    while SandboxImage.objects.filter(course_id=project.course_id, display_name=name).exists():
        name, n = f"{base} ({n})", n + 1
    return name


@transaction.atomic
def gradescope_import(
    *, project: Project, upload: UploadedFile, suite_name: str, time_limit_s: int, user: User | None
) -> AutograderImport:
    """Checks the zip, makes a course image from it and queues its build; the suite follows
    when the build is ready (`import_finish`)."""
    _check_suite_name(project, suite_name)
    check_time_limit(time_limit_s)
    data = zip_bytes(upload)
    members = zips.read_zip(data, field="file")
    zips.require_at_root(members, "run_autograder", field="file")
    image = image_services.image_create(
        course=project.course,
        display_name=_free_image_name(project, suite_name),
        dockerfile=dockerfile.gradescope_dockerfile(
            base_image=image_selectors.default_reference(), members=members
        ),
        build_files=dockerfile.build_files(data),
    )
    imported = AutograderImport.objects.create(
        project=project,
        kind=AutograderKind.GRADESCOPE,
        image=image,
        suite_name=suite_name,
        command=GRADESCOPE_COMMAND,
        time_limit_s=time_limit_s,
        files=[m.path for m in members],
        created_by=user,
    )
    build = image_services.build_start(image=image, user=user)
    first_version(imported, build=build)
    return imported


def first_version(imported: AutograderImport, *, build: ImageBuild | None) -> None:
    """The upload that made the import is its version 1."""
    AutograderImportVersion.objects.create(
        imported=imported,
        number=1,
        files=imported.files,
        command=imported.command,
        time_limit_s=imported.time_limit_s,
        build=build,
        created_by=imported.created_by,
    )


def _gradescope_suite(imported: AutograderImport, image: SandboxImage) -> AGTestSuite:
    suite = config_services.suite_create(
        project=imported.project,
        name=imported.suite_name,
        sandbox_image=image.reference,
        file_layout=FileLayout.GRADESCOPE,
        results_format=ResultsFormat.GRADESCOPE,
        results_file_path=GRADESCOPE_RESULTS,
        setup_command=dockerfile.COPY_COMMAND,
        setup_name="Copy the autograder",
    )
    case = config_services.case_create(suite=suite, name="Autograder")
    config_services.command_create(
        case=case,
        name="run_autograder",
        cmd=imported.command,
        time_limit_s=imported.time_limit_s,
    )
    return suite


def import_finish(*, image: SandboxImage) -> None:
    """Called when an image is saved: imports waiting for its first good build get their
    suite. A suite that can't be made (its name was taken meanwhile) leaves the reason; a
    suite staff deleted is not made again."""
    if image.status != ImageStatus.READY or not image.tag:
        return
    waiting = AutograderImport.objects.filter(
        image=image, suite__isnull=True, suite_made=False, error=""
    )
    for imported in waiting.select_related("project"):
        try:
            with transaction.atomic():
                imported.suite = _gradescope_suite(imported, image)
                imported.suite_made = True
                imported.save(update_fields=["suite", "suite_made"])
        except ApplicationError as e:
            imported.error = e.message
            imported.save(update_fields=["error"])
        except Exception:  # a bug: logged, and the import says so instead of waiting forever
            logger.exception("Making the suite of autograder import %s failed", imported.pk)
            imported.error = "The suite could not be made (an internal error; see the logs)."
            imported.save(update_fields=["error"])


def check_flat(members: list[zips.Member]) -> None:
    for member in members:
        problem = filename_problem(member.path)
        if problem:
            raise field_error(
                "file",
                f"{problem} PrairieLearn test files become the project's instructor files, "
                "one flat directory: zip the files of tests/ without folders.",
                code="nested_member",
            )


@transaction.atomic
def prairielearn_import(
    *,
    project: Project,
    upload: UploadedFile,
    suite_name: str,
    command: str,
    sandbox_image: str,
    time_limit_s: int,
    user: User | None,
) -> AutograderImport:
    """The zip's files become instructor files (at /grade/tests when the suite runs) and a
    suite in PrairieLearn's layout runs `command`, scored from /grade/results/results.json."""
    _check_suite_name(project, suite_name)
    check_time_limit(time_limit_s)
    if not command.strip():
        raise field_error("command", "Name the command that starts the grader.", code="blank")
    members = zips.read_zip(zip_bytes(upload), field="file")
    check_flat(members)
    taken = set(
        InstructorFile.objects.filter(
            project=project, name__in=[m.path for m in members]
        ).values_list("name", flat=True)
    )
    if taken:
        raise field_error(
            "file",
            f"This project already has instructor files named {', '.join(sorted(taken))}; "
            "rename or delete them first.",
            code="duplicate_name",
        )
    # The suite and its command are checked (and made) before any file is stored.
    suite = config_services.suite_create(
        project=project,
        name=suite_name,
        sandbox_image=sandbox_image,
        file_layout=FileLayout.PRAIRIELEARN,
        results_format=ResultsFormat.PRAIRIELEARN,
        results_file_path=PRAIRIELEARN_RESULTS,
    )
    case = config_services.case_create(suite=suite, name="Grader")
    config_services.command_create(case=case, name="grader", cmd=command, time_limit_s=time_limit_s)
    files = [
        project_services.instructor_file_create(
            project=project, name=m.path, content=ContentFile(m.content, name=m.path)
        )
        for m in members
    ]
    suite = config_services.suite_update(suite=suite, instructor_files_needed=files)
    imported = AutograderImport.objects.create(
        project=project,
        kind=AutograderKind.PRAIRIELEARN,
        suite=suite,
        suite_made=True,
        suite_name=suite_name,
        command=command,
        time_limit_s=time_limit_s,
        files=[m.path for m in members],
        created_by=user,
    )
    first_version(imported, build=None)
    return imported
