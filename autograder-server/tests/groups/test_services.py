from datetime import timedelta

import pytest
from django.utils import timezone

from autograder.accounts.models import User
from autograder.common.errors import ApplicationError
from autograder.courses.models import Course, Role
from autograder.groups import selectors, services
from autograder.groups.models import (
    Group,
    GroupInvitation,
    GroupMembership,
    PendingInvitationSlot,
)
from autograder.projects.models import Project
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def course() -> Course:
    return factories.make_course()


@pytest.fixture
def project(course: Course) -> Project:
    return factories.make_project(
        course, min_group_size=1, max_group_size=3, num_bonus_submissions=2
    )


def student(course: Course, name: str | None = None) -> User:
    return factories.add_role(course, factories.make_user(name), Role.STUDENT)


def member_ids(group: Group) -> set[int]:
    return set(group.members.values_list("pk", flat=True))


def membership_ids(group: Group) -> set[int]:
    return set(GroupMembership.objects.filter(group=group).values_list("user_id", flat=True))


def assert_in_sync(group: Group) -> None:
    assert member_ids(group) == membership_ids(group)


def test_selectors_find_the_users_group(course: Course, project: Project) -> None:
    alice, bob = student(course), student(course)
    group = factories.make_group(project, alice)
    assert selectors.group_for_user(project=project, user=alice) == group
    assert selectors.group_for_user(project=project.pk, user=bob) is None
    assert selectors.group_is_member(group=group, user=alice)
    assert not selectors.group_is_member(group=group, user=bob)


class TestGroupCreate:
    def test_creates_members_memberships_and_bonus(self, course: Course, project: Project) -> None:
        alice, bob = student(course), student(course)
        group = services.group_create(project=project, members=[alice, bob])
        assert member_ids(group) == {alice.pk, bob.pk}
        assert_in_sync(group)
        assert group.bonus_submissions_remaining == 2
        assert group.extended_due_date is None

    def test_staff_values_override_defaults(self, course: Course, project: Project) -> None:
        due = timezone.now() + timedelta(days=3)
        group = services.group_create(
            project=project,
            members=[student(course)],
            extended_due_date=due,
            bonus_submissions_remaining=0,
        )
        assert group.bonus_submissions_remaining == 0
        assert group.extended_due_date == due

    def test_staff_may_ignore_min_size_but_not_create_empty(self, course: Course) -> None:
        project = factories.make_project(course, min_group_size=2, max_group_size=2)
        group = services.group_create(project=project, members=[student(course)])
        assert group.members.count() == 1
        with pytest.raises(ApplicationError) as err:
            services.group_create(project=project, members=[])
        assert err.value.code == "group_empty"

    def test_max_size_is_enforced(self, course: Course, project: Project) -> None:
        with pytest.raises(ApplicationError) as err:
            services.group_create(project=project, members=[student(course) for _ in range(4)])
        assert err.value.code == "group_too_large"
        assert not Group.objects.filter(project=project).exists()

    def test_members_must_be_enrolled_and_are_named(self, course: Course, project: Project) -> None:
        outsider = factories.make_user("outsider@example.edu")
        grader = factories.add_role(course, factories.make_user("grader@x.edu"), Role.HANDGRADER)
        staff = factories.add_role(course, factories.make_user("staff@x.edu"), Role.STAFF)
        with pytest.raises(ApplicationError) as err:
            services.group_create(project=project, members=[outsider, grader, staff])
        assert err.value.status == 400
        assert "outsider@example.edu" in err.value.message
        assert "grader@x.edu" in err.value.message
        assert "staff@x.edu" not in err.value.message
        assert "members" in err.value.fields

    def test_member_of_another_group_is_refused(self, course: Course, project: Project) -> None:
        alice = student(course, "alice@x.edu")
        factories.make_group(project, alice)
        with pytest.raises(ApplicationError) as err:
            services.group_create(project=project, members=[alice, student(course)])
        assert err.value.status == 409
        assert "alice@x.edu" in err.value.message
        assert Group.objects.filter(project=project).count() == 1

    def test_same_user_may_be_in_groups_of_different_projects(
        self, course: Course, project: Project
    ) -> None:
        alice = student(course)
        services.group_create(project=project, members=[alice])
        other_project = factories.make_project(course)
        services.group_create(project=other_project, members=[alice])
        assert alice.ag_groups.count() == 2

    def test_withdraws_pending_invitations_of_new_members(
        self, course: Course, project: Project
    ) -> None:
        alice, bob, carol = student(course), student(course), student(course)
        services.group_invitation_create(project=project, sender=alice, recipients=[bob])
        services.group_create(project=project, members=[bob, carol])
        assert not GroupInvitation.objects.exists()
        assert not PendingInvitationSlot.objects.exists()


