"""Who sees what of a submission's results.

`feedback_category_for` is the one place that decides the feedback category for a user and a
submission; every endpoint that returns results or output asks it first. The rest of this
module filters the stored results down to what that category shows.
"""

import dataclasses
import datetime
from decimal import Decimal
from typing import Any, Literal

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from autograder.accounts.models import User
from autograder.common.errors import ApplicationError, NotFoundError, PermissionDeniedError
from autograder.common.markdown import markdown_html
from autograder.grading.config.feedback_settings import (
    CASE_DEFAULTS,
    COMMAND_DEFAULTS,
    SUITE_DEFAULTS,
    CaseFeedback,
    CommandFeedback,
    FeedbackCategory,
    OutputFeedback,
    SuiteFeedback,
)
from autograder.grading.config.models import ExpectedOutputSource
from autograder.grading.config.scoring import case_points
from autograder.grading.mutation.feedback import (
    MutationSuiteFeedbackOutput,
    mutation_feedback_of,
    mutation_points_shown,
)
from autograder.grading.results import file_visibility
from autograder.grading.results import selectors as results_selectors
from autograder.grading.results.final_graded import (
    final_graded_submission,
    final_graded_submission_for_user,
)
from autograder.grading.results.models import (
    AGTestCaseResult,
    AGTestCommandResult,
    AGTestSuiteResult,
)
from autograder.grading.results.viewer_policies import handgraders_may_read_results
from autograder.groups.models import Group
from autograder.groups.selectors import group_is_member_with_roles
from autograder.projects.selectors import project_check_readable
from autograder.submissions.models import Submission, SubmissionStatus

REQUESTABLE_CATEGORIES = (
    FeedbackCategory.NORMAL,
    FeedbackCategory.PAST_LIMIT,
    FeedbackCategory.FINAL_GRADED,
    FeedbackCategory.STAFF_VIEWER,
)
"""`first_failed_test` is not requested: it overrides `normal` for one command."""

CommandStream = Literal["stdout", "stderr", "stdout_diff", "stderr_diff"]
SetupStream = Literal["setup_stdout", "setup_stderr"]


# --- The category ----------------------------------------------------------------------------


def feedback_category_for(
    *,
    user: User | AnonymousUser,
    submission: Submission,
    requested: FeedbackCategory | str | None = None,
) -> FeedbackCategory:
    """The category `user` sees `submission` with: `requested` if they may have it (else
    PermissionDeniedError), or the best one they may have.

    - Group members (students): `normal`, or `past_limit` for a submission past the daily
      limit; and `final_graded` for their final graded submission once their deadline has
      passed (the group's extension or the project's closing time, plus late days they used;
      a project without a closing time is past it), unless the project hides it.
    - Staff looking at another group's submission: `staff_viewer`, and `final_graded` for the
      group's final graded submission once the group's deadline has passed.
    - Staff in the submission's group, and admins: any category.
    - Handgraders: `staff_viewer`, except for their own group's submissions (a student who
      also handgrades sees their own results as a student).

    Users without a role in the course get 403; students asking under a hidden project 404.
    """
    wanted = _parse_category(requested)
    allowed = _allowed_categories(user=user, submission=submission)
    if wanted is None:
        return allowed[0]
    if wanted not in allowed:
        raise PermissionDeniedError(
            f"You may not see this submission's results with {wanted.value} feedback."
        )
    return wanted


def _parse_category(requested: FeedbackCategory | str | None) -> FeedbackCategory | None:
    if requested is None or requested == "":
        return None
    if requested in {c.value for c in REQUESTABLE_CATEGORIES}:
        return FeedbackCategory(requested)
    choices = ", ".join(c.value for c in REQUESTABLE_CATEGORIES)
    message = f"Unknown feedback category {requested!r}; choose one of {choices}."
    raise ApplicationError(message, code="invalid", fields={"feedback_category": [message]})


