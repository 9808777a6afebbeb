import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction

from autograder.accounts.models import User
from autograder.common.errors import ApplicationError
from autograder.courses import selectors, services
from autograder.courses.models import Course, CourseMembership, LateDayBalance, Role, Semester
from autograder.courses.roles import course_roles
from autograder.courses.roster_input import from_list, from_text
from autograder.courses.selectors import RosterMode, RosterPlan
from autograder.courses.services import RosterChange
from autograder.groups.models import Group
from autograder.projects import services as project_services
from autograder.projects.models import ExpectedStudentFile, InstructorFile, Project
from autograder.submissions.models import Submission
from tests import factories
from tests.courses.conftest import stored_files

pytestmark = pytest.mark.django_db


def names(course: Course, role: Role) -> list[str]:
    return list(
        selectors.members_with_role(course=course, role=role).values_list("username", flat=True)
    )


def course_with_admin(admin_name: str = "boss@example.edu") -> tuple[Course, User]:
    admin = factories.make_user(admin_name)
    course = services.course_create(
        creator=admin, name="EECS 280", semester=Semester.FALL, year=2026
    )
    return course, admin


# --- Courses --------------------------------------------------------------------------------


def test_creator_becomes_admin_and_thus_staff() -> None:
    creator = factories.make_user()
    course = services.course_create(
        creator=creator,
        name="  EECS 280  ",
        semester=Semester.WINTER,
        year=2027,
        subtitle="Programming",
        num_late_days=3,
    )
    assert course.name == "EECS 280"
    assert names(course, Role.ADMIN) == [creator.username]
    roles = course_roles(creator, course)
    assert roles.is_admin and roles.is_staff


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"name": "   "}, "name"),
        ({"year": 1999}, "year"),
        ({"semester": "monsoon"}, "semester"),
        ({"name": "x" * 256}, "name"),
    ],
)
def test_create_rejects_bad_fields(fields: dict[str, Any], bad_field: str) -> None:
    base: dict[str, Any] = {"name": "C", "semester": Semester.FALL, "year": 2026}
    with pytest.raises(ApplicationError) as exc:
        services.course_create(creator=factories.make_user(), **(base | fields))
    assert exc.value.status == 400
    assert bad_field in exc.value.fields
    assert not Course.objects.exists()


def test_same_name_semester_and_year_is_a_400_on_name() -> None:
    _, admin = course_with_admin()
    with pytest.raises(ApplicationError) as exc:
        services.course_create(creator=admin, name="EECS 280", semester=Semester.FALL, year=2026)
    assert (exc.value.status, exc.value.code) == (400, "duplicate_course")
    assert "name" in exc.value.fields
    services.course_create(creator=admin, name="EECS 280", semester=Semester.FALL, year=2027)
    other = services.course_create(
        creator=admin, name="EECS 281", semester=Semester.FALL, year=2026
    )
    with pytest.raises(ApplicationError) as exc:
        services.course_update(course=other, name="EECS 280")
    assert exc.value.code == "duplicate_course"
    assert Course.objects.get(pk=other.pk).name == "EECS 281"


def test_update_changes_fields() -> None:
    course, _ = course_with_admin()
    updated = services.course_update(course=course, subtitle="Data Structures", num_late_days=5)
    assert (updated.subtitle, updated.num_late_days) == ("Data Structures", 5)
    with pytest.raises(ApplicationError) as exc:
        services.course_update(course=course, year=3000)
    assert "year" in exc.value.fields


def test_delete_removes_projects_but_not_courses_with_submissions() -> None:
    course, _ = course_with_admin()
    project = factories.make_project(course)
    services.course_delete(course=course)
    assert not Course.objects.exists() and not Project.objects.filter(pk=project.pk).exists()

    course, _ = course_with_admin("boss2@example.edu")
    project = factories.make_project(course)
    student = factories.add_role(course, factories.make_user(), Role.STUDENT)
    group = factories.make_group(project, student)
    Submission.objects.create(group=group, project=project, submitter=student)
    with pytest.raises(ApplicationError) as exc:
        services.course_delete(course=course)
    assert (exc.value.status, exc.value.code) == (409, "course_has_submissions")
    assert Course.objects.filter(pk=course.pk).exists()


# --- Rosters --------------------------------------------------------------------------------


