"""Running one suite of one submission in a sandbox, producing unsaved result rows.

Nothing here writes to the database: `results_store` stores what this returns, atomically.
"""

import dataclasses
import fnmatch
from collections.abc import Callable

from django.core.files.storage import default_storage
from django.utils import timezone

from autograder.grading.config import scoring, value_checks
from autograder.grading.config.models import (
    AGTestCase,
    AGTestCommand,
    AGTestSuite,
    ExpectedOutputSource,
    StdinSource,
)
from autograder.grading.pipeline import image_choice, results_file
from autograder.grading.pipeline.command_env import submission_env
from autograder.grading.results.models import (
    AGTestCaseResult,
    AGTestCommandResult,
    AGTestSuiteResult,
)
from autograder.grading.results.output_storage import output_store
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
from autograder.submissions.models import Submission
from autograder.submissions.selectors import submission_file_path

SETUP_OUTPUT_CAP_BYTES = 1_000_000


class SuiteConfigError(Exception):
    """The suite can't run as configured (e.g. an instructor file was deleted): reported on
    that suite's result, and the other suites are still graded."""


class LeaseLostError(Exception):
    """The reaper gave this job to another worker; stop without storing anything."""


@dataclasses.dataclass
class CaseRun:
    result: AGTestCaseResult
    commands: list[AGTestCommandResult]


@dataclasses.dataclass
class SuiteRun:
    suite: AGTestSuite
    result: AGTestSuiteResult
    cases: list[CaseRun]
    only_cases: set[int] | None
    """Case ids run (a partial rerun); None when the whole suite ran."""

    @property
    def setup_failed(self) -> bool:
        r = self.result
        return bool(self.suite.setup_command) and (r.setup_timed_out or r.setup_return_code != 0)


def _instructor_file_bytes(file: InstructorFile | None, what: str) -> bytes:
    if file is None:
        raise SuiteConfigError(f"The instructor file for {what} was deleted.")
    try:
        with file.file_obj.open("rb") as f:
            return bytes(f.read())
    except (FileNotFoundError, ValueError):
        raise SuiteConfigError(
            f"The instructor file {file.name!r} ({what}) is no longer available."
        ) from None


def _files_to_put(suite: AGTestSuite, submission: Submission) -> list[PutFile]:
    """The submission's files (those the suite takes), then the suite's instructor files.

    Instructor files go in last, owned by root, so their bytes are what staff uploaded even
    when a submitted file has the same name (uploads refuse such names; a submission made
    before the instructor file was added still loses the clash).
    """
    instructor = [
        PutFile(path=f.name, content=_instructor_file_bytes(f, f.name), owner=Owner.ROOT)
        for f in suite.instructor_files_needed.all()
    ]
    instructor_names = {f.path for f in instructor}
    patterns = [e.pattern for e in suite.student_files_needed.all()]
    files: list[PutFile] = []
    for name in submission.submitted_filenames:
        if patterns and not any(fnmatch.fnmatchcase(name, p) for p in patterns):
            continue
        if name in instructor_names:
            continue
        path = submission_file_path(submission=submission, name=name)
        try:
            with default_storage.open(path, "rb") as f:
                content = f.read()
        except FileNotFoundError:
            raise SuiteConfigError(
                f"The submitted file {name!r} is missing from storage."
            ) from None
        files.append(PutFile(path=name, content=content, mode=0o644))
    return files + instructor


def _stdin(command: AGTestCommand, setup: RunResult | None) -> bytes | None:
    match command.stdin_source:
        case StdinSource.TEXT:
            return command.stdin_text.encode()
        case StdinSource.INSTRUCTOR_FILE:
            return _instructor_file_bytes(command.stdin_instructor_file, f"stdin of {command.name}")
        case StdinSource.SETUP_STDOUT:
            return setup.stdout if setup else b""
        case StdinSource.SETUP_STDERR:
            return setup.stderr if setup else b""
    return None


def _expected(
    command: AGTestCommand, source: str, text: str, file: InstructorFile | None, stream: str
) -> bytes | None:
    if source == ExpectedOutputSource.TEXT:
        return text.encode()
    if source == ExpectedOutputSource.INSTRUCTOR_FILE:
        return _instructor_file_bytes(file, f"expected {stream} of {command.name}")
    return None


def _values_pass(command: AGTestCommand, stdout: bytes) -> bool:
    try:
        spec = value_checks.spec_parse(command.expected_stdout_text)
    except value_checks.ValueSpecError as error:
        raise SuiteConfigError(f"The returned-value check of {command.name}: {error}") from None
    return value_checks.values_pass(spec, stdout)


