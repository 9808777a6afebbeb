from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from autograder.accounts.models import User
from autograder.courses.models import Role
from autograder.groups.models import Group, GroupInvitation, GroupMembership
from autograder.submissions.models import Submission, SubmissionStatus
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db


def new_student(w: World, name: str | None = None) -> User:
    return factories.add_role(w.course, factories.make_user(name), Role.STUDENT)


def user(w: World, role: str) -> User:
    found = w.users[role]
    assert isinstance(found, User)
    return found


def groups_url(w: World) -> str:
    return f"/api/projects/{w.project.pk}/groups/"


def usernames(body: dict[str, Any]) -> list[str]:
    return [member["username"] for member in body["members"]]


class TestGroupList:
    def test_lists_every_group_with_details(self, world: World) -> None:
        Submission.objects.create(
            group=world.group,
            project=world.project,
            submitter=user(world, "group_member"),
            status=SubmissionStatus.FINISHED_GRADING,
        )
        response = world.client("handgrader").get(groups_url(world))
        assert response.status_code == 200
        assert response.data["count"] == 2
        first = response.data["results"][0]
        assert first["id"] == world.group.pk
        assert first["members"] == [
            {"id": user(world, "group_member").pk, "username": "member@example.edu"}
        ]
        assert first["num_submissions"] == 1
        assert response.data["results"][1]["num_submissions"] == 0
        assert {"extended_due_date", "bonus_submissions_remaining", "late_days_used"} <= set(first)

    def test_paginated(self, world: World) -> None:
        response = world.client("staff").get(groups_url(world), {"page_size": 1})
        assert response.data["count"] == 2
        assert len(response.data["results"]) == 1
        assert response.data["next"]


class TestGroupCreate:
    def test_staff_create_a_group(self, world: World) -> None:
        world.project.num_bonus_submissions = 3
        world.project.save()
        a, b = new_student(world, "a@x.edu"), new_student(world, "b@x.edu")
        response = world.client("staff").post(
            groups_url(world), {"members": [b.username, a.username]}, format="json"
        )
        assert response.status_code == 201, response.data
        assert usernames(response.data) == ["a@x.edu", "b@x.edu"]
        assert response.data["bonus_submissions_remaining"] == 3
        assert response.data["num_submissions"] == 0
        group = Group.objects.get(pk=response.data["id"])
        assert set(GroupMembership.objects.filter(group=group).values_list("user", flat=True)) == {
            a.pk,
            b.pk,
        }

    def test_with_extension_and_bonus(self, world: World) -> None:
        due = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
        response = world.client("staff").post(
            groups_url(world),
            {
                "members": [new_student(world).username],
                "extended_due_date": due.isoformat(),
                "bonus_submissions_remaining": 7,
            },
            format="json",
        )
        assert response.status_code == 201, response.data
        group = Group.objects.get(pk=response.data["id"])
        assert group.extended_due_date == due
        assert group.bonus_submissions_remaining == 7

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"members": ["nobody@x.edu"]}, "members"),
            ({"members": "student@example.edu"}, "members"),
            ({"members": [["student@example.edu"]]}, "members"),
            ({}, "members"),
            ({"members": ["student@example.edu", "student@example.edu"]}, "members"),
            ({"members": ["student@example.edu"], "color": "red"}, "color"),
            ({"members": ["student@example.edu"], "bonus_submissions_remaining": -1}, None),
            ({"members": ["student@example.edu"], "bonus_submissions_remaining": "x"}, None),
            # Past what the database stores: still a 400 about the field, not a bare one.
            ({"members": ["student@example.edu"], "bonus_submissions_remaining": 2**40}, None),
            ({"members": ["student@example.edu"], "extended_due_date": "next tuesday"}, None),
            ({"members": ["student@example.edu"], "extended_due_date": "2026-02-30T10:00"}, None),
        ],
    )
    def test_bad_input_is_400_naming_the_field(
        self, world: World, body: dict[str, Any], field: str | None
    ) -> None:
        response = world.client("staff").post(groups_url(world), body, format="json")
        assert response.status_code == 400, response.data
        wanted = field or next(name for name in body if name != "members")
        assert wanted in response.data["fields"]
        assert Group.objects.count() == 2

    def test_unknown_and_unenrolled_users_are_named(self, world: World) -> None:
        response = world.client("staff").post(
            groups_url(world),
            {"members": ["nobody@x.edu", "student@example.edu"]},
            format="json",
        )
        assert response.status_code == 400
        assert "nobody@x.edu" in response.data["message"]
        response = world.client("staff").post(
            groups_url(world),
            {"members": ["outsider@example.edu", "grader@example.edu"]},
            format="json",
        )
        assert response.status_code == 400
        assert "outsider@example.edu" in response.data["message"]
        assert "grader@example.edu" in response.data["message"]

    def test_member_of_another_group_is_409(self, world: World) -> None:
        response = world.client("staff").post(
            groups_url(world), {"members": ["member@example.edu"]}, format="json"
        )
        assert response.status_code == 409
        assert response.data["code"] == "already_in_group"
        assert "member@example.edu" in response.data["message"]

    def test_too_many_members(self, world: World) -> None:
        names = [new_student(world).username for _ in range(4)]
        response = world.client("staff").post(groups_url(world), {"members": names}, format="json")
        assert response.status_code == 400
        assert response.data["code"] == "group_too_large"


