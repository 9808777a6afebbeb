"""Real concurrent requests against PostgreSQL: the first transaction holds its rows
uncommitted while the second passes its pre-checks, so only the unique constraints can stop
the second one."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from autograder.common.errors import ApplicationError
from autograder.courses.models import Role
from autograder.groups import services
from autograder.groups.models import Group, GroupInvitation, GroupMembership
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def race(first: Callable[[], Any], second: Callable[[], Any]) -> ApplicationError | None:
    """Runs `first` in a thread that holds its transaction open until `second` (run here) has
    had time to reach its INSERT and block on the unique index; returns what `second` raised."""
    written = threading.Event()
    errors: list[BaseException] = []

    def run_first() -> None:
        try:
            with transaction.atomic():
                first()
                written.set()
                threading.Event().wait(0.5)
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
            written.set()
        finally:
            connection.close()

    thread = threading.Thread(target=run_first)
    thread.start()
    assert written.wait(10)
    try:
        second()
    except ApplicationError as exc:
        return exc
    finally:
        thread.join()
        assert not errors, errors
    return None


def test_two_invitations_for_the_same_recipient() -> None:
    course = factories.make_course()
    project = factories.make_project(course, max_group_size=2)
    alice, bob, carol = (
        factories.add_role(course, factories.make_user(), Role.STUDENT) for _ in range(3)
    )
    err = race(
        lambda: services.group_invitation_create(project=project, sender=alice, recipients=[bob]),
        lambda: services.group_invitation_create(project=project, sender=carol, recipients=[bob]),
    )
    assert err is not None and err.status == 409 and err.code == "invitation_pending"
    assert GroupInvitation.objects.count() == 1


def test_two_solo_groups_for_the_same_student() -> None:
    course = factories.make_course()
    project = factories.make_project(course)
    alice = factories.add_role(course, factories.make_user(), Role.STUDENT)
    err = race(
        lambda: services.group_create_solo(project=project, user=alice, is_staff=False),
        lambda: services.group_create_solo(project=project, user=alice, is_staff=False),
    )
    assert err is not None and err.status == 409 and err.code == "already_in_group"
    assert Group.objects.count() == 1
    assert GroupMembership.objects.count() == 1


def test_staff_group_and_solo_group_race() -> None:
    course = factories.make_course()
    project = factories.make_project(course, max_group_size=2)
    alice = factories.add_role(course, factories.make_user("alice@x.edu"), Role.STUDENT)
    bob = factories.add_role(course, factories.make_user(), Role.STUDENT)
    err = race(
        lambda: services.group_create_solo(project=project, user=alice, is_staff=False),
        lambda: services.group_create(project=project, members=[alice, bob]),
    )
    assert err is not None and err.status == 409
    assert "alice@x.edu" in err.message
    assert Group.objects.count() == 1
    assert not GroupMembership.objects.filter(user=bob).exists()


def test_last_two_recipients_accept_at_once() -> None:
    """The invitation row lock serializes the answers: the second sees the first's acceptance
    and forms the group exactly once."""
    course = factories.make_course()
    project = factories.make_project(course, max_group_size=3)
    alice, bob, carol = (
        factories.add_role(course, factories.make_user(), Role.STUDENT) for _ in range(3)
    )
    invitation = services.group_invitation_create(
        project=project, sender=alice, recipients=[bob, carol]
    )
    outcomes: list[services.AcceptOutcome] = []
    err = race(
        lambda: outcomes.append(services.group_invitation_accept(invitation=invitation, user=bob)),
        lambda: outcomes.append(
            services.group_invitation_accept(invitation=invitation, user=carol)
        ),
    )
    assert err is None
    assert outcomes[0].group is None
    assert outcomes[1].group is not None
    assert Group.objects.count() == 1
    assert set(outcomes[1].group.members.all()) == {alice, bob, carol}
    assert GroupMembership.objects.count() == 3
    assert not GroupInvitation.objects.exists()