def _allowed_categories(
    *, user: User | AnonymousUser, submission: Submission
) -> list[FeedbackCategory]:
    """Allowed categories, the default first."""
    group = submission.group
    # Membership first: its query reads the user's roles too, for the check that follows.
    is_member = isinstance(user, User) and group_is_member_with_roles(group=group, user=user)
    roles = project_check_readable(user=user, project=group.project)
    if roles.is_admin or (roles.is_staff and is_member):
        return [FeedbackCategory.STAFF_VIEWER, *_others(FeedbackCategory.STAFF_VIEWER)]
    allowed: list[FeedbackCategory] = []
    if roles.is_staff or (
        roles.is_handgrader and not is_member and handgraders_may_read_results(group.project)
    ):
        allowed.append(FeedbackCategory.STAFF_VIEWER)
    if roles.is_staff and _staff_may_see_final_graded(submission):
        allowed.append(FeedbackCategory.FINAL_GRADED)
    if is_member:
        assert isinstance(user, User)
        allowed.extend(c for c in _member_categories(user, submission) if c not in allowed)
    if not allowed:
        raise PermissionDeniedError("You are not a member of this group.")
    return allowed


def _others(first: FeedbackCategory) -> list[FeedbackCategory]:
    return [c for c in REQUESTABLE_CATEGORIES if c != first]


def _member_categories(user: User, submission: Submission) -> list[FeedbackCategory]:
    group = submission.group
    categories = []
    if submission.status == SubmissionStatus.FINISHED_GRADING and final_graded_shown_to_member(
        group=group, user=user
    ):
        final = final_graded_submission_for_user(group=group, user=user)
        if final is not None and final.pk == submission.pk:
            categories.append(FeedbackCategory.FINAL_GRADED)
    if submission.is_past_daily_limit:
        categories.append(FeedbackCategory.PAST_LIMIT)
    else:
        categories.append(FeedbackCategory.NORMAL)
    return categories


def final_graded_shown_to_member(*, group: Group, user: User) -> bool:
    """Whether `user`, a member of `group`, may see final graded feedback yet: the project
    doesn't hide it and their deadline (with the late days they used) has passed."""
    if group.project.hide_final_graded_feedback:
        return False
    return _deadline_passed(group, late_days=int(group.late_days_used.get(str(user.pk), 0)))


def _staff_may_see_final_graded(submission: Submission) -> bool:
    group = submission.group
    if submission.status != SubmissionStatus.FINISHED_GRADING:
        return False
    most_late_days = max((int(days) for days in group.late_days_used.values()), default=0)
    if not _deadline_passed(group, late_days=most_late_days):
        return False
    final = final_graded_submission(group=group)
    return final is not None and final.pk == submission.pk


def _deadline_passed(group: Group, *, late_days: int) -> bool:
    deadline = group.extended_due_date or group.project.closing_time
    if deadline is None:
        return True
    return timezone.now() > deadline + datetime.timedelta(days=late_days)


# --- What a category shows -------------------------------------------------------------------


@dataclasses.dataclass
class _Command:
    result: AGTestCommandResult
    settings: CommandFeedback
    counts: bool
    """Whether its points count towards its test case (its configuration still exists, or
    the test case's is gone too)."""


@dataclasses.dataclass
class _Case:
    result: AGTestCaseResult
    settings: CaseFeedback
    commands: list[_Command]
    counts: bool


@dataclasses.dataclass
class _Suite:
    result: AGTestSuiteResult
    settings: SuiteFeedback
    cases: list[_Case]
    counts: bool


def _suite_settings(result: AGTestSuiteResult, category: FeedbackCategory) -> SuiteFeedback | None:
    if result.suite is None:
        staff = category == FeedbackCategory.STAFF_VIEWER
        return SUITE_DEFAULTS[FeedbackCategory.STAFF_VIEWER] if staff else None
    settings = result.suite.feedback_settings()[category]
    return settings if settings.visible else None