def test_add_finds_users_by_username_or_email_and_creates_accounts_for_new_addresses() -> None:
    course, _ = course_with_admin()
    known = factories.make_user("alice")
    known.email = "Alice.Smith@Example.edu"
    known.save()
    factories.make_user("bob@example.edu")
    factories.make_user("dave")
    change = services.roster_add(
        course=course,
        role=Role.STUDENT,
        roster=from_list(
            ["alice.smith@example.edu", "BOB@example.edu", "carol@example.edu", "dave"]
        ),
    )
    assert names(course, Role.STUDENT) == ["alice", "bob@example.edu", "carol@example.edu", "dave"]
    assert [user.username for user in change.created] == ["carol@example.edu"]
    carol = User.objects.get(username="carol@example.edu")
    assert carol.email == "carol@example.edu" and not carol.has_usable_password()


def test_the_pasted_roster_of_the_issue_makes_one_named_account() -> None:
    """`Carol New <carol.new@demo.test>` once made three accounts ("Carol", "New" and
    "<carol.new@demo.test>"); it names one person."""
    course, _ = course_with_admin()
    users_before = User.objects.count()
    change = services.roster_add(
        course=course,
        role=Role.STUDENT,
        roster=from_text('Carol New <carol.new@demo.test>\n"Lee, Ann" <ann@demo.test>'),
    )
    assert User.objects.count() == users_before + 2
    assert [(u.username, u.email, u.first_name, u.last_name) for u in change.created] == [
        ("ann@demo.test", "ann@demo.test", "Ann", "Lee"),
        ("carol.new@demo.test", "carol.new@demo.test", "Carol", "New"),
    ]
    assert names(course, Role.STUDENT) == ["ann@demo.test", "carol.new@demo.test"]


def test_a_name_given_with_an_existing_account_changes_nothing_about_it() -> None:
    course, _ = course_with_admin()
    existing = factories.make_user("kim@demo.test")
    existing.first_name, existing.last_name = "Kim", "Park"
    existing.save()
    services.roster_add(
        course=course, role=Role.STUDENT, roster=from_list(["Someone Else <kim@demo.test>"])
    )
    existing.refresh_from_db()
    assert (existing.first_name, existing.last_name) == ("Kim", "Park")
    assert names(course, Role.STUDENT) == ["kim@demo.test"]


@pytest.mark.parametrize(
    "write", [services.roster_add, services.roster_replace], ids=["add", "replace"]
)
def test_a_word_that_is_no_address_and_no_username_is_refused_by_line(
    write: Callable[..., RosterChange],
) -> None:
    course, _ = course_with_admin()
    factories.make_user("existing")
    users_before = User.objects.count()
    text = "ok@demo.test\nnot-an-email\nexisting\nCarol New\n"
    with pytest.raises(ApplicationError) as exc:
        write(course=course, role=Role.STUDENT, roster=from_text(text))
    assert (exc.value.status, exc.value.code) == (400, "invalid_identifiers")
    assert exc.value.fields == {
        "text": {
            "2": ["'not-an-email' is not an email address, and no account has that username."],
            "4": ["'Carol New' has no email address."],
        }
    }
    assert exc.value.message.startswith("2 lines of the roster can't be used")
    assert User.objects.count() == users_before
    assert names(course, Role.STUDENT) == []


def test_add_is_idempotent_and_collapses_duplicates() -> None:
    course, _ = course_with_admin()
    first = services.roster_add(
        course=course,
        role=Role.STAFF,
        roster=from_list(["ta@example.edu", "ta@example.edu", "TA@example.edu"]),
    )
    assert [user.username for user in first.added] == ["ta@example.edu"]
    again = services.roster_add(
        course=course, role=Role.STAFF, roster=from_list(["ta@example.edu"])
    )
    assert again.added == [] and again.created == []
    assert CourseMembership.objects.filter(course=course, role=Role.STAFF).count() == 1


def test_adding_an_admin_does_not_add_them_to_staff() -> None:
    course, _ = course_with_admin()
    services.roster_add(course=course, role=Role.ADMIN, roster=from_list(["prof@example.edu"]))
    prof = User.objects.get(username="prof@example.edu")
    assert course_roles(prof, course).is_staff
    assert "prof@example.edu" not in names(course, Role.STAFF)


def test_invalid_identifiers_are_reported_by_index_and_nothing_is_stored() -> None:
    course, _ = course_with_admin()
    users_before = User.objects.count()
    bad = ["ok@example.edu", "", "two words", "x" * 151, "nul\x00", "zero\u200bwidth", "fine@x.io"]
    for write in (services.roster_add, services.roster_replace, services.roster_remove):
        with pytest.raises(ApplicationError) as exc:
            write(course=course, role=Role.STUDENT, roster=from_list(bad))
        assert (exc.value.status, exc.value.code) == (400, "invalid_identifiers")
        assert set(exc.value.fields["users"]) == {"1", "2", "3", "4", "5"}
    assert User.objects.count() == users_before
    assert names(course, Role.STUDENT) == []