class TestSoloAndMyGroup:
    def test_student_works_alone_then_sees_my_group(self, world: World) -> None:
        client = world.client("student")
        assert client.get(f"/api/projects/{world.project.pk}/my_group/").status_code == 404
        response = client.post(f"/api/projects/{world.project.pk}/groups/solo/")
        assert response.status_code == 201
        assert usernames(response.data) == ["student@example.edu"]
        mine = client.get(f"/api/projects/{world.project.pk}/my_group/")
        assert mine.status_code == 200
        assert mine.data["id"] == response.data["id"]

    def test_refused_when_project_needs_bigger_groups(self, world: World) -> None:
        world.project.min_group_size = 2
        world.project.save()
        response = world.client("student").post(f"/api/projects/{world.project.pk}/groups/solo/")
        assert response.status_code == 400
        assert response.data["code"] == "group_too_small"
        staff = world.client("staff").post(f"/api/projects/{world.project.pk}/groups/solo/")
        assert staff.status_code == 201

    def test_body_is_ignored_not_stored(self, world: World) -> None:
        response = world.client("student").post(
            f"/api/projects/{world.project.pk}/groups/solo/",
            {"bonus_submissions_remaining": 99},
            format="json",
        )
        assert response.status_code == 201
        assert response.data["bonus_submissions_remaining"] == 0


class TestGroupEdit:
    def url(self, w: World) -> str:
        return f"/api/groups/{w.group.pk}/"

    def test_set_and_clear_extension(self, world: World) -> None:
        client = world.client("staff")
        due = "2030-01-02T03:04:05Z"
        response = client.patch(self.url(world), {"extended_due_date": due}, format="json")
        assert response.status_code == 200
        assert response.data["extended_due_date"].startswith("2030-01-02T03:04:05")
        response = client.patch(self.url(world), {"bonus_submissions_remaining": 2}, format="json")
        assert response.data["extended_due_date"] is not None
        assert response.data["bonus_submissions_remaining"] == 2
        response = client.patch(self.url(world), {"extended_due_date": None}, format="json")
        assert response.status_code == 200
        assert response.data["extended_due_date"] is None

    def test_replace_members(self, world: World) -> None:
        newcomer = new_student(world, "new@x.edu")
        response = world.client("staff").patch(
            self.url(world), {"members": ["new@x.edu", "member@example.edu"]}, format="json"
        )
        assert response.status_code == 200
        assert usernames(response.data) == ["member@example.edu", "new@x.edu"]
        assert GroupMembership.objects.filter(group=world.group, user=newcomer).exists()

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"bonus_submissions_remaining": -1}, "bonus_submissions_remaining"),
            ({"bonus_submissions_remaining": 2**63 - 1}, "bonus_submissions_remaining"),
            ({"extended_due_date": "soon"}, "extended_due_date"),
            ({"members": []}, "members"),
            ({"members": ["ghost@x.edu"]}, "members"),
            ({"late_days_used": {"1": 5}}, "late_days_used"),
            ({"project": 1}, "project"),
        ],
    )
    def test_bad_input(self, world: World, body: dict[str, Any], field: str) -> None:
        before = Group.objects.values().get(pk=world.group.pk)
        response = world.client("staff").patch(self.url(world), body, format="json")
        assert response.status_code == 400, response.data
        assert field in response.data["fields"]
        assert Group.objects.values().get(pk=world.group.pk) == before

    def test_delete_refused_with_submissions(self, world: World) -> None:
        Submission.objects.create(
            group=world.group,
            project=world.project,
            submitter=user(world, "group_member"),
            status=SubmissionStatus.ERROR,
        )
        response = world.client("staff").delete(self.url(world))
        assert response.status_code == 409
        assert response.data["code"] == "group_has_submissions"
        assert Group.objects.filter(pk=world.group.pk).exists()

    def test_missing_group_is_404(self, world: World) -> None:
        assert world.client("staff").get("/api/groups/999999/").status_code == 404


