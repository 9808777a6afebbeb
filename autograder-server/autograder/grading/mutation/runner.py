"""Running one mutation suite of one submission, in ONE sandbox, producing an unsaved result.

Setup, test discovery, every validity check and every buggy implementation run share one
container: starting a container per buggy implementation would cost far more than the runs.
So that no run can leave anything behind for the next (a test that fails only on its second
run would "expose" every bug), the files are reset before each run (`Sandbox.restore`, done by
the runner inside the container in about a millisecond): what the student user created, changed
or deleted in $HOME, /tmp and /dev/shm since the snapshot taken right after setup is undone.
Instructor files are root-owned and read-only, so they never change; no process outlives its
run.
"""

import dataclasses
import fnmatch
import re
import shlex
from collections.abc import Callable

from django.core.files.storage import default_storage
from django.utils import timezone

from autograder.grading.mutation.models import (
    INLINE_OUTPUT_BYTES,
    MutationSuiteResult,
    WhitespaceHandling,
)
from autograder.grading.mutation.models import MutationTestSuite as Suite
from autograder.images import selectors as image_selectors
from autograder.images.selectors import ResolvedImage
from autograder.projects.models import InstructorFile
from autograder.sandbox import (
    ContainerSpec,
    Limits,
    Owner,
    PutFile,
    RunResult,
    Sandbox,
    SandboxProvider,
)
from autograder.sandbox.errors import SandboxRequestError
from autograder.submissions.models import Submission
from autograder.submissions.selectors import submission_file_path

TEST_NAME = "${student_test_name}"
BUGGY_IMPL = "${buggy_impl_name}"
ALL_VALID_TESTS = "${all_valid_test_names}"
PLACEHOLDERS = (TEST_NAME, BUGGY_IMPL, ALL_VALID_TESTS)
SNAPSHOT_CAP_BYTES = 256 * 1024 * 1024
"""Most file content $HOME may hold after setup (the default tmpfs holds as much)."""


class MutationConfigError(Exception):
    """The suite can't run as configured (a file or image is gone): reported on its result."""


class MutationLeaseLostError(Exception):
    """The job was taken back from this worker mid-suite; store nothing."""


@dataclasses.dataclass
class MutationRun:
    suite: Suite
    result: MutationSuiteResult


def split_test_names(output: bytes, handling: str) -> list[str]:
    """Test names from the discovery command's stdout, in order, each once."""
    text = output.decode("utf-8", "replace")
    if handling == WhitespaceHandling.NEWLINE:
        names = [line.strip() for line in text.splitlines()]
    else:
        names = text.split()
    return list(dict.fromkeys(name for name in names if name))


def fill(command: str, **values: str) -> str:
    """The command with its placeholders replaced (values are already shell-quoted)."""
    for name, placeholder in (
        ("student_test_name", TEST_NAME),
        ("buggy_impl_name", BUGGY_IMPL),
        ("all_valid_test_names", ALL_VALID_TESTS),
    ):
        if name in values:
            command = command.replace(placeholder, values[name])
    return command


_PLAIN_WORDS = re.compile(r"[A-Za-z0-9_./:,+@%-]+(?: [A-Za-z0-9_./:,+@%=-]+)*")


def command_argv(command: str) -> list[str]:
    """`bash -c command`, or the command's own words when bash would only exec them: a program
    named by its path (`./run bug_1 test_a`) with plain words as arguments, no quotes,
    variables, globs, redirections or assignments. Saves starting bash for each of the
    hundreds of runs a submission has."""
    if _PLAIN_WORDS.fullmatch(command) and "/" in command.split(" ", 1)[0]:
        return command.split(" ")
    return ["bash", "-c", command]


def _instructor_bytes(file: InstructorFile) -> bytes:
    try:
        with file.file_obj.open("rb") as f:
            return bytes(f.read())
    except (FileNotFoundError, ValueError):
        raise MutationConfigError(
            f"The instructor file {file.name!r} is no longer available."
        ) from None


def _files(suite: Suite, submission: Submission) -> list[PutFile]:
    """The submission's files the suite takes, then its instructor files (root-owned, so the
    student's code can read but never change them)."""
    instructor = [
        PutFile(path=f.name, content=_instructor_bytes(f), owner=Owner.ROOT)
        for f in suite.instructor_files_needed.all()
    ]
    names = {f.path for f in instructor}
    patterns = [e.pattern for e in suite.student_files_needed.all()]
    files: list[PutFile] = []
    for name in submission.submitted_filenames:
        if name in names or (patterns and not any(fnmatch.fnmatchcase(name, p) for p in patterns)):
            continue
        try:
            with default_storage.open(submission_file_path(submission=submission, name=name)) as f:
                files.append(PutFile(path=name, content=f.read(), mode=0o644))
        except FileNotFoundError:
            raise MutationConfigError(
                f"The submitted file {name!r} is missing from storage."
            ) from None
    return files + instructor


def suite_image(suite: Suite) -> ResolvedImage:
    """The image (its last good build) and runtime the suite runs on, as for other suites:
    one the course may no longer use never reaches Docker."""
    resolved = image_selectors.resolve(
        course_id=suite.project.course_id, reference=suite.sandbox_image
    )
    if resolved is None:
        raise MutationConfigError(
            "This suite's sandbox image is not one this course may use, so the suite was not "
            "run. Staff: choose another image for the suite, then rerun."
        )
    return resolved


class _Output:
    """Output of many runs, concatenated up to the stored cap."""

    def __init__(self) -> None:
        self.stdout = bytearray()
        self.stderr = bytearray()

    def add(self, run: RunResult) -> None:
        self.stdout += run.stdout[: INLINE_OUTPUT_BYTES - len(self.stdout)]
        self.stderr += run.stderr[: INLINE_OUTPUT_BYTES - len(self.stderr)]


