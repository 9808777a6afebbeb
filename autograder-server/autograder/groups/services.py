"""Every write to groups and invitations.

`Group.members` and the `GroupMembership` rows always change together, and the unique
constraints on `GroupMembership` and `PendingInvitationSlot` are what settle races: a lost race
surfaces as an IntegrityError, which becomes a 409 here.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from autograder.accounts.models import User
from autograder.common.errors import ApplicationError, ConflictError, PermissionDeniedError
from autograder.courses.models import CourseMembership, Role
from autograder.courses.roles import is_guest_of
from autograder.groups import signals
from autograder.groups.models import (
    Group,
    GroupInvitation,
    GroupMembership,
    PendingInvitationSlot,
)
from autograder.projects.models import Project
from autograder.projects.selectors import guest_may_use
from autograder.submissions.models import ACTIVE_STATUSES, Submission

ENROLLED_ROLES = (Role.STUDENT, Role.STAFF, Role.ADMIN)
"""Roles that may belong to a group: students, and staff testing the student workflow."""


class _Unset:
    pass


UNSET = _Unset()
"""Marks an argument the caller didn't give (for fields where None means "clear it")."""


def _names(users: Iterable[User]) -> str:
    return ", ".join(sorted(user.username for user in users))


def _is_guest(project: Project, user: User) -> bool:
    """Guests of the course may be in groups of projects that let guests submit."""
    return guest_may_use(project) and is_guest_of(user, project.course_id)


def _check_enrolled(*, project: Project, users: list[User], field: str) -> None:
    enrolled = set(
        CourseMembership.objects.filter(
            course_id=project.course_id, user__in=users, role__in=ENROLLED_ROLES
        ).values_list("user_id", flat=True)
    )
    outsiders = [
        user
        for user in users
        if user.pk not in enrolled and not user.is_superuser and not _is_guest(project, user)
    ]
    if outsiders:
        message = f"Not students or staff of this course: {_names(outsiders)}."
        raise ApplicationError(message, code="not_enrolled", fields={field: [message]})


def _check_not_in_group(
    *, project: Project, users: list[User], field: str, ignore: Group | None = None
) -> None:
    taken = GroupMembership.objects.filter(project=project, user__in=users)
    if ignore is not None:
        taken = taken.exclude(group=ignore)
    taken_ids = set(taken.values_list("user_id", flat=True))
    if taken_ids:
        raise _already_in_group([user for user in users if user.pk in taken_ids], field=field)


def _already_in_group(users: list[User], *, field: str) -> ApplicationError:
    message = f"Already in a group for this project: {_names(users)}."
    return ApplicationError(message, code="already_in_group", fields={field: [message]}, status=409)


def _check_max_size(*, project: Project, size: int, field: str, allowed: int | None = None) -> None:
    limit = max(project.max_group_size, allowed or 0)
    if size > limit:
        message = f"Groups in this project may have at most {limit} members; this one has {size}."
        raise ApplicationError(message, code="group_too_large", fields={field: [message]})


def _check_size(*, project: Project, size: int, field: str) -> None:
    if size < project.min_group_size:
        message = (
            f"Groups in this project need at least {project.min_group_size} members; "
            f"this one has {size}."
        )
        raise ApplicationError(message, code="group_too_small", fields={field: [message]})
    _check_max_size(project=project, size=size, field=field)


def _add_memberships(*, group: Group, users: list[User], field: str) -> None:
    """Adds `users` to `group`; when a concurrent request put one of them in a group first, the
    unique constraint fires and this becomes a 409 naming who."""
    try:
        with transaction.atomic():
            GroupMembership.objects.bulk_create(
                GroupMembership(group=group, project_id=group.project_id, user=user)
                for user in users
            )
            group.members.add(*users)
    except IntegrityError as exc:
        taken = set(
            GroupMembership.objects.filter(project_id=group.project_id, user__in=users)
            .exclude(group=group)
            .values_list("user_id", flat=True)
        )
        raise _already_in_group(
            [user for user in users if user.pk in taken] or users, field=field
        ) from exc


def _drop_invitations_involving(*, project: Project, users: list[User]) -> None:
    """Pending invitations that involve someone now in a group can never be completed."""
    GroupInvitation.objects.filter(project=project, slots__user__in=users).delete()


def _new_group(
    *,
    project: Project,
    members: list[User],
    extended_due_date: datetime.datetime | None = None,
    bonus_submissions_remaining: int | None = None,
    field: str = "members",
) -> Group:
    group = Group.objects.create(
        project=project,
        extended_due_date=extended_due_date,
        bonus_submissions_remaining=(
            project.num_bonus_submissions
            if bonus_submissions_remaining is None
            else bonus_submissions_remaining
        ),
    )
    _add_memberships(group=group, users=members, field=field)
    return group