class TestMerge:
    def test_merge_moves_submissions(self, world: World) -> None:
        submission = Submission.objects.create(
            group=world.other_group,
            project=world.project,
            submitter=world.other_group.members.get(),
            status=SubmissionStatus.FINISHED_GRADING,
        )
        response = world.client("staff").post(
            f"/api/groups/{world.group.pk}/merge/",
            {"other_group": world.other_group.pk},
            format="json",
        )
        assert response.status_code == 200, response.data
        assert usernames(response.data) == ["member@example.edu", "other.member@example.edu"]
        assert response.data["num_submissions"] == 1
        submission.refresh_from_db()
        assert submission.group_id == world.group.pk
        assert not Group.objects.filter(pk=world.other_group.pk).exists()

    @pytest.mark.parametrize("other", ["abc", None, 0, 999999, "self", "elsewhere"])
    def test_bad_other_group(self, world: World, other: Any) -> None:
        if other == "self":
            other = world.group.pk
        elif other == "elsewhere":
            other = factories.make_group(world.hidden_project, new_student(world)).pk
        response = world.client("staff").post(
            f"/api/groups/{world.group.pk}/merge/", {"other_group": other}, format="json"
        )
        assert response.status_code == 400, response.data
        assert "other_group" in response.data["fields"]
        assert Group.objects.filter(pk=world.other_group.pk).exists()


