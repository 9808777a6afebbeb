"""Builders for EiPL tests: a question on a fresh project, a student who explains, and the
language-model stand-in with the settings that point the server at it."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.test import override_settings
from rest_framework.test import APIClient

from autograder.courses.models import Role
from autograder.eipl import services
from autograder.eipl.models import EiplQuestion
from autograder.groups.models import Group
from tests import factories
from tests.eipl.llm_standin import LlmStandin

ADD_CASES = [
    {"args": [1, 2], "expected": 3},
    {"args": [5, 0], "expected": 5},
    {"args": [-1, 1], "expected": 0},
]


def add_question(**fields: Any) -> EiplQuestion:
    project = factories.make_project()
    fields.setdefault("function_name", "add")
    fields.setdefault("test_cases", ADD_CASES)
    return services.question_save(project=project, **fields)


def student_group(question: EiplQuestion) -> tuple[APIClient, Group]:
    student = factories.add_role(question.project.course, factories.make_user(), Role.STUDENT)
    group = factories.make_group(question.project, student)
    client = APIClient()
    client.force_authenticate(student)
    return client, group


@contextmanager
def standin_configured(tmp_path: Path, **settings: Any) -> Iterator[LlmStandin]:
    """The stand-in running, with the server's AG_LLM_* settings (key from a file) and any
    `settings` pointing at it."""
    key = tmp_path / "key"
    key.write_text("k-1\n")
    with (
        LlmStandin(api_key="k-1") as server,
        override_settings(
            LLM_BASE_URL=server.base_url,
            LLM_MODEL="standin",
            LLM_API_KEY_FILE=str(key),
            **settings,
        ),
    ):
        yield server