@transaction.atomic
def group_create(
    *,
    project: Project,
    members: list[User],
    extended_due_date: datetime.datetime | None = None,
    bonus_submissions_remaining: int | None = None,
) -> Group:
    """Staff create a group. The minimum group size doesn't bind staff; the maximum does.
    Pending invitations involving the new members are withdrawn."""
    if not members:
        message = "A group needs at least one member."
        raise ApplicationError(message, code="group_empty", fields={"members": [message]})
    _check_enrolled(project=project, users=members, field="members")
    _check_max_size(project=project, size=len(members), field="members")
    _check_not_in_group(project=project, users=members, field="members")
    _drop_invitations_involving(project=project, users=members)
    return _new_group(
        project=project,
        members=members,
        extended_due_date=extended_due_date,
        bonus_submissions_remaining=bonus_submissions_remaining,
    )


@transaction.atomic
def group_create_solo(*, project: Project, user: User, is_staff: bool) -> Group:
    """A user works alone. Students may do so only when the project allows groups of one;
    staff always may."""
    if not is_staff:
        _check_enrolled(project=project, users=[user], field="user")
        if project.min_group_size > 1:
            raise ApplicationError(
                f"This project needs groups of at least {project.min_group_size}; "
                "send invitations instead of working alone.",
                code="group_too_small",
            )
    if GroupMembership.objects.filter(project=project, user=user).exists():
        raise ConflictError("You are already in a group for this project.", code="already_in_group")
    if PendingInvitationSlot.objects.filter(project=project, user=user).exists():
        raise ConflictError(
            "You have a pending group invitation for this project; withdraw or reject it first.",
            code="invitation_pending",
        )
    try:
        return _new_group(project=project, members=[user])
    except ApplicationError as exc:
        if exc.code == "already_in_group":
            raise ConflictError(
                "You are already in a group for this project.", code="already_in_group"
            ) from exc
        raise


@transaction.atomic
def group_update(
    *,
    group: Group,
    members: list[User] | None = None,
    extended_due_date: datetime.datetime | _Unset | None = UNSET,
    bonus_submissions_remaining: int | None = None,
) -> Group:
    """Staff edit a group. A new member list may not grow the group past the project's maximum
    (a group already larger from a merge may shrink), and only people enrolled now may be added
    (someone who has since left the course may stay); None for `extended_due_date` clears it."""
    group = Group.objects.select_for_update().select_related("project").get(pk=group.pk)
    project = group.project
    if members is not None:
        if not members:
            message = "A group needs at least one member; delete the group instead."
            raise ApplicationError(message, code="group_empty", fields={"members": [message]})
        current = list(group.members.all())
        _check_max_size(project=project, size=len(members), field="members", allowed=len(current))
        wanted_ids = {user.pk for user in members}
        current_ids = {user.pk for user in current}
        added = [user for user in members if user.pk not in current_ids]
        removed = [user for user in current if user.pk not in wanted_ids]
        _check_enrolled(project=project, users=added, field="members")
        _check_not_in_group(project=project, users=added, field="members", ignore=group)
        GroupMembership.objects.filter(group=group, user__in=removed).delete()
        group.members.remove(*removed)
        if added:
            _drop_invitations_involving(project=project, users=added)
            _add_memberships(group=group, users=added, field="members")
    if not isinstance(extended_due_date, _Unset):
        group.extended_due_date = extended_due_date
    if bonus_submissions_remaining is not None:
        group.bonus_submissions_remaining = bonus_submissions_remaining
    group.save()
    return group


@transaction.atomic
def group_delete(*, group: Group) -> None:
    """Deletes a group that has never submitted; a group with submissions is kept, because its
    history (scores, late days) belongs to its members."""
    group = Group.objects.select_for_update().get(pk=group.pk)
    if Submission.objects.filter(group=group).exists():
        raise ConflictError(
            "This group has submissions and can't be deleted; edit its members instead.",
            code="group_has_submissions",
        )
    group.delete()


def _later(
    first: datetime.datetime | None, second: datetime.datetime | None
) -> datetime.datetime | None:
    if first is None or second is None:
        return first or second
    return max(first, second)


@transaction.atomic
def group_merge(*, group: Group, other: Group) -> Group:
    """Staff merge `other` into `group`: the members and submissions of both end up in `group`,
    the later extension and the larger bonus count win, and `other` is deleted. The result may
    exceed the project's maximum size."""
    if group.pk == other.pk:
        message = "A group can't be merged with itself."
        raise ApplicationError(message, code="merge_same_group", fields={"other_group": [message]})
    if group.project_id != other.project_id:
        message = "Only groups of the same project can be merged."
        raise ApplicationError(
            message, code="merge_other_project", fields={"other_group": [message]}
        )
    both = Group.objects.select_for_update().filter(pk__in=[group.pk, other.pk]).order_by("pk")
    locked = {locked_group.pk: locked_group for locked_group in both}
    if len(locked) != 2:
        raise ConflictError("One of the groups was deleted meanwhile.", code="group_gone")
    group, other = locked[group.pk], locked[other.pk]

    active = Submission.objects.filter(group__in=[group, other], status__in=ACTIVE_STATUSES)
    if active.values("group_id").distinct().count() > 1:
        raise ConflictError(
            "Both groups have a submission being graded; merge once one of them finishes.",
            code="merge_both_active",
        )
    other_members = list(other.members.all())
    Submission.objects.filter(group=other).update(group=group)
    GroupMembership.objects.filter(group=other).update(group=group)
    group.members.add(*other_members)
    group.extended_due_date = _later(group.extended_due_date, other.extended_due_date)
    group.bonus_submissions_remaining = max(
        group.bonus_submissions_remaining, other.bonus_submissions_remaining
    )
    group.late_days_used = {**other.late_days_used, **group.late_days_used}
    group.save()
    other.delete()
    return group