def _case_settings(result: AGTestCaseResult, category: FeedbackCategory) -> CaseFeedback | None:
    if result.case is None:
        staff = category == FeedbackCategory.STAFF_VIEWER
        return CASE_DEFAULTS[FeedbackCategory.STAFF_VIEWER] if staff else None
    settings = result.case.feedback_settings()[category]
    if not file_visibility.shown_in(result.file_visibility, category):
        return None  # a test read from a results file, not shown in this category
    return settings if settings.visible else None


def _command_settings(
    result: AGTestCommandResult, category: FeedbackCategory, *, first_failed: bool
) -> CommandFeedback | None:
    if result.command is None:
        staff = category == FeedbackCategory.STAFF_VIEWER
        return COMMAND_DEFAULTS[FeedbackCategory.STAFF_VIEWER] if staff else None
    all_settings = result.command.feedback_settings()
    override = all_settings.get(FeedbackCategory.FIRST_FAILED_TEST)
    settings = override if first_failed and override is not None else all_settings[category]
    return settings if settings.visible else None


def _failed(result: AGTestCommandResult) -> bool:
    checks = (result.return_code_correct, result.stdout_correct, result.stderr_correct)
    return any(check is False for check in checks)


def _first_failed_command(suites: list[AGTestSuiteResult]) -> int | None:
    """The id of the first failing command result, in order, among those `normal` feedback
    could show (visible, or with a first-failed-test override), so that hidden commands never
    decide who gets the override."""
    normal = FeedbackCategory.NORMAL
    for suite in suites:
        if _suite_settings(suite, normal) is None:
            continue
        for case in results_selectors.ordered_cases(suite):
            if _case_settings(case, normal) is None:
                continue
            for command in results_selectors.ordered_commands(case):
                if command.command is None:
                    continue
                settings = command.command.feedback_settings()
                could_show = settings[normal].visible or (
                    FeedbackCategory.FIRST_FAILED_TEST in settings
                )
                if could_show and _failed(command):
                    return command.pk
    return None


def _visible_tree(*, submission: Submission, category: FeedbackCategory) -> list[_Suite]:
    suites = results_selectors.suite_results_of(submission_id=submission.pk)
    first_failed = _first_failed_command(suites) if category == FeedbackCategory.NORMAL else None
    tree = []
    for suite in suites:
        suite_settings = _suite_settings(suite, category)
        if suite_settings is None:
            continue
        cases = []
        for case in results_selectors.ordered_cases(suite):
            case_settings = _case_settings(case, category)
            if case_settings is None:
                continue
            commands = []
            for command in results_selectors.ordered_commands(case):
                settings = _command_settings(
                    command, category, first_failed=command.pk == first_failed
                )
                if settings is not None:
                    counts = command.command is not None or case.case is None
                    commands.append(_Command(command, settings, counts))
            counts = case.case is not None or suite.suite is None
            cases.append(_Case(case, case_settings, commands, counts))
        tree.append(_Suite(suite, suite_settings, cases, suite.suite is not None))
    return tree


def _case_score(case: _Case) -> tuple[int, int]:
    shown = [c for c in case.commands if c.counts and c.settings.show_points]
    awarded = case_points([c.result.points_awarded for c in shown])
    return awarded, sum(c.result.points_possible for c in shown)


def _suite_score(suite: _Suite) -> tuple[int, int]:
    scores = [_case_score(case) for case in suite.cases if case.counts]
    return sum(s[0] for s in scores), sum(s[1] for s in scores)


def _shown(show: bool, value: Any) -> Any:
    return value if show else None


# --- The response shape: the results endpoint sends these, serialized as they are -------------


