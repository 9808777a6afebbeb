"""New versions of an imported autograder. Callers check permissions.

Staff who fix a bug in their autograder upload it again onto the same import: the import keeps
its suite, so the suite keeps its id, its feedback settings and its place among the project's
suites, and submissions graded from then on use the new version.

- Gradescope: the import's image gets the new zip's Dockerfile and build files and a build is
  queued. The suite names the image's reference, which a run resolves to the image's last good
  build: the new version grades once its build is ready, and a failed build leaves the previous
  version grading.
- PrairieLearn: the instructor files the import made are replaced in one transaction (same names
  in place, new ones added to the suite, ones no longer in the zip taken off the suite and
  deleted unless something else still uses them).

A bad upload changes nothing: everything is checked before anything is written, and the
writes share one transaction.
"""

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max

from autograder.accounts.models import User
from autograder.common.errors import ApplicationError, ConflictError, field_error
from autograder.grading.config import services as config_services
from autograder.grading.config.autograders import dockerfile, zips
from autograder.grading.config.autograders.models import (
    AutograderImport,
    AutograderImportVersion,
    AutograderKind,
)
from autograder.grading.config.autograders.services import check_flat, check_time_limit, zip_bytes
from autograder.grading.config.models import AGTestCommand, AGTestSuite
from autograder.images import selectors as image_selectors
from autograder.images import services as image_services
from autograder.images.models import ImageBuild
from autograder.projects import services as project_services
from autograder.projects.models import InstructorFile


def import_new_version(
    *,
    imported: AutograderImport,
    upload: UploadedFile,
    time_limit_s: int | None,
    command: str | None,
    user: User | None,
) -> AutograderImport:
    """Applies a new upload of the import's autograder and records it as its next version.
    `time_limit_s` and `command` (PrairieLearn only) change only when given."""
    with transaction.atomic():
        locked = (
            AutograderImport.objects.select_for_update(of=("self",))
            .select_related("project", "image", "suite")
            .get(pk=imported.pk)
        )
        if locked.suite_id is None and locked.suite_made:
            raise ConflictError(
                f"The suite of this import ({locked.suite_name!r}) was deleted, so a new "
                "version has nowhere to go; import the autograder again instead.",
                code="suite_deleted",
            )
        _check_options(locked, time_limit_s=time_limit_s, command=command)
        # Database writes first: a refusal after files were stored would leave their bytes.
        if time_limit_s is not None or command is not None:
            _update_commands(locked, time_limit_s=time_limit_s, command=command)
        if locked.kind == AutograderKind.GRADESCOPE:
            files, build = _gradescope_version(locked, upload, user)
        else:
            files, build = _prairielearn_version(locked, upload), None
        locked.files = files
        locked.command = command if command is not None else locked.command
        locked.time_limit_s = time_limit_s if time_limit_s is not None else locked.time_limit_s
        locked.error = ""  # e.g. a suite name taken meanwhile: the new build tries again
        locked.save(update_fields=["files", "command", "time_limit_s", "error"])
        latest = locked.versions.aggregate(latest=Max("number"))["latest"] or 0
        AutograderImportVersion.objects.create(
            imported=locked,
            number=latest + 1,
            files=files,
            command=locked.command,
            time_limit_s=locked.time_limit_s,
            build=build,
            created_by=user,
        )
    return locked


def _check_options(
    imported: AutograderImport, *, time_limit_s: int | None, command: str | None
) -> None:
    if time_limit_s is not None:
        check_time_limit(time_limit_s)
    if command is None:
        return
    if imported.kind == AutograderKind.GRADESCOPE:
        raise field_error(
            "command",
            "A Gradescope autograder always runs /autograder/run_autograder; leave this out.",
            code="not_allowed",
        )
    if not command.strip():
        raise field_error("command", "Name the command that starts the grader.", code="blank")


def _gradescope_version(
    imported: AutograderImport, upload: UploadedFile, user: User | None
) -> tuple[list[str], ImageBuild]:
    """The zip, checked as a new import checks it, becomes the image's next build."""
    data = zip_bytes(upload)
    members = zips.read_zip(data, field="file")
    zips.require_at_root(members, "run_autograder", field="file")
    image = imported.image
    if image is None:
        raise ConflictError(
            "This import's sandbox image was deleted; import the autograder again instead.",
            code="image_deleted",
        )
    image_services.image_update(
        image=image,
        dockerfile=dockerfile.gradescope_dockerfile(
            base_image=image_selectors.default_reference(), members=members
        ),
        build_files=dockerfile.build_files(data),
    )
    # Refused (409) while a build of the image runs; the transaction then undoes the update.
    build = image_services.build_start(image=image, user=user)
    return [m.path for m in members], build