class _Session:
    """One sandbox, whose files each run starts from as they were after setup."""

    def __init__(self, sandbox: Sandbox, lease_lost: Callable[[], bool]) -> None:
        self.sandbox = sandbox
        self.lease_lost = lease_lost

    def plain(self, command: str, time_limit_s: int) -> RunResult:
        if self.lease_lost():
            raise MutationLeaseLostError
        return self.sandbox.run(
            command_argv(command),
            limits=Limits(timeout_s=float(time_limit_s), max_output_bytes=INLINE_OUTPUT_BYTES),
        )

    def take_snapshot(self) -> None:
        try:
            self.sandbox.snapshot(max_bytes=SNAPSHOT_CAP_BYTES)
        except SandboxRequestError as error:
            raise MutationConfigError(
                f"The files after setup could not be saved for the runs: {error}"
            ) from None

    def fresh(self, command: str, time_limit_s: int) -> RunResult:
        """Runs `command` on the files as they were right after setup."""
        self.sandbox.restore()
        return self.plain(command, time_limit_s)


def _failed(run: RunResult) -> bool:
    return run.timed_out or run.exit_code != 0


def mutation_suite_run(
    *,
    suite: Suite,
    submission: Submission,
    provider: SandboxProvider,
    lease_lost: Callable[[], bool] = lambda: False,
) -> MutationRun:
    """Setup, test discovery, validity checks, then the valid tests against each buggy
    implementation (per test, stopping at the first that fails, or all at once when the
    command names `${all_valid_test_names}`)."""
    result = MutationSuiteResult(submission=submission, suite=suite, suite_name=suite.name)
    result.points_possible = suite.points_possible
    image = suite_image(suite)
    result.image = image.tag
    result.started_at = timezone.now()
    result.image_digest = provider.image_digest(result.image)
    files = _files(suite, submission)
    sandbox = provider.acquire(
        result.image, ContainerSpec(network=suite.allow_network, runtime=image.runtime)
    )
    try:
        sandbox.put_files(files)
        mutation_run_in(sandbox, suite=suite, result=result, lease_lost=lease_lost)
    finally:
        sandbox.release()
    return MutationRun(suite, result)


def mutation_run_in(
    sandbox: Sandbox,
    *,
    suite: Suite,
    result: MutationSuiteResult,
    lease_lost: Callable[[], bool] = lambda: False,
) -> None:
    """The suite's runs in a sandbox that holds its files already, filling in `result`
    (unsaved; `suite` may be unsaved too, as in benchmarks/mutation_bench.py)."""
    session = _Session(sandbox, lease_lost)
    result.points_possible = suite.points_possible
    if suite.setup_command:
        setup = session.plain(suite.setup_command, suite.setup_time_limit_s)
        result.setup_return_code = setup.exit_code
        result.setup_timed_out = setup.timed_out
        result.setup_stdout, result.setup_stderr = setup.stdout, setup.stderr
        if _failed(setup):
            return
    session.take_snapshot()
    _discover(session, suite, result)
    valid = _check_validity(session, suite, result)
    result.bugs_exposed = _expose_bugs(session, suite, result, valid)
    result.points_awarded = suite.points_for(len(result.bugs_exposed))


def _discover(session: _Session, suite: Suite, result: MutationSuiteResult) -> None:
    run = session.fresh(suite.get_student_test_names_command, suite.test_names_time_limit_s)
    result.test_names_return_code = run.exit_code
    result.test_names_timed_out = run.timed_out
    result.test_names_stdout, result.test_names_stderr = run.stdout, run.stderr
    names = split_test_names(run.stdout, suite.test_name_whitespace_handling)
    result.student_tests = names[: suite.max_num_student_tests]
    result.discarded_tests = names[suite.max_num_student_tests :]


def _check_validity(session: _Session, suite: Suite, result: MutationSuiteResult) -> list[str]:
    output = _Output()
    valid: list[str] = []
    for name in result.student_tests:
        command = fill(suite.validity_check_command, student_test_name=shlex.quote(name))
        run = session.fresh(command, suite.validity_time_limit_s)
        output.add(run)
        if run.timed_out:
            result.timed_out_tests.append(name)
        if _failed(run):
            result.invalid_tests.append(name)
        else:
            valid.append(name)
    result.validity_check_stdout = bytes(output.stdout)
    result.validity_check_stderr = bytes(output.stderr)
    return valid


def _expose_bugs(
    session: _Session, suite: Suite, result: MutationSuiteResult, valid: list[str]
) -> list[str]:
    if not valid:
        return []
    output = _Output()
    exposed: list[str] = []
    all_at_once = ALL_VALID_TESTS in suite.grade_buggy_impl_command
    every_test = " ".join(shlex.quote(name) for name in valid)
    for bug in suite.buggy_impl_names:
        values = {"buggy_impl_name": shlex.quote(bug)}
        if all_at_once:
            command = fill(
                suite.grade_buggy_impl_command, all_valid_test_names=every_test, **values
            )
            runs = [command]
        else:
            runs = [
                fill(suite.grade_buggy_impl_command, student_test_name=shlex.quote(n), **values)
                for n in valid
            ]
        for command in runs:
            run = session.fresh(command, suite.grade_time_limit_s)
            output.add(run)
            if _failed(run):
                exposed.append(bug)
                break
    result.grade_buggy_impls_stdout = bytes(output.stdout)
    result.grade_buggy_impls_stderr = bytes(output.stderr)
    return exposed