def test_an_identifier_matching_two_accounts_is_refused() -> None:
    course, _ = course_with_admin()
    factories.make_user("Sam@example.edu")
    factories.make_user("sam@EXAMPLE.edu")
    with pytest.raises(ApplicationError) as exc:
        services.roster_add(
            course=course, role=Role.STUDENT, roster=from_list(["ok@x.io", "SAM@example.edu"])
        )
    assert exc.value.code == "invalid_identifiers"
    assert exc.value.fields == {
        "users": {
            "1": ["'SAM@example.edu' matches more than one account; give the exact username."]
        }
    }
    assert names(course, Role.STUDENT) == []


def add_students(course: Course, *people: str) -> list[User]:
    services.roster_add(course=course, role=Role.STUDENT, roster=from_list(list(people)))
    return [User.objects.get(username=person) for person in people]


def test_remove_reports_who_was_not_on_the_roster() -> None:
    course, _ = course_with_admin()
    a, _b, _c = add_students(course, "a@x.io", "b@x.io", "c@x.io")
    factories.add_role(course, a, Role.STAFF)
    change = services.roster_remove(
        course=course,
        role=Role.STUDENT,
        roster=from_list(["a@x.io", "c@x.io", "nobody", "boss@example.edu"]),
    )
    assert [user.username for user in change.removed] == ["a@x.io", "c@x.io"]
    assert change.not_found == ["nobody", "boss@example.edu"]
    assert names(course, Role.STUDENT) == ["b@x.io"]
    assert course_roles(a, course).is_staff, "other roles stay"
    assert not User.objects.filter(username="nobody").exists()


def test_replace_makes_the_roster_exactly_the_list() -> None:
    course, _ = course_with_admin()
    add_students(course, "a@x.io", "b@x.io", "c@x.io")
    services.roster_add(course=course, role=Role.HANDGRADER, roster=from_list(["a@x.io"]))
    change = services.roster_replace(
        course=course, role=Role.STUDENT, roster=from_list(["c@x.io", "d@x.io"])
    )
    assert names(course, Role.STUDENT) == ["c@x.io", "d@x.io"]
    assert [user.username for user in change.added] == ["d@x.io"]
    assert [user.username for user in change.removed] == ["a@x.io", "b@x.io"]
    assert [user.username for user in change.created] == ["d@x.io"]
    assert names(course, Role.HANDGRADER) == ["a@x.io"], "other roles are untouched"
    services.roster_replace(course=course, role=Role.STUDENT, roster=from_list([]))
    assert names(course, Role.STUDENT) == []


def test_the_last_admin_cannot_be_removed() -> None:
    course, admin = course_with_admin()
    attempts: list[Callable[[], RosterChange]] = [
        lambda: services.roster_remove(
            course=course, role=Role.ADMIN, roster=from_list([admin.username])
        ),
        lambda: services.roster_replace(course=course, role=Role.ADMIN, roster=from_list([])),
    ]
    for attempt in attempts:
        with pytest.raises(ApplicationError) as exc:
            attempt()
        assert (exc.value.status, exc.value.code) == (409, "last_admin")
    assert names(course, Role.ADMIN) == [admin.username]

    services.roster_replace(course=course, role=Role.ADMIN, roster=from_list(["new@example.edu"]))
    assert names(course, Role.ADMIN) == ["new@example.edu"]
    services.roster_add(course=course, role=Role.ADMIN, roster=from_list([admin.username]))
    services.roster_remove(course=course, role=Role.ADMIN, roster=from_list(["new@example.edu"]))
    assert names(course, Role.ADMIN) == [admin.username]


# --- Roster previews ------------------------------------------------------------------------


def plan(course: Course, mode: RosterMode, text: str, role: Role = Role.STUDENT) -> RosterPlan:
    return selectors.roster_plan(course=course, role=role, mode=mode, roster=from_text(text))