def _prairielearn_version(imported: AutograderImport, upload: UploadedFile) -> list[str]:
    suite = imported.suite
    assert suite is not None  # made with the import; a deleted one was refused above
    members = zips.read_zip(zip_bytes(upload), field="file")
    check_flat(members)
    _check_sizes(members)
    project = imported.project
    own = {
        f.name: f for f in InstructorFile.objects.filter(project=project, name__in=imported.files)
    }
    taken = sorted(
        InstructorFile.objects.filter(project=project, name__in=[m.path for m in members])
        .exclude(pk__in=[f.pk for f in own.values()])
        .values_list("name", flat=True)
    )
    if taken:
        raise field_error(
            "file",
            f"This project already has instructor files named {', '.join(taken)} that this "
            "import did not make; rename or delete them first.",
            code="duplicate_name",
        )
    kept: list[InstructorFile] = []
    for member in members:
        content = ContentFile(member.content, name=member.path)
        if member.path in own:
            kept.append(
                project_services.instructor_file_replace(
                    instructor_file=own[member.path], content=content
                )
            )
        else:
            kept.append(
                project_services.instructor_file_create(
                    project=project, name=member.path, content=content
                )
            )
    dropped = [f for name, f in own.items() if name not in {m.path for m in members}]
    _attach(suite, kept=kept, dropped=dropped)
    for instructor_file in dropped:
        if not _still_used(instructor_file):
            project_services.instructor_file_delete(instructor_file=instructor_file)
    return [m.path for m in members]


def _check_sizes(members: list[zips.Member]) -> None:
    """Instructor files have a size limit; checked for every member before any is stored."""
    limit: int = settings.MAX_INSTRUCTOR_FILE_BYTES
    for member in members:
        if len(member.content) > limit:
            message = (
                f"{member.path!r} is {len(member.content)} bytes; instructor files may be at "
                f"most {limit} bytes."
            )
            raise ApplicationError(
                message, code="file_too_large", fields={"file": [message]}, status=413
            )


def _attach(
    suite: AGTestSuite, *, kept: list[InstructorFile], dropped: list[InstructorFile]
) -> None:
    """The suite needs the new version's files; files staff attached by hand stay."""
    gone = {f.pk for f in dropped}
    current = [f for f in suite.instructor_files_needed.all() if f.pk not in gone]
    wanted = {f.pk: f for f in [*current, *kept]}
    config_services.suite_update(suite=suite, instructor_files_needed=list(wanted.values()))


def _still_used(instructor_file: InstructorFile) -> bool:
    """Whether anything still points at the file: another suite, a mutation suite, a command's
    stdin or expected output, an EiPL question. Every relation to InstructorFile is asked (the
    many-to-many tables show up as relations of their own), so one added later counts too."""
    for relation in InstructorFile._meta.get_fields(include_hidden=True):
        if not relation.auto_created or not relation.one_to_many:
            continue
        model = relation.related_model
        assert model is not None and not isinstance(model, str)
        field = relation.field.name  # type: ignore[union-attr]  # one_to_many: a ForeignObjectRel
        if model._default_manager.filter(**{field: instructor_file}).exists():
            return True
    return False


def _update_commands(
    imported: AutograderImport, *, time_limit_s: int | None, command: str | None
) -> None:
    """The suite's command the import made (found by what it runs) gets the new time limit
    and command. An import still waiting for its suite has none: the suite takes the import's
    values when it is made."""
    if imported.suite is None:
        return
    commands = list(AGTestCommand.objects.filter(case__suite=imported.suite, cmd=imported.command))
    if not commands:
        raise ConflictError(
            f"The suite no longer has a command that runs {imported.command!r} (it was edited); "
            "change the time limit or command on the suite's page instead.",
            code="command_edited",
        )
    changes: dict[str, object] = {}
    if time_limit_s is not None:
        changes["time_limit_s"] = time_limit_s
    if command is not None:
        changes["cmd"] = command
    for found in commands:
        config_services.command_update(command=found, **changes)