@dataclass(frozen=True)
class AcceptOutcome:
    """After an acceptance: the invitation if it still waits for others, else the new group."""

    invitation: GroupInvitation | None
    group: Group | None


def _check_can_join(*, project: Project, users: list[User], field: str) -> None:
    _check_enrolled(project=project, users=users, field=field)
    _check_not_in_group(project=project, users=users, field=field)


@transaction.atomic
def group_invitation_create(
    *, project: Project, sender: User, recipients: list[User]
) -> GroupInvitation:
    """`sender` asks `recipients` to form a group. Everyone involved may hold only one pending
    invitation for the project; the PendingInvitationSlot rows enforce that under races."""
    if not recipients:
        message = "Invite at least one person."
        raise ApplicationError(message, code="no_recipients", fields={"recipients": [message]})
    if any(user.pk == sender.pk for user in recipients):
        message = "You can't invite yourself."
        raise ApplicationError(message, code="invite_self", fields={"recipients": [message]})
    _check_enrolled(project=project, users=[sender], field="sender")
    _check_enrolled(project=project, users=recipients, field="recipients")
    _check_size(project=project, size=1 + len(recipients), field="recipients")
    if GroupMembership.objects.filter(project=project, user=sender).exists():
        raise ConflictError("You are already in a group for this project.", code="already_in_group")
    _check_not_in_group(project=project, users=recipients, field="recipients")

    everyone = [sender, *recipients]
    pending = set(
        PendingInvitationSlot.objects.filter(project=project, user__in=everyone).values_list(
            "user_id", flat=True
        )
    )
    if sender.pk in pending:
        raise ConflictError(
            "You already have a pending invitation for this project; withdraw or reject it first.",
            code="invitation_pending",
        )
    if pending:
        raise _invitation_pending([user for user in recipients if user.pk in pending])

    invitation = GroupInvitation.objects.create(project=project, sender=sender)
    invitation.recipients.add(*recipients)
    try:
        with transaction.atomic():
            PendingInvitationSlot.objects.bulk_create(
                PendingInvitationSlot(invitation=invitation, project=project, user=user)
                for user in everyone
            )
    except IntegrityError as exc:
        raise _invitation_pending(everyone) from exc
    transaction.on_commit(
        lambda: signals.group_invitation_created.send(
            sender=GroupInvitation, invitation_id=invitation.pk
        )
    )
    return invitation


def _invitation_pending(users: list[User]) -> ApplicationError:
    message = f"Already have a pending invitation for this project: {_names(users)}."
    return ApplicationError(
        message, code="invitation_pending", fields={"recipients": [message]}, status=409
    )


def _lock_invitation(invitation: GroupInvitation) -> GroupInvitation:
    try:
        return GroupInvitation.objects.select_for_update().get(pk=invitation.pk)
    except GroupInvitation.DoesNotExist as exc:
        raise ConflictError(
            "This invitation was withdrawn or rejected meanwhile.", code="invitation_gone"
        ) from exc


def _require_recipient(invitation: GroupInvitation, user: User) -> None:
    if not invitation.recipients.filter(pk=user.pk).exists():
        raise PermissionDeniedError("Only people this invitation was sent to may answer it.")


@transaction.atomic
def group_invitation_accept(*, invitation: GroupInvitation, user: User) -> AcceptOutcome:
    """Records `user`'s acceptance; the last acceptance forms the group (with the project's
    bonus submissions) and deletes the invitation, all in one transaction."""
    invitation = _lock_invitation(invitation)
    _require_recipient(invitation, user)
    invitation.accepted_by.add(user)
    recipients = list(invitation.recipients.all())
    accepted = set(invitation.accepted_by.values_list("pk", flat=True))
    if any(recipient.pk not in accepted for recipient in recipients):
        return AcceptOutcome(invitation=invitation, group=None)

    project = Project.objects.get(pk=invitation.project_id)
    members = [invitation.sender, *recipients]
    _check_can_join(project=project, users=members, field="members")
    invitation.delete()
    group = _new_group(project=project, members=members)
    return AcceptOutcome(invitation=None, group=group)


@transaction.atomic
def group_invitation_reject(*, invitation: GroupInvitation, user: User) -> None:
    """A recipient says no: the invitation is gone and everyone in it is free again."""
    invitation = _lock_invitation(invitation)
    _require_recipient(invitation, user)
    invitation.delete()


@transaction.atomic
def group_invitation_withdraw(*, invitation: GroupInvitation) -> None:
    """The sender (or staff) withdraws an invitation; everyone in it is free again."""
    _lock_invitation(invitation).delete()
