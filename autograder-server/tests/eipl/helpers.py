"""Builders for EiPL tests: a question on a fresh project and a student who explains."""

from typing import Any

from rest_framework.test import APIClient

from autograder.courses.models import Role
from autograder.eipl import services
from autograder.eipl.models import EiplQuestion
from autograder.groups.models import Group
from tests import factories

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