@dataclasses.dataclass(frozen=True)
class CommandFeedbackOutput:
    """One command's result as a category shows it; a hidden value is None."""

    id: int
    command: int | None
    name: str
    config_deleted: bool
    feedback: dict[str, Any] = dataclasses.field(
        metadata={"serializer_kwargs": {"help_text": "The settings this command was shown with."}}
    )
    timed_out: bool | None
    out_of_memory: bool | None
    return_code_correct: bool | None
    expected_return_code: str | None
    actual_return_code: int | None
    stdout_correct: bool | None
    stdout_diff_available: bool
    stdout_available: bool
    stdout_size: int | None
    stdout_truncated: bool | None
    stderr_correct: bool | None
    stderr_diff_available: bool
    stderr_available: bool
    stderr_size: int | None
    stderr_truncated: bool | None
    points_awarded: int | None
    points_possible: int | None
    error_message: str | None


@dataclasses.dataclass(frozen=True)
class CaseFeedbackOutput:
    id: int
    case: int | None
    name: str
    config_deleted: bool
    points_awarded: int
    points_possible: int
    commands: list[CommandFeedbackOutput] | None
    """None when the test case's feedback hides its individual commands."""
    description_html: str
    """The test case's description (Markdown, sanitized HTML); "" when there is none."""
    hint_html: str
    """The student hint, only when this view shows the test failing; else ""."""
    staff_notes_html: str | None
    """Staff notes, only in the staff viewer category; else None."""


@dataclasses.dataclass(frozen=True)
class SuiteFeedbackOutput:
    id: int
    suite: int | None
    name: str
    config_deleted: bool
    error_message: str
    setup_return_code: int | None
    setup_timed_out: bool | None
    setup_stdout_available: bool
    setup_stdout_size: int | None
    setup_stdout_truncated: bool | None
    setup_stderr_available: bool
    setup_stderr_size: int | None
    setup_stderr_truncated: bool | None
    points_awarded: int
    points_possible: int
    cases: list[CaseFeedbackOutput] | None
    """None when the suite's feedback hides its individual test cases."""
    description_html: str
    staff_notes_html: str | None
    image: str | None
    """The sandbox image the suite ran on (by digest when it came from the sandbox registry),
    only in the staff viewer category; else None."""
    image_digest: str | None
    """Docker's id of that image on the grader, only in the staff viewer category."""


@dataclasses.dataclass(frozen=True)
class SubmissionFeedbackOutput:
    submission: int
    feedback_category: FeedbackCategory
    points_awarded: Decimal
    """Decimal: a mutation suite's points may be fractional (suites' points are whole)."""
    points_possible: Decimal
    suites: list[SuiteFeedbackOutput]
    mutation_suites: list[MutationSuiteFeedbackOutput]
    """Mutation suites (students' tests against buggy implementations), counted in the totals."""


def _output_fields(
    result: AGTestCommandResult, settings: CommandFeedback, stream: str
) -> dict[str, Any]:
    level: OutputFeedback = getattr(settings, f"{stream}_feedback")
    show_actual: bool = getattr(settings, f"show_actual_{stream}")
    return {
        f"{stream}_correct": _shown(
            level != OutputFeedback.NONE, getattr(result, f"{stream}_correct")
        ),
        f"{stream}_diff_available": _diff_available(result, settings, stream),
        f"{stream}_available": show_actual,
        f"{stream}_size": _shown(show_actual, getattr(result, f"{stream}_size")),
        f"{stream}_truncated": _shown(show_actual, getattr(result, f"{stream}_truncated")),
    }


def _diff_level_shown(settings: CommandFeedback, stream: str) -> bool:
    return bool(getattr(settings, f"{stream}_feedback") == OutputFeedback.EXPECTED_AND_ACTUAL)


def _has_expected_output(result: AGTestCommandResult, stream: str) -> bool:
    command = result.command
    if command is None:
        return False
    source = getattr(command, f"expected_{stream}_source")
    if source == ExpectedOutputSource.INSTRUCTOR_FILE:
        return getattr(command, f"expected_{stream}_instructor_file_id") is not None
    return source in (ExpectedOutputSource.TEXT, ExpectedOutputSource.VALUES)