class TestSoloGroup:
    def test_student_works_alone(self, course: Course, project: Project) -> None:
        alice = student(course)
        group = services.group_create_solo(project=project, user=alice, is_staff=False)
        assert member_ids(group) == {alice.pk}
        assert_in_sync(group)
        assert group.bonus_submissions_remaining == 2

    def test_refused_when_groups_must_be_larger(self, course: Course) -> None:
        project = factories.make_project(course, min_group_size=2, max_group_size=3)
        with pytest.raises(ApplicationError) as err:
            services.group_create_solo(project=project, user=student(course), is_staff=False)
        assert err.value.code == "group_too_small"
        assert not Group.objects.exists()

    def test_staff_always_may(self, course: Course) -> None:
        project = factories.make_project(course, min_group_size=2, max_group_size=3)
        staff = factories.add_role(course, factories.make_user(), Role.STAFF)
        group = services.group_create_solo(project=project, user=staff, is_staff=True)
        assert member_ids(group) == {staff.pk}

    def test_twice_is_a_conflict(self, course: Course, project: Project) -> None:
        alice = student(course)
        services.group_create_solo(project=project, user=alice, is_staff=False)
        with pytest.raises(ApplicationError) as err:
            services.group_create_solo(project=project, user=alice, is_staff=False)
        assert err.value.status == 409
        assert Group.objects.count() == 1

    def test_refused_with_pending_invitation(self, course: Course, project: Project) -> None:
        alice, bob = student(course), student(course)
        services.group_invitation_create(project=project, sender=alice, recipients=[bob])
        with pytest.raises(ApplicationError) as err:
            services.group_create_solo(project=project, user=bob, is_staff=False)
        assert err.value.code == "invitation_pending"


class TestGroupUpdate:
    def test_replaces_members_in_sync(self, course: Course, project: Project) -> None:
        alice, bob, carol = student(course), student(course), student(course)
        group = factories.make_group(project, alice, bob)
        services.group_update(group=group, members=[bob, carol])
        assert member_ids(group) == {bob.pk, carol.pk}
        assert_in_sync(group)
        assert selectors.group_for_user(project=project, user=alice) is None

    def test_removed_member_may_join_another_group(self, course: Course, project: Project) -> None:
        alice, bob = student(course), student(course)
        group = factories.make_group(project, alice, bob)
        services.group_update(group=group, members=[bob])
        other = services.group_create(project=project, members=[alice])
        assert_in_sync(other)

    def test_member_from_other_group_is_conflict(self, course: Course, project: Project) -> None:
        alice, bob = student(course), student(course)
        group = factories.make_group(project, alice)
        factories.make_group(project, bob)
        with pytest.raises(ApplicationError) as err:
            services.group_update(group=group, members=[alice, bob])
        assert err.value.status == 409
        assert member_ids(group) == {alice.pk}
        assert_in_sync(group)

    def test_extension_set_and_cleared(self, course: Course, project: Project) -> None:
        group = factories.make_group(project, student(course))
        due = timezone.now() + timedelta(days=2)
        services.group_update(group=group, extended_due_date=due)
        group.refresh_from_db()
        assert group.extended_due_date == due
        services.group_update(group=group, bonus_submissions_remaining=5)
        group.refresh_from_db()
        assert group.extended_due_date == due
        assert group.bonus_submissions_remaining == 5
        services.group_update(group=group, extended_due_date=None)
        group.refresh_from_db()
        assert group.extended_due_date is None

    def test_cannot_grow_past_max_or_empty(self, course: Course, project: Project) -> None:
        group = factories.make_group(project, student(course))
        with pytest.raises(ApplicationError) as err:
            services.group_update(group=group, members=[student(course) for _ in range(4)])
        assert err.value.code == "group_too_large"
        with pytest.raises(ApplicationError) as err:
            services.group_update(group=group, members=[])
        assert err.value.code == "group_empty"
        assert group.members.count() == 1

    def test_only_added_members_must_be_enrolled(self, course: Course, project: Project) -> None:
        alice, bob = student(course), student(course)
        group = factories.make_group(project, alice)
        alice.course_memberships.all().delete()
        services.group_update(group=group, members=[alice, bob])
        assert member_ids(group) == {alice.pk, bob.pk}
        outsider = factories.make_user()
        with pytest.raises(ApplicationError) as err:
            services.group_update(group=group, members=[alice, bob, outsider])
        assert err.value.code == "not_enrolled"

    def test_oversize_group_from_merge_may_shrink(self, course: Course, project: Project) -> None:
        members = [student(course) for _ in range(5)]
        group = factories.make_group(project, *members)
        services.group_update(group=group, members=members[:4])
        assert group.members.count() == 4


