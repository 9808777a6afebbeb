from typing import Any

from django.conf import settings

from autograder.common.errors import NotFoundError
from autograder.eipl import budget, llm
from autograder.eipl.models import EiplAttempt, EiplQuestion
from autograder.projects.models import Project
from autograder.submissions.models import Submission


def question_find(*, project: Project) -> EiplQuestion | None:
    return EiplQuestion.objects.filter(project=project).first()


def question_for(*, project: Project) -> EiplQuestion:
    question = question_find(project=project)
    if question is None:
        raise NotFoundError("This project is not an EiPL question.")
    return question


def question_staff_view(*, question: EiplQuestion) -> dict[str, Any]:
    """The question with what staff need beside it: whether a model is configured and what
    the course spent today."""
    return {
        **{f.attname: getattr(question, f.attname) for f in question._meta.concrete_fields},
        "llm_configured": llm.is_configured(),
        "budget": budget.budget_of(course_id=question.project.course_id),
    }


def attempt_for(*, submission: Submission) -> EiplAttempt:
    attempt = EiplAttempt.objects.filter(submission=submission).first()
    if attempt is None:
        raise NotFoundError("This submission is not an explanation.")
    return attempt


def limits_view(*, course_id: int) -> dict[str, Any]:
    """The course's daily limits, whose they are, the site's, and today's use."""
    limits = budget.limits_of(course_id=course_id)
    return {
        "course": course_id,
        "calls_limit": limits.calls,
        "tokens_limit": limits.tokens,
        "calls_own": limits.calls_own,
        "tokens_own": limits.tokens_own,
        "site_calls_limit": settings.LLM_DAILY_CALLS_PER_COURSE,
        "site_tokens_limit": settings.LLM_DAILY_TOKENS_PER_COURSE,
        "budget": budget.budget_of(course_id=course_id),
    }