def _diff_available(result: AGTestCommandResult, settings: CommandFeedback, stream: str) -> bool:
    return _diff_level_shown(settings, stream) and _has_expected_output(result, stream)


def _command_output(command: _Command, category: FeedbackCategory) -> CommandFeedbackOutput:
    result, settings = command.result, command.settings
    return_code_level = settings.return_code_feedback
    expected_return_code = (
        result.command.expected_return_code
        if result.command is not None and return_code_level == OutputFeedback.EXPECTED_AND_ACTUAL
        else None
    )
    return CommandFeedbackOutput(
        id=result.pk,
        command=result.command_id,
        name=result.command_name,
        config_deleted=result.command is None,
        feedback=settings.to_json(),
        timed_out=_shown(settings.show_whether_timed_out, result.timed_out),
        out_of_memory=_shown(settings.show_whether_timed_out, result.out_of_memory),
        return_code_correct=_shown(
            return_code_level != OutputFeedback.NONE, result.return_code_correct
        ),
        expected_return_code=expected_return_code,
        actual_return_code=_shown(settings.show_actual_return_code, result.return_code),
        **_output_fields(result, settings, "stdout"),
        **_output_fields(result, settings, "stderr"),
        points_awarded=_shown(settings.show_points, result.points_awarded),
        points_possible=_shown(settings.show_points, result.points_possible),
        error_message=_shown(category == FeedbackCategory.STAFF_VIEWER, result.error_message),
    )


def _shown_failing(command: CommandFeedbackOutput) -> bool:
    """Whether this view tells the viewer the command failed a check (or timed out)."""
    checks = (command.return_code_correct, command.stdout_correct, command.stderr_correct)
    return any(check is False for check in checks) or bool(command.timed_out)


def _staff_notes(text: str, category: FeedbackCategory) -> str | None:
    return markdown_html(text) if category == FeedbackCategory.STAFF_VIEWER else None


def _case_texts(case: _Case, category: FeedbackCategory) -> dict[str, Any]:
    """Description, hint and staff notes. The hint appears only when the commands this view
    shows say the test failed, so it never gives away a result the feedback hides."""
    config = case.result.case
    if config is None:
        return {"description_html": "", "hint_html": "", "staff_notes_html": None}
    awarded, possible = _case_score(case)
    failing = awarded < possible or (
        case.settings.show_individual_commands
        and any(_shown_failing(_command_output(c, category)) for c in case.commands)
    )
    return {
        "description_html": markdown_html(config.description),
        "hint_html": markdown_html(config.student_hint) if failing else "",
        "staff_notes_html": _staff_notes(config.staff_notes, category),
    }


def _case_output(case: _Case, category: FeedbackCategory) -> CaseFeedbackOutput:
    awarded, possible = _case_score(case)
    commands = (
        [_command_output(c, category) for c in case.commands]
        if case.settings.show_individual_commands
        else None
    )
    return CaseFeedbackOutput(
        id=case.result.pk,
        case=case.result.case_id,
        name=case.result.case_name,
        config_deleted=case.result.case is None,
        points_awarded=awarded,
        points_possible=possible,
        commands=commands,
        **_case_texts(case, category),
    )


