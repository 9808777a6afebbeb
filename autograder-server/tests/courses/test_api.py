from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from autograder.accounts.models import User
from autograder.courses import selectors, services
from autograder.courses.models import Course, Role
from autograder.courses.roster_input import MAX_CSV_BYTES, MAX_ROSTER_ENTRIES
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db


def user(w: World, role: str) -> User:
    found = w.users[role]
    assert isinstance(found, User)
    return found


def roster_url(w: World, role: str = "student") -> str:
    return f"/api/courses/{w.course.pk}/roster/{role}/"


def roster(w: World, role: Role = Role.STUDENT) -> list[str]:
    return list(
        selectors.members_with_role(course=w.course, role=role).values_list("username", flat=True)
    )


def upload(content: bytes, name: str = "roster.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def post_csv(client: APIClient, url: str, content: bytes, method: str = "post") -> Any:
    return getattr(client, method)(url, {"file": upload(content)}, format="multipart")


# --- Courses --------------------------------------------------------------------------------


class TestCourses:
    def test_list_shows_my_courses_with_my_roles(self, world: World) -> None:
        factories.add_role(world.other_course, user(world, "handgrader"), Role.STUDENT)
        response = world.client("handgrader").get("/api/courses/")
        assert response.status_code == 200
        by_name = {c["name"]: c for c in response.data["results"]}
        assert set(by_name) == {"EECS 280", "EECS 281"}
        assert by_name["EECS 280"]["my_roles"] == ["handgrader"]
        assert by_name["EECS 281"]["my_roles"] == ["student"]
        assert set(by_name["EECS 280"]) == {
            "id",
            "name",
            "semester",
            "year",
            "subtitle",
            "num_late_days",
            "allowed_guest_domain",
            "created_at",
            "last_modified",
            "my_roles",
        }

    def test_superuser_sees_every_course_and_pages(self, world: World) -> None:
        response = world.client("superuser").get("/api/courses/", {"page_size": 1})
        assert response.data["count"] == 2
        assert len(response.data["results"]) == 1 and response.data["next"]
        assert response.data["results"][0]["my_roles"] == ["admin", "staff"]
        assert world.client("student").get("/api/courses/").data["count"] == 1

    def test_create_makes_the_creator_admin(self, world: World) -> None:
        creator = user(world, "staff")
        creator.can_create_courses = True
        creator.save()
        body = {"name": "EECS 370", "semester": "winter", "year": 2027, "num_late_days": 2}
        response = world.client("staff").post("/api/courses/", body, format="json")
        assert response.status_code == 201, response.data
        assert response.data["my_roles"] == ["admin", "staff"]
        assert response.data["subtitle"] == ""
        course = Course.objects.get(pk=response.data["id"])
        assert list(
            selectors.members_with_role(course=course, role=Role.ADMIN).values_list(
                "username", flat=True
            )
        ) == ["staff@example.edu"]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"name": "EECS 280", "semester": "fall", "year": 2026}, "name"),
            ({"name": "X", "semester": "monsoon", "year": 2026}, "semester"),
            ({"name": "X", "semester": "fall", "year": 1900}, "year"),
            ({"name": "X", "semester": "fall"}, "year"),
            ({"name": "X", "semester": "fall", "year": 2026, "colour": "blue"}, "colour"),
            ({"name": "X", "semester": "fall", "year": 2026, "num_late_days": -1}, "num_late_days"),
            (
                {"name": "X", "semester": "fall", "year": 2026, "num_late_days": 10**12},
                "num_late_days",
            ),
            (
                {"name": "X", "semester": "fall", "year": 2026, "allowed_guest_domain": "a b"},
                "allowed_guest_domain",
            ),
            (
                {"name": "X", "semester": "fall", "year": 2026, "allowed_guest_domain": "x@y.z"},
                "allowed_guest_domain",
            ),
        ],
    )
    def test_create_reports_bad_fields(
        self, world: World, body: dict[str, Any], field: str
    ) -> None:
        response = world.client("superuser").post("/api/courses/", body, format="json")
        assert response.status_code == 400
        assert field in response.data["fields"]

    def test_patch_and_duplicate(self, world: World) -> None:
        url = f"/api/courses/{world.course.pk}/"
        client = world.client("admin")
        response = client.patch(url, {"subtitle": "Programming"}, format="json")
        assert response.status_code == 200
        assert response.data["subtitle"] == "Programming"
        assert response.data["my_roles"] == ["admin", "staff"]
        response = client.patch(url, {"name": world.other_course.name}, format="json")
        assert response.status_code == 400
        assert response.data["code"] == "duplicate_course"

    def test_unknown_course_is_404(self, world: World) -> None:
        for role in ("student", "superuser"):
            assert world.client(role).get("/api/courses/999999/").status_code == 404

    def test_copy(self, world: World) -> None:
        factories.make_expected_file(world.project, "main.cpp")
        url = f"/api/courses/{world.course.pk}/copy/"
        body = {"name": "EECS 280", "semester": "winter", "year": 2027}
        response = world.client("superuser").post(url, body, format="json")
        assert response.status_code == 201, response.data
        copy = Course.objects.get(pk=response.data["id"])
        assert copy.num_late_days == 3
        assert sorted(copy.projects.values_list("name", flat=True)) == ["P1 Stats", "P2 Hidden"]
        assert world.client("superuser").post(url, body, format="json").status_code == 400