def test_a_preview_tells_new_accounts_from_existing_ones_and_writes_nothing() -> None:
    course, _ = course_with_admin()
    add_students(course, "stays@x.io", "goes@x.io")
    factories.make_user("known@x.io")
    users_before = User.objects.count()
    text = "Carol New <carol@x.io>\nknown@x.io, stays@x.io\nnot-an-email\n"
    for mode in (RosterMode.ADD, RosterMode.REPLACE):
        preview = plan(course, mode, text)
        assert [(p.entry.identifier, p.user) for p in preview.add] == [
            ("carol@x.io", None),
            ("known@x.io", User.objects.get(username="known@x.io")),
        ]
        assert [p.entry.identifier for p in preview.unchanged] == ["stays@x.io"]
        assert [(p.position, p.written) for p in preview.problems] == [(3, "not-an-email")]
        removed = [user.username for user in preview.remove]
        assert removed == ([] if mode == RosterMode.ADD else ["goes@x.io"])
    removal = plan(course, RosterMode.REMOVE, "goes@x.io\nnot-an-email\nknown@x.io")
    assert [user.username for user in removal.remove] == ["goes@x.io"]
    assert [entry.identifier for entry in removal.not_found] == ["not-an-email", "known@x.io"]
    assert removal.problems == []
    assert User.objects.count() == users_before
    assert names(course, Role.STUDENT) == ["goes@x.io", "stays@x.io"]


def test_a_preview_says_when_the_last_admin_would_go() -> None:
    course, admin = course_with_admin()
    assert (
        "at least one admin" in plan(course, RosterMode.REMOVE, admin.username, Role.ADMIN).conflict
    )
    assert "at least one admin" in plan(course, RosterMode.REPLACE, "", Role.ADMIN).conflict
    assert plan(course, RosterMode.REPLACE, "new@x.io", Role.ADMIN).conflict == ""


def test_what_a_preview_shows_is_what_the_change_does() -> None:
    course, _ = course_with_admin()
    add_students(course, "old@x.io", "both@x.io")
    text = "Pat Doe <pat@x.io>, both@x.io"
    preview = plan(course, RosterMode.REPLACE, text)
    change = services.roster_replace(course=course, role=Role.STUDENT, roster=from_text(text))
    assert [p.entry.identifier for p in preview.add] == [u.username for u in change.added]
    assert preview.remove == change.removed
    assert [p.entry.identifier for p in preview.add if p.user is None] == [
        u.username for u in change.created
    ]
    assert plan(course, RosterMode.REPLACE, text).add == []


# --- Copying --------------------------------------------------------------------------------


def full_course() -> tuple[Course, Project]:
    course, _ = course_with_admin()
    course.subtitle, course.num_late_days = "Programming", 4
    course.save()
    services.roster_add(course=course, role=Role.ADMIN, roster=from_list(["coadmin@example.edu"]))
    services.roster_add(course=course, role=Role.STAFF, roster=from_list(["ta@example.edu"]))
    services.roster_add(
        course=course, role=Role.HANDGRADER, roster=from_list(["grader@example.edu"])
    )
    services.roster_add(course=course, role=Role.STUDENT, roster=from_list(["student@example.edu"]))
    project = factories.make_project(course, name="P1", visible_to_students=True)
    factories.make_expected_file(project, "main.cpp")
    factories.make_expected_file(project, "test_*.cpp", 0, 3)
    project_services.instructor_file_create(
        project=project, name="driver.py", content=ContentFile(b"print(1)\n")
    )
    factories.make_project(course, name="P2")
    student = User.objects.get(username="student@example.edu")
    group = factories.make_group(project, student)
    Submission.objects.create(group=group, project=project, submitter=student)
    services.late_days_charge(course=course, user=student, days=1)
    return course, project


def test_copy_takes_settings_admins_and_projects_but_no_students_or_work(
    media_root: Path,
) -> None:
    course, _ = full_course()
    copy = services.course_copy(
        course=course, new_name="EECS 280", new_semester=Semester.WINTER, new_year=2027
    )
    assert (copy.subtitle, copy.num_late_days) == ("Programming", 4)
    assert names(copy, Role.ADMIN) == ["boss@example.edu", "coadmin@example.edu"]
    for role in (Role.STAFF, Role.HANDGRADER, Role.STUDENT):
        assert names(copy, role) == []
    projects = list(copy.projects.order_by("name"))
    assert [p.name for p in projects] == ["P1", "P2"]
    assert not any(p.visible_to_students for p in projects)
    patterns = ExpectedStudentFile.objects.filter(project=projects[0]).values_list(
        "pattern", flat=True
    )
    assert sorted(patterns) == ["main.cpp", "test_*.cpp"]
    copied_file = InstructorFile.objects.get(project=projects[0])
    with copied_file.file_obj.open("rb") as stored:
        assert stored.read() == b"print(1)\n"
    assert len(stored_files(media_root)) == 2
    assert not Group.objects.filter(project__course=copy).exists()
    assert not Submission.objects.filter(project__course=copy).exists()
    assert not LateDayBalance.objects.filter(course=copy).exists()
    assert names(course, Role.STUDENT) == ["student@example.edu"], "the source is untouched"