class TestGroupDelete:
    def test_deletes_group_and_memberships(self, course: Course, project: Project) -> None:
        group = factories.make_group(project, student(course))
        services.group_delete(group=group)
        assert not Group.objects.exists()
        assert not GroupMembership.objects.exists()

    def test_refused_when_group_has_submissions(self, course: Course, project: Project) -> None:
        alice = student(course)
        group = factories.make_group(project, alice)
        Submission.objects.create(
            group=group, project=project, submitter=alice, status=SubmissionStatus.REJECTED
        )
        with pytest.raises(ApplicationError) as err:
            services.group_delete(group=group)
        assert err.value.status == 409
        assert Group.objects.filter(pk=group.pk).exists()


class TestGroupMerge:
    def test_moves_members_and_submissions(self, course: Course, project: Project) -> None:
        alice, bob, carol = student(course), student(course), student(course)
        group = factories.make_group(project, alice, bob, bonus_submissions_remaining=1)
        later = timezone.now() + timedelta(days=5)
        other = factories.make_group(
            project,
            carol,
            bonus_submissions_remaining=3,
            extended_due_date=later,
            late_days_used={str(carol.pk): 1},
        )
        earlier = timezone.now() + timedelta(days=1)
        Group.objects.filter(pk=group.pk).update(extended_due_date=earlier)
        mine = Submission.objects.create(
            group=group, project=project, submitter=alice, status=SubmissionStatus.FINISHED_GRADING
        )
        theirs = Submission.objects.create(
            group=other, project=project, submitter=carol, status=SubmissionStatus.QUEUED
        )

        merged = services.group_merge(group=group, other=other)

        assert merged.pk == group.pk
        assert not Group.objects.filter(pk=other.pk).exists()
        assert member_ids(merged) == {alice.pk, bob.pk, carol.pk}
        assert_in_sync(merged)
        assert set(Submission.objects.filter(group=merged)) == {mine, theirs}
        assert merged.extended_due_date == later
        assert merged.bonus_submissions_remaining == 3
        assert merged.late_days_used == {str(carol.pk): 1}
        assert selectors.group_for_user(project=project, user=carol) == merged

    def test_may_exceed_max_size(self, course: Course) -> None:
        project = factories.make_project(course, max_group_size=2)
        group = factories.make_group(project, student(course), student(course))
        other = factories.make_group(project, student(course), student(course))
        merged = services.group_merge(group=group, other=other)
        assert merged.members.count() == 4

    def test_keeps_the_only_extension(self, course: Course, project: Project) -> None:
        due = timezone.now() + timedelta(days=1)
        group = factories.make_group(project, student(course), extended_due_date=due)
        other = factories.make_group(project, student(course))
        assert services.group_merge(group=group, other=other).extended_due_date == due

    def test_refuses_when_both_have_active_submissions(
        self, course: Course, project: Project
    ) -> None:
        alice, bob = student(course), student(course)
        group, other = factories.make_group(project, alice), factories.make_group(project, bob)
        for g, user in ((group, alice), (other, bob)):
            Submission.objects.create(
                group=g, project=project, submitter=user, status=SubmissionStatus.QUEUED
            )
        with pytest.raises(ApplicationError) as err:
            services.group_merge(group=group, other=other)
        assert err.value.status == 409
        assert Group.objects.filter(pk=other.pk).exists()
        assert Submission.objects.filter(group=other).count() == 1

    def test_refuses_self_and_other_project(self, course: Course, project: Project) -> None:
        group = factories.make_group(project, student(course))
        with pytest.raises(ApplicationError) as err:
            services.group_merge(group=group, other=group)
        assert err.value.code == "merge_same_group"
        elsewhere = factories.make_group(factories.make_project(course), student(course))
        with pytest.raises(ApplicationError) as err:
            services.group_merge(group=group, other=elsewhere)
        assert err.value.code == "merge_other_project"