def _command_result(command: AGTestCommand, run: RunResult) -> AGTestCommandResult:
    options = scoring.DiffOptions.of(command)
    expected_out = _expected(
        command,
        command.expected_stdout_source,
        command.expected_stdout_text,
        command.expected_stdout_instructor_file,
        "stdout",
    )
    expected_err = _expected(
        command,
        command.expected_stderr_source,
        command.expected_stderr_text,
        command.expected_stderr_instructor_file,
        "stderr",
    )
    rc_ok = scoring.return_code_correct(command.expected_return_code, run.exit_code, run.timed_out)
    out_ok: bool | None
    if command.expected_stdout_source == ExpectedOutputSource.VALUES:
        out_ok = _values_pass(command, run.stdout)
    else:
        out_ok = (
            None
            if expected_out is None
            else scoring.output_matches(expected_out, run.stdout, options)
        )
    err_ok = (
        None if expected_err is None else scoring.output_matches(expected_err, run.stderr, options)
    )
    score = scoring.command_score(command, return_code_ok=rc_ok, stdout_ok=out_ok, stderr_ok=err_ok)
    result = AGTestCommandResult(
        command=command,
        command_name=command.name,
        return_code=run.exit_code
        if run.exit_code is not None
        else (-run.signal if run.signal else None),
        timed_out=run.timed_out,
        out_of_memory=run.out_of_memory,
        return_code_correct=rc_ok,
        stdout_correct=out_ok,
        stderr_correct=err_ok,
        points_awarded=score.awarded,
        points_possible=score.possible,
        duration_ms=round(run.duration_s * 1000),
    )
    output_store(result, "stdout", run.stdout, truncated=run.stdout_truncated)
    output_store(result, "stderr", run.stderr, truncated=run.stderr_truncated)
    return result


def _limits(command: AGTestCommand) -> Limits:
    return Limits(
        timeout_s=float(command.time_limit_s),
        memory_bytes=command.memory_limit_bytes,
        block_process_spawn=command.block_process_spawn,
        max_output_bytes=command.output_cap_bytes,
    )


def suite_image(suite: AGTestSuite) -> ResolvedImage:
    """The image (its last good build) and runtime the suite runs on. One the course may no
    longer use (deleted, or removed from AG_SANDBOX_IMAGES) never reaches Docker."""
    resolved = image_selectors.resolve(
        course_id=suite.project.course_id, reference=suite.sandbox_image
    )
    if resolved is None:
        raise SuiteConfigError(
            "This suite's sandbox image is not one this course may use, so the suite was not "
            "run. Staff: choose another image for the suite, then rerun."
        )
    return resolved


def suite_run(
    *,
    suite: AGTestSuite,
    submission: Submission,
    provider: SandboxProvider,
    only_cases: set[int] | None = None,
    lease_lost: Callable[[], bool] = lambda: False,
    image: image_choice.ImageToRun | None = None,
    env: dict[str, str] | None = None,
) -> SuiteRun:
    """Runs the suite's setup and its test cases (all of them, or `only_cases`) on `image`
    (default: the suite's current image) with the submission's `env` (default: read now).
    The grader reads both beforehand, with retries: a connection dropped since its last
    query shows at a suite's first reads."""
    result = AGTestSuiteResult(submission=submission, suite=suite, suite_name=suite.name)
    if image is None:
        resolved = suite_image(suite)
        image = image_choice.current(tag=resolved.tag, runtime=resolved.runtime)
    result.image = image.image
    result.started_at = timezone.now()
    run = SuiteRun(suite=suite, result=result, cases=[], only_cases=only_cases)
    files = results_file.place_files(suite, submission, _files_to_put(suite, submission))
    cases: list[AGTestCase] = [
        case for case in suite.cases.all() if only_cases is None or case.pk in only_cases
    ]
    spec = ContainerSpec(
        network=suite.allow_network,
        extra_dirs=results_file.extra_dirs(suite),
        runtime=image.runtime,
    )
    if env is None:
        env = submission_env(submission_id=submission.pk)
    # The id after the acquire: a grader that lacked the image has it only once it's pulled.
    sandbox, result.image_digest = image_choice.sandbox_acquire(provider, image, spec)
    last: tuple[AGTestCase, AGTestCommand, RunResult] | None = None
    try:
        sandbox.put_files(files)
        setup: RunResult | None = None
        if suite.setup_command:
            setup = sandbox.run(
                results_file.command_argv(suite, suite.setup_command),
                limits=Limits(
                    timeout_s=float(suite.setup_time_limit_s),
                    max_output_bytes=SETUP_OUTPUT_CAP_BYTES,
                ),
                env=env,
            )
            result.setup_return_code = setup.exit_code
            result.setup_timed_out = setup.timed_out
            output_store(result, "setup_stdout", setup.stdout, truncated=setup.stdout_truncated)
            output_store(result, "setup_stderr", setup.stderr, truncated=setup.stderr_truncated)
            if run.setup_failed and suite.reject_submission_if_setup_fails:
                return run
        for case in cases:
            case_run = CaseRun(result=AGTestCaseResult(case=case, case_name=case.name), commands=[])
            for command in case.commands.all():
                if lease_lost():
                    raise LeaseLostError
                stdin = _stdin(command, setup)
                command_run = sandbox.run(
                    results_file.command_argv(suite, command.cmd),
                    stdin=stdin,
                    limits=_limits(command),
                    env=env,
                )
                last = (case, command, command_run)
                case_run.commands.append(_command_result(command, command_run))
            run.cases.append(case_run)
        if suite.results_format and last is not None:
            run.cases += _results_file_cases(suite, sandbox, run.cases[-1], last)
    finally:
        sandbox.release()
    return run


def _results_file_cases(
    suite: AGTestSuite,
    sandbox: Sandbox,
    grader_case: CaseRun,
    last: tuple[AGTestCase, AGTestCommand, RunResult],
) -> list[CaseRun]:
    """A results-file suite's tests, each under the case and command that ran last; that
    case's own result (the grader's output) gets the visibility the file gives it."""
    case, command, run = last
    tests, grader_visibility = results_file.file_tests(suite, sandbox, run)
    grader_case.result.file_visibility = grader_visibility
    return [
        CaseRun(result=case_result, commands=[command_result])
        for case_result, command_result in results_file.file_case_results(tests, case, command)
    ]