def test_copy_onto_a_taken_name_is_a_400_and_creates_nothing(media_root: Path) -> None:
    course, _ = full_course()
    courses_before = Course.objects.count()
    with pytest.raises(ApplicationError) as exc:
        services.course_copy(
            course=course, new_name="EECS 280", new_semester=Semester.FALL, new_year=2026
        )
    assert (exc.value.status, exc.value.code) == (400, "duplicate_course")
    assert "name" in exc.value.fields
    assert Course.objects.count() == courses_before
    assert len(stored_files(media_root)) == 1


def test_a_copy_that_fails_halfway_leaves_no_rows_or_files(
    media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    course, _ = full_course()
    real_copy = project_services.project_copy
    calls: list[str] = []

    def copy_then_fail(**kwargs: Any) -> Project:
        calls.append(kwargs["project"].name)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_copy(**kwargs)

    monkeypatch.setattr(services, "project_copy", copy_then_fail)
    with pytest.raises(RuntimeError):
        services.course_copy(
            course=course, new_name="EECS 280", new_semester=Semester.WINTER, new_year=2027
        )
    assert calls == ["P1", "P2"]
    assert not Course.objects.filter(year=2027).exists()
    assert len(stored_files(media_root)) == 1


# --- Late days ------------------------------------------------------------------------------


def student_with_late_days(num_late_days: int = 3) -> tuple[Course, User]:
    course = factories.make_course(num_late_days=num_late_days)
    return course, factories.add_role(course, factories.make_user(), Role.STUDENT)


def test_late_days_set_makes_remaining_exact() -> None:
    course, student = student_with_late_days(3)
    assert services.late_days_charge(course=course, user=student, days=2)
    services.late_days_set(course=course, user=student, remaining=5)
    assert selectors.late_days_remaining(course=course, user=student) == 5
    balance = LateDayBalance.objects.get(course=course, user=student)
    assert (balance.used, balance.extra_granted) == (2, 4)
    services.late_days_set(course=course, user=student, remaining=0)
    assert selectors.late_days_remaining(course=course, user=student) == 0
    assert not services.late_days_charge(course=course, user=student, days=1)
    with pytest.raises(ApplicationError) as exc:
        services.late_days_set(course=course, user=student, remaining=-1)
    assert "remaining" in exc.value.fields


def test_charge_and_refund() -> None:
    course, student = student_with_late_days(2)
    assert services.late_days_charge(course=course, user=student, days=0)
    assert not services.late_days_charge(course=course, user=student, days=3)
    assert services.late_days_charge(course=course, user=student, days=2)
    assert selectors.late_days_remaining(course=course, user=student) == 0
    services.late_days_refund(course=course, user=student, days=1)
    assert selectors.late_days_remaining(course=course, user=student) == 1
    services.late_days_refund(course=course, user=student, days=5)
    assert selectors.late_days_remaining(course=course, user=student) == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("balance_exists", [True, False])
def test_two_concurrent_charges_cannot_spend_the_same_day(balance_exists: bool) -> None:
    """The first charge holds its transaction open; the second blocks on the balance row
    and, once the first commits, sees no day left."""
    course, student = student_with_late_days(1)
    if balance_exists:
        LateDayBalance.objects.create(course=course, user=student)
    charged = threading.Event()
    outcome: list[bool | BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                outcome.append(services.late_days_charge(course=course, user=student, days=1))
                charged.set()
                threading.Event().wait(0.5)
        except BaseException as exc:  # reported to the main thread
            outcome.append(exc)
            charged.set()
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert charged.wait(10)
    second = services.late_days_charge(course=course, user=student, days=1)
    thread.join()
    assert outcome == [True]
    assert second is False
    assert LateDayBalance.objects.get(course=course, user=student).used == 1


@pytest.mark.django_db(transaction=True)
def test_many_threads_spend_exactly_the_days_there_are() -> None:
    course, student = student_with_late_days(2)
    start = threading.Barrier(4)
    results: list[bool] = []

    def charge() -> None:
        try:
            start.wait(10)
            results.append(services.late_days_charge(course=course, user=student, days=1))
        finally:
            connection.close()

    threads = [threading.Thread(target=charge) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, True, True]
    assert LateDayBalance.objects.get(course=course, user=student).used == 2
