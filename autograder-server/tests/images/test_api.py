"""Bad input to the image endpoints is a 400 naming the field; suites accept only images
their course may use."""

from typing import Any

import pytest

from autograder.images import selectors, services
from autograder.images.models import ImageStatus, SandboxImage
from autograder.sandbox.config import load_settings
from tests.conftest import World, build_world

pytestmark = pytest.mark.django_db

GOOD = "FROM ag-sandbox-default:latest\n"


@pytest.fixture
def world() -> World:
    return build_world()


def _create(w: World, **body: Any) -> Any:
    payload = {"display_name": "Java", "dockerfile": GOOD} | body
    return w.client("admin").post(
        f"/api/courses/{w.course.pk}/sandbox_images/", payload, format="json"
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"runtime": "kata"}, "runtime"),
        ({"dockerfile": "RUN echo no base\n"}, "dockerfile"),
        ({"build_files": {"../escape.txt": "x"}}, "build_files"),
        ({"build_files": {"a\u0000b": "x"}}, "build_files"),
        ({"build_files": {"Dockerfile": "x"}}, "build_files"),
        ({"display_name": ""}, "display_name"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(
    world: World, body: dict[str, Any], field: str
) -> None:
    response = _create(world, **body)
    assert response.status_code == 400, response.data
    assert field in response.data["fields"], response.data
    assert not SandboxImage.objects.filter(course=world.course).exists()


def test_a_duplicate_name_in_the_course_is_a_400(world: World) -> None:
    assert _create(world).status_code == 201
    response = _create(world)
    assert response.status_code == 400
    assert "display_name" in response.data["fields"]


def test_the_list_has_the_site_default_then_the_courses_images(world: World) -> None:
    assert _create(world).status_code == 201
    listed = world.client("staff").get(f"/api/courses/{world.course.pk}/sandbox_images/").data
    assert [(i["display_name"], i["built_in"], i["usable"]) for i in listed] == [
        ("ag-sandbox-default:latest", True, True),
        ("Java", False, False),
    ]


def test_a_suite_accepts_only_images_its_course_may_use(world: World) -> None:
    mine = services.image_create(course=world.course, display_name="Mine", dockerfile=GOOD)
    theirs = services.image_create(
        course=world.other_course, display_name="Theirs", dockerfile=GOOD
    )
    for image in (mine, theirs):
        image.tag, image.status = "ag-sandbox-default:latest", ImageStatus.READY
        image.save()
    unbuilt = services.image_create(course=world.course, display_name="Unbuilt", dockerfile=GOOD)
    url = f"/api/projects/{world.project.pk}/suites/"
    admin = world.client("admin")

    for refused in (theirs, unbuilt):
        response = admin.post(
            url, {"name": refused.display_name, "sandbox_image": refused.reference}, format="json"
        )
        assert response.status_code == 400, response.data
        assert "sandbox_image" in response.data["fields"]

    response = admin.post(url, {"name": "Mine", "sandbox_image": mine.reference}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["sandbox_image"] == mine.reference
    offered = admin.get(f"/api/projects/{world.project.pk}/sandbox_images/").data
    assert mine.reference in offered["images"] and theirs.reference not in offered["images"]
    assert {"reference": mine.reference, "display_name": "Mine", "runtime": "runc"} in offered[
        "options"
    ]


def test_stock_images_are_site_images_chosen_by_a_name_that_outlives_a_rebuild(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "AG_SANDBOX_STOCK_IMAGES",
        "ag-sandbox-java=ag-sandbox-java:aaaaaaaaaaaa,ag-sandbox-node=ag-sandbox-node:bbbbbbbbbbbb",
    )
    listed = world.client("staff").get(f"/api/courses/{world.course.pk}/sandbox_images/").data
    assert [(i["display_name"], i["built_in"], i["usable"]) for i in listed] == [
        ("ag-sandbox-default:latest", True, True),
        ("ag-sandbox-java", True, True),
        ("ag-sandbox-node", True, True),
    ]
    admin = world.client("admin")
    url = f"/api/projects/{world.project.pk}/suites/"
    response = admin.post(url, {"name": "Java", "sandbox_image": "ag-sandbox-java"}, format="json")
    assert response.status_code == 201, response.data
    for unknown in ("ag-sandbox-java:aaaaaaaaaaaa", "ag-sandbox-polyglot"):
        response = admin.post(url, {"name": unknown, "sandbox_image": unknown}, format="json")
        assert response.status_code == 400, response.data

    # A rebuild (new content hash) keeps the name: the suite now runs on the new tag.
    monkeypatch.setenv("AG_SANDBOX_STOCK_IMAGES", "ag-sandbox-java=ag-sandbox-java:cccccccccccc")
    resolved = selectors.resolve(course_id=world.course.pk, reference="ag-sandbox-java")
    assert resolved is not None and resolved.tag == "ag-sandbox-java:cccccccccccc"
    # One the site no longer offers can't be chosen (nor run).
    assert selectors.resolve(course_id=world.course.pk, reference="ag-sandbox-node") is None


@pytest.mark.parametrize(
    "value", ["ag-sandbox-java", "ag-sandbox-java=../x", "Java=ag-sandbox-java:1"]
)
def test_a_malformed_stock_image_list_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="AG_SANDBOX_STOCK_IMAGES"):
        load_settings({"AG_SANDBOX_STOCK_IMAGES": value})


def test_the_site_images_cant_be_edited_or_built(world: World) -> None:
    listed = world.client("superuser").get("/api/site/sandbox_images/").data
    default = listed[0]
    assert default["built_in"]
    response = world.client("superuser").patch(
        f"/api/sandbox_images/{default['id']}/", {"display_name": "x"}, format="json"
    )
    assert response.status_code == 409
    response = world.client("superuser").post(f"/api/sandbox_images/{default['id']}/builds/")
    assert response.status_code == 409


def test_a_build_whose_worker_died_does_not_block_the_next(world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from autograder.images.models import ImageBuild

    image = services.image_create(course=world.course, display_name="Stuck", dockerfile=GOOD)
    url = f"/api/sandbox_images/{image.pk}/builds/"
    admin = world.client("admin")
    first = admin.post(url)
    assert first.status_code == 201
    ImageBuild.objects.filter(pk=first.data["id"]).update(status=ImageStatus.BUILDING)
    assert admin.post(url).status_code == 409  # one build at a time

    ImageBuild.objects.filter(pk=first.data["id"]).update(
        created_at=timezone.now() - timedelta(hours=2)
    )
    second = admin.post(url)
    assert second.status_code == 201, second.data
    stale = ImageBuild.objects.get(pk=first.data["id"])
    assert stale.status == ImageStatus.FAILED and "worker stopped" in stale.error