def _suite_output(suite: _Suite, category: FeedbackCategory) -> SuiteFeedbackOutput:
    result, settings = suite.result, suite.settings
    awarded, possible = _suite_score(suite)
    cases = (
        [_case_output(case, category) for case in suite.cases]
        if settings.show_individual_tests
        else None
    )
    return SuiteFeedbackOutput(
        id=result.pk,
        suite=result.suite_id,
        name=result.suite_name,
        config_deleted=result.suite is None,
        error_message=result.error_message,
        setup_return_code=_shown(settings.show_setup_return_code, result.setup_return_code),
        setup_timed_out=_shown(settings.show_setup_timed_out, result.setup_timed_out),
        setup_stdout_available=settings.show_setup_stdout,
        setup_stdout_size=_shown(settings.show_setup_stdout, result.setup_stdout_size),
        setup_stdout_truncated=_shown(settings.show_setup_stdout, result.setup_stdout_truncated),
        setup_stderr_available=settings.show_setup_stderr,
        setup_stderr_size=_shown(settings.show_setup_stderr, result.setup_stderr_size),
        setup_stderr_truncated=_shown(settings.show_setup_stderr, result.setup_stderr_truncated),
        points_awarded=awarded,
        points_possible=possible,
        cases=cases,
        description_html=markdown_html(result.suite.description) if result.suite else "",
        staff_notes_html=_staff_notes(result.suite.staff_notes, category) if result.suite else None,
        image=result.image if category == FeedbackCategory.STAFF_VIEWER else None,
        image_digest=result.image_digest if category == FeedbackCategory.STAFF_VIEWER else None,
    )


def submission_feedback(
    *, submission: Submission, category: FeedbackCategory
) -> SubmissionFeedbackOutput:
    """The submission's results as `category` shows them: hidden suites, test cases and
    commands are left out, hidden values are null, and totals add up only the points shown
    (each test case floored at zero). Output itself is never included; the `*_available`
    flags say which output endpoints will answer."""
    tree = _visible_tree(submission=submission, category=category)
    scores: list[tuple[int | Decimal, int | Decimal]] = [
        _suite_score(suite) for suite in tree if suite.counts
    ]
    mutation = mutation_feedback_of(submission_id=submission.pk, category=category)
    scores.append(mutation_points_shown(mutation))
    return SubmissionFeedbackOutput(
        submission=submission.pk,
        feedback_category=category,
        points_awarded=sum((Decimal(s[0]) for s in scores), Decimal(0)),
        points_possible=sum((Decimal(s[1]) for s in scores), Decimal(0)),
        suites=[_suite_output(suite, category) for suite in tree],
        mutation_suites=mutation,
    )


# --- Output access ---------------------------------------------------------------------------


def _reachable_command(tree: list[_Suite], command_result_id: int) -> _Command | None:
    for suite in tree:
        if not suite.settings.show_individual_tests:
            continue
        for case in suite.cases:
            if not case.settings.show_individual_commands:
                continue
            for command in case.commands:
                if command.result.pk == command_result_id:
                    return command
    return None


def command_stream_check(
    *, command_result: AGTestCommandResult, category: FeedbackCategory, stream: CommandStream
) -> None:
    """Raises unless `category` shows `stream` of this command result: NotFoundError when the
    command itself is hidden, PermissionDeniedError when only this output is."""
    submission = command_result.case_result.suite_result.submission
    tree = _visible_tree(submission=submission, category=category)
    found = _reachable_command(tree, command_result.pk)
    if found is None:
        raise NotFoundError("No such command result.")
    if stream in ("stdout_diff", "stderr_diff"):
        base = stream.removesuffix("_diff")
        if not _diff_level_shown(found.settings, base):
            raise PermissionDeniedError(
                f"The {base} diff of this command is not shown with {category.value} feedback."
            )
        if not _has_expected_output(found.result, base):
            raise NotFoundError(f"This command has no expected {base} to compare with.")
        return
    if not getattr(found.settings, f"show_actual_{stream}"):
        raise PermissionDeniedError(
            f"The {stream} of this command is not shown with {category.value} feedback."
        )


def suite_stream_check(
    *, suite_result: AGTestSuiteResult, category: FeedbackCategory, stream: SetupStream
) -> None:
    """As `command_stream_check`, for a suite's setup output."""
    settings = _suite_settings(suite_result, category)
    if settings is None:
        raise NotFoundError("No such suite result.")
    if not getattr(settings, f"show_{stream}"):
        raise PermissionDeniedError(
            f"The {stream.replace('_', ' ')} of this suite is not shown with "
            f"{category.value} feedback."
        )