# --- Rosters --------------------------------------------------------------------------------


class TestRosterInput:
    def test_json_list(self, world: World) -> None:
        response = world.client("admin").post(
            roster_url(world), {"users": ["new@example.edu", "student@example.edu"]}, format="json"
        )
        assert response.status_code == 200, response.data
        assert [u["username"] for u in response.data["added"]] == ["new@example.edu"]
        assert [u["username"] for u in response.data["created"]] == ["new@example.edu"]
        assert "new@example.edu" in roster(world)

    def test_pasted_text(self, world: World) -> None:
        factories.make_user("e")
        text = "a@example.edu, b@example.edu\n c@example.edu\td@example.edu;e\r\n\n"
        response = world.client("admin").post(
            roster_url(world, "handgrader"), {"text": text}, format="json"
        )
        assert response.status_code == 200, response.data
        assert roster(world, Role.HANDGRADER) == [
            "a@example.edu",
            "b@example.edu",
            "c@example.edu",
            "d@example.edu",
            "e",
            "grader@example.edu",
        ]

    def test_a_pasted_name_and_address_is_one_person(self, world: World) -> None:
        """The issue: this line made three accounts, "Carol", "New" and the bracketed
        address."""
        text = "Carol New <carol.new@demo.test>\n"
        response = world.client("admin").post(roster_url(world), {"text": text}, format="json")
        assert response.status_code == 200, response.data
        assert [
            (u["username"], u["email"], u["first_name"], u["last_name"])
            for u in response.data["created"]
        ] == [("carol.new@demo.test", "carol.new@demo.test", "Carol", "New")]
        assert not User.objects.filter(username__in=["Carol", "New"]).exists()
        assert "carol.new@demo.test" in roster(world)

    def test_what_is_not_an_address_is_refused_by_line_and_nothing_is_stored(
        self, world: World
    ) -> None:
        users_before = User.objects.count()
        text = "Carol New <carol.new@demo.test>\nnot-an-email\n"
        response = world.client("admin").post(roster_url(world), {"text": text}, format="json")
        assert response.status_code == 400
        assert response.data["code"] == "invalid_identifiers"
        assert response.data["fields"] == {
            "text": {
                "2": ["'not-an-email' is not an email address, and no account has that username."]
            }
        }
        assert "Line 2" in response.data["message"]
        assert User.objects.count() == users_before

    def test_pasted_text_as_a_form_field(self, world: World) -> None:
        response = world.client("admin").post(
            roster_url(world), {"text": "x@example.edu y@example.edu"}, format="multipart"
        )
        assert response.status_code == 200, response.data
        assert {"x@example.edu", "y@example.edu"} <= set(roster(world))

    @pytest.mark.parametrize(
        "content",
        [
            b"username\nnew1@example.edu\nnew2@example.edu\n",
            b"\xef\xbb\xbfEmail,Name\r\nnew1@example.edu,New One\r\nnew2@example.edu,\r\n",
            b"new1@example.edu,x\n\n  new2@example.edu  ,y\n",
            b'"new1@example.edu","One, Person"\n"new2@example.edu",Two\n',
        ],
        ids=["header", "bom-and-header", "no-header", "quoted"],
    )
    def test_csv_upload(self, world: World, content: bytes) -> None:
        response = post_csv(world.client("admin"), roster_url(world), content)
        assert response.status_code == 200, response.data
        assert [u["username"] for u in response.data["added"]] == [
            "new1@example.edu",
            "new2@example.edu",
        ]
        assert not User.objects.filter(username__in=["username", "Email"]).exists()

    def test_csv_replace_and_remove(self, world: World) -> None:
        client = world.client("admin")
        response = post_csv(client, roster_url(world), b"email\nnew@example.edu\n", "put")
        assert response.status_code == 200, response.data
        assert roster(world) == ["new@example.edu"]
        assert {u["username"] for u in response.data["removed"]} == {
            "member@example.edu",
            "other.member@example.edu",
            "student@example.edu",
        }
        response = post_csv(client, roster_url(world), b"new@example.edu\n", "delete")
        assert response.status_code == 200
        assert roster(world) == []

    def test_csv_that_is_not_utf8_is_a_400(self, world: World) -> None:
        content = "username\nmüller@example.edu\n".encode("latin-1")
        response = post_csv(world.client("admin"), roster_url(world), content)
        assert response.status_code == 400
        assert response.data["code"] == "bad_encoding"
        assert "file" in response.data["fields"]
        assert "UTF-8" in response.data["message"]

    def test_utf8_names_are_fine(self, world: World) -> None:
        content = "email,name\nmueller@example.edu,Jürgen Müller\n".encode()
        response = post_csv(world.client("admin"), roster_url(world), content)
        assert response.status_code == 200
        created = User.objects.get(username="mueller@example.edu")
        assert (created.first_name, created.last_name) == ("Jürgen", "Müller")
        assert "mueller@example.edu" in roster(world)

    def test_huge_csv_is_refused_and_stores_nothing(self, world: World) -> None:
        users_before = User.objects.count()
        content = "".join(f"u{i}@example.edu\n" for i in range(MAX_ROSTER_ENTRIES + 1)).encode()
        response = post_csv(world.client("admin"), roster_url(world), content)
        assert response.status_code == 400
        assert response.data["code"] == "roster_too_large"
        assert f"{MAX_ROSTER_ENTRIES + 1}" in response.data["message"]
        assert User.objects.count() == users_before

    def test_csv_of_exactly_the_limit_is_accepted(self, world: World) -> None:
        content = "".join(f"u{i}@example.edu\n" for i in range(MAX_ROSTER_ENTRIES)).encode()
        response = post_csv(world.client("admin"), roster_url(world), content)
        assert response.status_code == 200
        assert len(response.data["created"]) == MAX_ROSTER_ENTRIES

    def test_oversize_file_is_refused_before_parsing(self, world: World) -> None:
        content = b"a\n" * (MAX_CSV_BYTES // 2 + 1)
        response = post_csv(world.client("admin"), roster_url(world), content)
        assert response.status_code == 400
        assert response.data["code"] == "roster_too_large"
        assert "file" in response.data["fields"]

    def test_body_that_is_not_an_object_is_a_400(self, world: World) -> None:
        client = world.client("admin")
        response = client.post(roster_url(world), ["a", "b"], format="json")
        assert response.status_code == 400
        response = client.generic(
            "POST", roster_url(world), "{not json", content_type="application/json"
        )
        assert response.status_code == 400

    def test_too_many_json_users_is_a_400(self, world: World) -> None:
        users = [f"u{i}" for i in range(MAX_ROSTER_ENTRIES + 1)]
        response = world.client("admin").post(roster_url(world), {"users": users}, format="json")
        assert response.status_code == 400
        assert response.data["code"] == "roster_too_large"

    def test_invalid_csv_rows_are_named_by_line(self, world: World) -> None:
        content = b"username\nok@example.edu\nbad\x01name\n,\nalso bad\n"
        response = post_csv(world.client("admin"), roster_url(world), content)
        assert response.status_code == 400
        assert set(response.data["fields"]["file"]) == {"3", "5"}
        assert "ok@example.edu" not in roster(world)

    def test_invalid_json_identifiers_are_named_by_index(self, world: World) -> None:
        body = {"users": ["fine@example.edu", "", "with space", "x" * 151]}
        response = world.client("admin").post(roster_url(world), body, format="json")
        assert response.status_code == 400
        assert response.data["code"] == "invalid_identifiers"
        assert set(response.data["fields"]["users"]) == {"1", "2", "3"}
        assert not User.objects.filter(username="fine@example.edu").exists()

    @pytest.mark.parametrize(
        "body",
        [{}, {"users": ["a"], "text": "b"}, {"users": "a"}, {"names": ["a"]}],
        ids=["nothing", "both", "not-a-list", "unknown-field"],
    )
    def test_body_shape_errors(self, world: World, body: dict[str, Any]) -> None:
        response = world.client("admin").post(roster_url(world), body, format="json")
        assert response.status_code == 400
        assert response.data["fields"]

    def test_unknown_role_is_404(self, world: World) -> None:
        response = world.client("admin").get(roster_url(world, "teacher"))
        assert response.status_code == 404


def preview_url(w: World, role: str = "student") -> str:
    return f"{roster_url(w, role)}preview/"


class TestRosterPreview:
    def test_preview_lists_who_would_be_added_and_the_problems_and_changes_nothing(
        self, world: World
    ) -> None:
        factories.make_user("known@demo.test")
        users_before = User.objects.count()
        text = (
            "Carol New <carol.new@demo.test>\n"
            "not-an-email\n"
            "student@example.edu; known@demo.test\n"
            '"Lee, Ann" <ann@demo.test>\n'
        )
        response = world.client("admin").post(preview_url(world), {"text": text}, format="json")
        assert response.status_code == 200, response.data
        body = response.data
        assert (body["mode"], body["field"], body["position_label"]) == ("add", "text", "line")
        assert [
            (a["position"], a["identifier"], a["account"] and a["account"]["username"])
            for a in body["add"]
        ] == [
            (1, "carol.new@demo.test", None),
            (3, "known@demo.test", "known@demo.test"),
            (4, "ann@demo.test", None),
        ]
        carol, _, ann = body["add"]
        assert (carol["name"], carol["new_first_name"], carol["new_last_name"]) == (
            "Carol New",
            "Carol",
            "New",
        )
        assert (ann["new_first_name"], ann["new_last_name"]) == ("Ann", "Lee")
        assert [u["identifier"] for u in body["unchanged"]] == ["student@example.edu"]
        assert body["problems"] == [
            {
                "position": 2,
                "written": "not-an-email",
                "message": "'not-an-email' is not an email address, and no account has that "
                "username.",
            }
        ]
        assert body["remove"] == [] and body["conflict"] == ""
        assert User.objects.count() == users_before
        assert "known@demo.test" not in roster(world)

    def test_preview_of_a_replacement_lists_who_would_be_removed(self, world: World) -> None:
        body = {"text": "student@example.edu\nnew@demo.test", "mode": "replace"}
        response = world.client("admin").post(preview_url(world), body, format="json")
        assert response.status_code == 200
        assert [u["username"] for u in response.data["remove"]] == [
            "member@example.edu",
            "other.member@example.edu",
        ]
        assert len(roster(world)) == 3

    def test_preview_of_a_csv_upload(self, world: World) -> None:
        content = b"Name,Email\nCarol New,carol@demo.test\nNo Address,\n"
        response = world.client("admin").post(
            preview_url(world), {"file": upload(content), "mode": "add"}, format="multipart"
        )
        assert response.status_code == 200, response.data
        assert response.data["field"] == "file"
        assert [a["identifier"] for a in response.data["add"]] == ["carol@demo.test"]
        assert [p["position"] for p in response.data["problems"]] == [3]
        assert not User.objects.filter(username="carol@demo.test").exists()

    def test_preview_of_removing_the_last_admin_names_the_conflict(self, world: World) -> None:
        body = {"users": ["admin@example.edu"], "mode": "remove"}
        response = world.client("admin").post(preview_url(world, "admin"), body, format="json")
        assert response.status_code == 200
        assert "at least one admin" in response.data["conflict"]
        assert roster(world, Role.ADMIN) == ["admin@example.edu"]

    @pytest.mark.parametrize(
        "body",
        [{"text": "a@demo.test", "mode": "merge"}, {"mode": "add"}, {"text": 3, "extra": 1}],
        ids=["bad-mode", "no-names", "bad-fields"],
    )
    def test_bad_preview_bodies_are_400s(self, world: World, body: dict[str, Any]) -> None:
        response = world.client("admin").post(preview_url(world), body, format="json")
        assert response.status_code == 400
        assert response.data["fields"]


class TestRoster:
    def test_list_is_paginated_with_user_fields(self, world: World) -> None:
        response = world.client("staff").get(roster_url(world), {"page_size": 2})
        assert response.status_code == 200
        assert response.data["count"] == 3
        assert [u["username"] for u in response.data["results"]] == [
            "member@example.edu",
            "other.member@example.edu",
        ]
        assert set(response.data["results"][0]) == {
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
        }

    def test_removing_the_last_admin_is_a_409(self, world: World) -> None:
        response = world.client("admin").delete(
            roster_url(world, "admin"), {"users": ["admin@example.edu"]}, format="json"
        )
        assert response.status_code == 409
        assert response.data["code"] == "last_admin"

    def test_admin_who_removes_themself_loses_admin_rights(self, world: World) -> None:
        client = world.client("admin")
        body = {"users": ["staff@example.edu"]}
        assert client.post(roster_url(world, "admin"), body, format="json").status_code == 200
        body = {"users": ["admin@example.edu"]}
        assert client.delete(roster_url(world, "admin"), body, format="json").status_code == 200
        assert client.post(roster_url(world), {"users": ["z"]}, format="json").status_code == 403

    def test_remove_reports_not_found(self, world: World) -> None:
        response = world.client("admin").delete(
            roster_url(world), {"text": "student@example.edu nobody"}, format="json"
        )
        assert response.status_code == 200
        assert [u["username"] for u in response.data["removed"]] == ["student@example.edu"]
        assert response.data["not_found"] == ["nobody"]


# --- Late days ------------------------------------------------------------------------------


class TestLateDays:
    def test_list_has_every_student(self, world: World) -> None:
        member = user(world, "group_member")
        services.late_days_charge(course=world.course, user=member, days=2)
        services.late_days_set(course=world.course, user=user(world, "student"), remaining=5)
        response = world.client("staff").get(f"/api/courses/{world.course.pk}/late_days/")
        assert response.status_code == 200
        rows = {row["user"]["username"]: row for row in response.data["results"]}
        assert response.data["count"] == 3
        assert {k: v for k, v in rows["member@example.edu"].items() if k != "user"} == {
            "remaining": 1,
            "used": 2,
            "extra_granted": 0,
        }
        assert rows["student@example.edu"]["remaining"] == 5
        assert rows["student@example.edu"]["extra_granted"] == 2
        assert rows["other.member@example.edu"]["remaining"] == 3

    def test_student_sees_own_and_admin_sets(self, world: World) -> None:
        student = user(world, "student")
        url = f"/api/courses/{world.course.pk}/late_days/{student.pk}/"
        response = world.client("student").get(url)
        assert response.status_code == 200
        assert response.data["remaining"] == 3
        response = world.client("admin").put(url, {"remaining": 7}, format="json")
        assert response.status_code == 200
        assert response.data["remaining"] == 7
        assert world.client("student").get(url).data["remaining"] == 7

    @pytest.mark.parametrize("body", [{"remaining": -1}, {"remaining": "many"}, {}, {"used": 1}])
    def test_bad_remaining_is_a_400(self, world: World, body: dict[str, Any]) -> None:
        url = f"/api/courses/{world.course.pk}/late_days/{user(world, 'student').pk}/"
        response = world.client("admin").put(url, body, format="json")
        assert response.status_code == 400
        assert response.data["fields"]

    def test_user_outside_the_course_is_404(self, world: World) -> None:
        outsider = user(world, "other_course_student")
        url = f"/api/courses/{world.course.pk}/late_days/{outsider.pk}/"
        assert world.client("staff").get(url).status_code == 404
        assert world.client("admin").put(url, {"remaining": 1}, format="json").status_code == 404
        assert (
            world.client("staff").get(f"/api/courses/{world.course.pk}/late_days/0/").status_code
            == 404
        )


def test_schema_lists_course_routes(world: World) -> None:
    response = world.client("staff").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths["/api/courses/{course_id}/roster/{role}/preview/"]) == {"post"}
    roster_path = paths["/api/courses/{course_id}/roster/{role}/"]
    assert set(roster_path) >= {"get", "post", "put", "delete"}
    assert "multipart/form-data" in roster_path["post"]["requestBody"]["content"]
    assert "/api/courses/{course_id}/late_days/{user_id}/" in paths
    assert "/api/courses/{course_id}/copy/" in paths
