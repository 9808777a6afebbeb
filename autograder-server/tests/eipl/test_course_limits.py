"""A course's own daily language-model limits: superusers set them where the site's do not fit,
the course's staff read them, and explanations are charged against them."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from autograder.eipl import budget
from autograder.eipl.models import EiplUsage
from tests import factories
from tests.eipl.helpers import add_question, standin_configured, student_group
from tests.eipl.llm_standin import LlmStandin

pytestmark = pytest.mark.django_db


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[LlmStandin]:
    with standin_configured(
        tmp_path, LLM_DAILY_CALLS_PER_COURSE=5, LLM_DAILY_TOKENS_PER_COURSE=0
    ) as server:
        yield server


def superuser_client() -> APIClient:
    client = APIClient()
    client.force_authenticate(factories.make_user(is_superuser=True))
    return client


def explain(client: APIClient, group_id: int) -> int:
    response = client.post(
        f"/api/groups/{group_id}/eipl_explanations/",
        {"explanation": "It adds the two numbers."},
        format="json",
    )
    return response.status_code


def test_a_course_given_more_calls_than_the_site_keeps_accepting(standin: LlmStandin) -> None:
    question = add_question()
    course = question.project.course
    EiplUsage.objects.create(course=course, day=budget.today(), calls=5)
    student, group = student_group(question)
    assert explain(student, group.pk) == 429

    response = superuser_client().put(
        f"/api/courses/{course.pk}/eipl_limits/",
        {"daily_calls": 50, "daily_tokens": None},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["calls_limit"], body["calls_own"], body["site_calls_limit"]) == (50, True, 5)
    assert (body["tokens_limit"], body["tokens_own"]) == (0, False)
    assert body["budget"]["calls_used"] == 5
    assert explain(student, group.pk) == 201
    assert budget.call_charge(course_id=course.pk)  # the sixth call is allowed now


def test_a_course_held_below_the_site_is_refused_sooner(standin: LlmStandin) -> None:
    question = add_question()
    course = question.project.course
    budget.limits_set(course_id=course.pk, daily_calls=1, daily_tokens=None)
    assert budget.call_charge(course_id=course.pk)
    assert not budget.call_charge(course_id=course.pk)

    attempt_group = student_group(question)
    assert explain(attempt_group[0], attempt_group[1].pk) == 429
    other = add_question()  # another course keeps the site's 5
    assert budget.call_charge(course_id=other.project.course_id)


def test_clearing_both_limits_returns_the_course_to_the_sites(standin: LlmStandin) -> None:
    course = add_question().project.course
    client = superuser_client()
    url = f"/api/courses/{course.pk}/eipl_limits/"
    client.put(url, {"daily_calls": 0, "daily_tokens": 1000}, format="json")
    assert budget.limits_of(course_id=course.pk) == budget.Limits(
        calls=0, tokens=1000, calls_own=True, tokens_own=True
    )

    response = client.put(url, {"daily_calls": None, "daily_tokens": None}, format="json")

    assert response.status_code == 200
    assert budget.limits_of(course_id=course.pk) == budget.Limits(
        calls=5, tokens=0, calls_own=False, tokens_own=False
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"daily_calls": -1, "daily_tokens": None}, "daily_calls"),
        ({"daily_calls": "many", "daily_tokens": None}, "daily_calls"),
        ({"daily_tokens": None}, "daily_calls"),
        ({"daily_calls": 3, "daily_tokens": 10**16}, "daily_tokens"),
    ],
)
def test_bad_limits_name_the_field_and_change_nothing(body: dict[str, object], field: str) -> None:
    course = add_question().project.course
    response = superuser_client().put(f"/api/courses/{course.pk}/eipl_limits/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not budget.limits_of(course_id=course.pk).calls_own


def test_the_question_page_shows_the_courses_own_limit() -> None:
    question = add_question()
    budget.limits_set(course_id=question.project.course_id, daily_calls=7, daily_tokens=None)
    staff = factories.add_role(question.project.course, factories.make_user(), "staff")
    client = APIClient()
    client.force_authenticate(staff)
    body = client.get(f"/api/projects/{question.project_id}/eipl_question/").json()
    assert body["budget"]["calls_limit"] == 7