class TestInvitations:
    def url(self, w: World) -> str:
        return f"/api/projects/{w.project.pk}/invitations/"

    def test_invite_accept_forms_group(self, world: World) -> None:
        bob = new_student(world, "bob@x.edu")
        carol = new_student(world, "carol@x.edu")
        sent = world.client("student").post(
            self.url(world), {"recipients": ["bob@x.edu", "carol@x.edu"]}, format="json"
        )
        assert sent.status_code == 201, sent.data
        assert sent.data["sender"]["username"] == "student@example.edu"
        assert [r["username"] for r in sent.data["recipients"]] == ["bob@x.edu", "carol@x.edu"]
        invitation_url = f"/api/invitations/{sent.data['id']}/"

        bob_client = world.client("staff")
        bob_client.force_authenticate(user=bob)
        received = bob_client.get(self.url(world))
        assert [i["id"] for i in received.data["results"]] == [sent.data["id"]]
        assert bob_client.get(invitation_url).status_code == 200
        assert bob_client.delete(invitation_url).status_code == 403

        first = bob_client.post(invitation_url + "accept/")
        assert first.status_code == 200
        assert first.data["group_created"] is False
        assert [u["username"] for u in first.data["invitation"]["accepted_by"]] == ["bob@x.edu"]

        carol_client = world.client("staff")
        carol_client.force_authenticate(user=carol)
        last = carol_client.post(invitation_url + "accept/")
        assert last.status_code == 201
        assert last.data["group_created"] is True
        assert usernames(last.data["group"]) == [
            "bob@x.edu",
            "carol@x.edu",
            "student@example.edu",
        ]
        assert not GroupInvitation.objects.exists()
        mine = world.client("student").get(f"/api/projects/{world.project.pk}/my_group/")
        assert mine.data["id"] == last.data["group"]["id"]
        assert bob_client.get(invitation_url).status_code == 404

    def test_reject_frees_everyone(self, world: World) -> None:
        bob = new_student(world, "bob@x.edu")
        sent = world.client("student").post(
            self.url(world), {"recipients": ["bob@x.edu"]}, format="json"
        )
        bob_client = world.client("staff")
        bob_client.force_authenticate(user=bob)
        response = bob_client.post(f"/api/invitations/{sent.data['id']}/reject/")
        assert response.status_code == 204
        again = bob_client.post(self.url(world), {"recipients": ["student@example.edu"]})
        assert again.status_code == 201

    def test_second_pending_invitation_is_409(self, world: World) -> None:
        new_student(world, "bob@x.edu")
        first = world.client("student").post(
            self.url(world), {"recipients": ["bob@x.edu"]}, format="json"
        )
        assert first.status_code == 201
        second = world.client("staff").post(
            self.url(world), {"recipients": ["bob@x.edu"]}, format="json"
        )
        assert second.status_code == 409
        assert second.data["code"] == "invitation_pending"
        assert "bob@x.edu" in second.data["message"]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"recipients": "bob@x.edu"}, "recipients"),
            ({"recipients": []}, "recipients"),
            ({}, "recipients"),
            ({"recipients": ["ghost@x.edu"]}, "recipients"),
            ({"recipients": ["bob@x.edu", "bob@x.edu"]}, "recipients"),
            ({"recipients": ["student@example.edu"]}, "recipients"),
            ({"recipients": ["outsider@example.edu"]}, "recipients"),
            ({"recipients": ["bob@x.edu"], "sender": "member@example.edu"}, "sender"),
            ({"recipients": [f"u{i}@x.edu" for i in range(101)]}, "recipients"),
        ],
    )
    def test_bad_input(self, world: World, body: dict[str, Any], field: str) -> None:
        new_student(world, "bob@x.edu")
        response = world.client("student").post(self.url(world), body, format="json")
        assert response.status_code == 400, response.data
        assert field in response.data["fields"]
        assert not GroupInvitation.objects.exists()

    def test_sender_cannot_accept_own_invitation(self, world: World) -> None:
        new_student(world, "bob@x.edu")
        sent = world.client("student").post(
            self.url(world), {"recipients": ["bob@x.edu"]}, format="json"
        )
        response = world.client("student").post(f"/api/invitations/{sent.data['id']}/accept/")
        assert response.status_code == 403
        assert (
            world.client("student").post(f"/api/invitations/{sent.data['id']}/reject/").status_code
            == 403
        )

    def test_missing_invitation_is_404(self, world: World) -> None:
        client = world.client("student")
        assert client.get("/api/invitations/999999/").status_code == 404
        assert client.post("/api/invitations/999999/accept/").status_code == 404


def test_schema_lists_group_routes(world: World) -> None:
    response = world.client("staff").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/groups/{group_id}/merge/" in paths
    assert "/api/invitations/{invitation_id}/accept/" in paths


def test_schema_types_group_lists_as_pages_and_late_days_as_numbers(world: World) -> None:
    schema = world.client("staff").get("/api/schema/", {"format": "json"}).json()
    for path, item in [
        ("/api/projects/{project_id}/groups/", "GroupOutput"),
        ("/api/projects/{project_id}/invitations/", "InvitationOutput"),
    ]:
        ok = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        page = schema["components"]["schemas"][ok["schema"]["$ref"].rsplit("/", 1)[1]]
        assert set(page["properties"]) == {"count", "next", "previous", "results"}
        assert page["properties"]["results"]["items"]["$ref"].endswith(f"/{item}")
    late_days = schema["components"]["schemas"]["GroupOutput"]["properties"]["late_days_used"]
    assert late_days["additionalProperties"] == {"type": "integer"}
