"""Every EiPL endpoint for every role: staff set the question; anyone who may see the project
reads what to explain; only the group's members submit; whoever may read the group's
submissions reads the generated code. No response names the model's key or endpoint."""

from typing import Any

import pytest
from django.test import override_settings

from autograder.accounts.models import User
from autograder.eipl import services
from autograder.eipl.models import EiplQuestion
from tests.conftest import ROLE_NAMES, World
from tests.eipl.helpers import ADD_CASES
from tests.permission_matrix import Endpoint, assert_matrix

pytestmark = [
    pytest.mark.django_db,
    # on_commit never runs inside the matrix's rolled-back savepoints, so no task is sent.
    pytest.mark.usefixtures("llm_configured"),
]


@pytest.fixture
def llm_configured() -> Any:
    with override_settings(LLM_BASE_URL="http://127.0.0.1:9/v1", LLM_MODEL="m"):
        yield


def roles(**statuses: int) -> dict[str, int]:
    base = {role: 403 for role in ROLE_NAMES} | {"anonymous": 401}
    return base | statuses


STAFF_OK = ("staff", "admin", "superuser")


def staff(ok: int) -> dict[str, int]:
    return roles(**dict.fromkeys(STAFF_OK, ok))


def question(w: World) -> EiplQuestion:
    return services.question_save(project=w.project, function_name="add", test_cases=ADD_CASES)


def question_url(w: World) -> str:
    return f"/api/projects/{question(w).project_id}/eipl_question/"


def attempt_url(w: World) -> str:
    question(w)
    member = w.users["group_member"]
    assert isinstance(member, User)
    submission = services.explanation_submit(
        group=w.group, submitter=member, explanation="It adds the two numbers."
    )
    return f"/api/submissions/{submission.pk}/eipl_attempt/"


def no_secrets(w: World, role: str, response: Any) -> None:
    text = response.content.decode()
    assert "127.0.0.1:9" not in text
    if role not in STAFF_OK:
        assert "prompt_template" not in text and "test_cases" not in text


@pytest.mark.parametrize(
    "endpoint",
    [
        Endpoint("GET", question_url, staff(200), check=no_secrets),
        Endpoint(
            "PUT",
            question_url,
            staff(200),
            body=lambda w: {"temperature": 0.5, "num_generations": 2},
        ),
        Endpoint("DELETE", question_url, staff(204)),
        Endpoint(
            "GET",
            lambda w: f"/api/projects/{question(w).project_id}/eipl_question/student/",
            roles(student=200, group_member=200, handgrader=200, **dict.fromkeys(STAFF_OK, 200)),
            check=no_secrets,
        ),
        Endpoint(
            "POST",
            lambda w: (
                f"/api/groups/{question(w).project.groups.get(pk=w.group.pk).pk}/eipl_explanations/"
            ),
            roles(group_member=201),
            body=lambda w: {"explanation": "It adds the two numbers."},
        ),
        Endpoint(
            "GET",
            attempt_url,
            roles(group_member=200, handgrader=200, **dict.fromkeys(STAFF_OK, 200)),
            check=no_secrets,
        ),
        Endpoint(
            "GET",
            lambda w: f"/api/courses/{w.project.course_id}/eipl_limits/",
            staff(200),
            check=no_secrets,
        ),
        Endpoint(
            "PUT",
            lambda w: f"/api/courses/{w.project.course_id}/eipl_limits/",
            roles(superuser=200),
            body=lambda w: {"daily_calls": 10, "daily_tokens": None},
        ),
    ],
    ids=lambda e: f"{e.method}",
)
def test_permissions(endpoint: Endpoint) -> None:
    assert_matrix(endpoint)