class TestInvitations:
    def test_create_holds_a_slot_for_everyone(self, course: Course, project: Project) -> None:
        alice, bob, carol = student(course), student(course), student(course)
        invitation = services.group_invitation_create(
            project=project, sender=alice, recipients=[bob, carol]
        )
        slots = PendingInvitationSlot.objects.filter(invitation=invitation)
        assert set(slots.values_list("user_id", flat=True)) == {alice.pk, bob.pk, carol.pk}

    @pytest.mark.parametrize(
        ("min_size", "max_size", "num_recipients", "code"),
        [(1, 3, 3, "group_too_large"), (3, 3, 1, "group_too_small"), (1, 1, 1, "group_too_large")],
    )
    def test_size_limits(
        self, course: Course, min_size: int, max_size: int, num_recipients: int, code: str
    ) -> None:
        project = factories.make_project(course, min_group_size=min_size, max_group_size=max_size)
        recipients = [student(course) for _ in range(num_recipients)]
        with pytest.raises(ApplicationError) as err:
            services.group_invitation_create(
                project=project, sender=student(course), recipients=recipients
            )
        assert err.value.code == code
        assert not GroupInvitation.objects.exists()

    def test_bad_recipient_lists(self, course: Course, project: Project) -> None:
        alice = student(course)
        with pytest.raises(ApplicationError) as err:
            services.group_invitation_create(project=project, sender=alice, recipients=[])
        assert err.value.code == "no_recipients"
        with pytest.raises(ApplicationError) as err:
            services.group_invitation_create(project=project, sender=alice, recipients=[alice])
        assert err.value.code == "invite_self"
        outsider = factories.make_user("nobody@x.edu")
        with pytest.raises(ApplicationError) as err:
            services.group_invitation_create(project=project, sender=alice, recipients=[outsider])
        assert err.value.code == "not_enrolled"
        assert "nobody@x.edu" in err.value.message
        assert not GroupInvitation.objects.exists()

    def test_people_in_groups_cannot_invite_or_be_invited(
        self, course: Course, project: Project
    ) -> None:
        alice, bob, carol = student(course), student(course, "bob@x.edu"), student(course)
        factories.make_group(project, bob)
        with pytest.raises(ApplicationError) as err:
            services.group_invitation_create(project=project, sender=alice, recipients=[bob])
        assert err.value.status == 409
        assert "bob@x.edu" in err.value.message
        with pytest.raises(ApplicationError) as err:
            services.group_invitation_create(project=project, sender=bob, recipients=[carol])
        assert err.value.code == "already_in_group"

    def test_one_pending_invitation_per_user(self, course: Course, project: Project) -> None:
        alice, bob = student(course), student(course, "bob@x.edu")
        carol, dave = student(course), student(course)
        services.group_invitation_create(project=project, sender=alice, recipients=[bob])
        with pytest.raises(ApplicationError) as err:
            services.group_invitation_create(project=project, sender=carol, recipients=[bob])
        assert err.value.status == 409
        assert "bob@x.edu" in err.value.message
        with pytest.raises(ApplicationError) as err:
            services.group_invitation_create(project=project, sender=bob, recipients=[dave])
        assert err.value.code == "invitation_pending"
        with pytest.raises(ApplicationError) as err:
            services.group_invitation_create(project=project, sender=alice, recipients=[dave])
        assert err.value.code == "invitation_pending"
        assert GroupInvitation.objects.count() == 1
        services.group_invitation_create(project=project, sender=carol, recipients=[dave])

    def test_all_accept_forms_the_group(self, course: Course, project: Project) -> None:
        alice, bob, carol = student(course), student(course), student(course)
        invitation = services.group_invitation_create(
            project=project, sender=alice, recipients=[bob, carol]
        )
        first = services.group_invitation_accept(invitation=invitation, user=bob)
        assert first.group is None and first.invitation is not None
        assert set(first.invitation.accepted_by.all()) == {bob}
        again = services.group_invitation_accept(invitation=invitation, user=bob)
        assert again.group is None

        last = services.group_invitation_accept(invitation=invitation, user=carol)
        assert last.group is not None
        assert member_ids(last.group) == {alice.pk, bob.pk, carol.pk}
        assert_in_sync(last.group)
        assert last.group.bonus_submissions_remaining == 2
        assert not GroupInvitation.objects.exists()
        assert not PendingInvitationSlot.objects.exists()

    def test_only_recipients_answer(self, course: Course, project: Project) -> None:
        alice, bob, carol = student(course), student(course), student(course)
        invitation = services.group_invitation_create(
            project=project, sender=alice, recipients=[bob]
        )
        for user in (alice, carol):
            with pytest.raises(ApplicationError) as err:
                services.group_invitation_accept(invitation=invitation, user=user)
            assert err.value.status == 403
            with pytest.raises(ApplicationError) as err:
                services.group_invitation_reject(invitation=invitation, user=user)
            assert err.value.status == 403
        assert GroupInvitation.objects.filter(pk=invitation.pk).exists()

    def test_reject_frees_everyone(self, course: Course, project: Project) -> None:
        alice, bob, carol = student(course), student(course), student(course)
        invitation = services.group_invitation_create(
            project=project, sender=alice, recipients=[bob, carol]
        )
        services.group_invitation_accept(invitation=invitation, user=bob)
        services.group_invitation_reject(invitation=invitation, user=carol)
        assert not GroupInvitation.objects.exists()
        assert not PendingInvitationSlot.objects.exists()
        assert not Group.objects.exists()
        services.group_invitation_create(project=project, sender=bob, recipients=[alice])

    def test_withdraw_frees_everyone(self, course: Course, project: Project) -> None:
        alice, bob = student(course), student(course)
        invitation = services.group_invitation_create(
            project=project, sender=alice, recipients=[bob]
        )
        services.group_invitation_withdraw(invitation=invitation)
        assert not PendingInvitationSlot.objects.exists()
        services.group_create_solo(project=project, user=bob, is_staff=False)

    def test_answering_a_gone_invitation_is_a_conflict(
        self, course: Course, project: Project
    ) -> None:
        alice, bob = student(course), student(course)
        invitation = services.group_invitation_create(
            project=project, sender=alice, recipients=[bob]
        )
        GroupInvitation.objects.filter(pk=invitation.pk).delete()
        with pytest.raises(ApplicationError) as err:
            services.group_invitation_accept(invitation=invitation, user=bob)
        assert err.value.code == "invitation_gone"

    def test_accept_when_someone_joined_a_group_meanwhile(
        self, course: Course, project: Project
    ) -> None:
        """The unique membership constraint is the last word: the acceptance fails with a 409
        and nothing changes."""
        alice, bob = student(course), student(course, "bob@x.edu")
        invitation = services.group_invitation_create(
            project=project, sender=alice, recipients=[bob]
        )
        factories.make_group(project, bob)
        with pytest.raises(ApplicationError) as err:
            services.group_invitation_accept(invitation=invitation, user=bob)
        assert err.value.status == 409
        assert "bob@x.edu" in err.value.message
        assert GroupInvitation.objects.filter(pk=invitation.pk).exists()
        assert not invitation.accepted_by.exists()
