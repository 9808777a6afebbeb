"""The EiPL API: thin views (parse, check who may, call one service, serialize).

Staff set the question; a student reads what to explain, submits an explanation for their
group, and reads the code the model wrote from it. No response carries the API key or the
endpoint; students never see the prompt or the test cases here.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.accounts.current_user import request_user
from autograder.common.api import validated
from autograder.common.errors import PermissionDeniedError
from autograder.courses.permissions import require_staff
from autograder.courses.selectors import course_get
from autograder.eipl import budget, selectors, services
from autograder.eipl.serializers import (
    EiplAttemptOutput,
    EiplExplanationInput,
    EiplForStudentOutput,
    EiplLimitsInput,
    EiplLimitsOutput,
    EiplQuestionInput,
    EiplQuestionOutput,
)
from autograder.groups.selectors import group_get, group_is_member
from autograder.projects.permissions import require_project_staff
from autograder.projects.selectors import project_check_readable, project_get
from autograder.submissions.permissions import check_may_read_group
from autograder.submissions.selectors import submission_get
from autograder.submissions.serializers import SubmissionOutput

TAGS = ["eipl"]


class QuestionApi(APIView):
    @extend_schema(tags=TAGS, responses=EiplQuestionOutput)
    def get(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_project_staff(request.user, project)
        question = selectors.question_for(project=project)
        return Response(EiplQuestionOutput(selectors.question_staff_view(question=question)).data)

    @extend_schema(tags=TAGS, request=EiplQuestionInput, responses=EiplQuestionOutput)
    def put(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_project_staff(request.user, project)
        data = validated(EiplQuestionInput(data=request.data))
        question = services.question_save(project=project, **data)
        return Response(EiplQuestionOutput(selectors.question_staff_view(question=question)).data)

    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_project_staff(request.user, project)
        services.question_delete(question=selectors.question_for(project=project))
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuestionStudentApi(APIView):
    @extend_schema(tags=TAGS, responses=EiplForStudentOutput)
    def get(self, request: Request, project_id: int) -> Response:
        """Asked by every project page, so an ordinary project answers 200 with null."""
        project = project_get(project_id=project_id)
        project_check_readable(user=request.user, project=project)
        question = selectors.question_find(project=project)
        return Response(EiplForStudentOutput({"question": question}).data)


class ExplanationSubmitApi(APIView):
    @extend_schema(tags=TAGS, request=EiplExplanationInput, responses={201: SubmissionOutput})
    def post(self, request: Request, group_id: int) -> Response:
        group = group_get(group_id=group_id)
        check_may_read_group(request.user, group)
        if not group_is_member(group=group, user=request_user(request)):
            raise PermissionDeniedError("Only members of this group may submit for it.")
        data = validated(EiplExplanationInput(data=request.data))
        submission = services.explanation_submit(
            group=group,
            submitter=request_user(request),
            explanation=data["explanation"],
            honor_pledge_accepted=data["honor_pledge_accepted"],
        )
        fresh = submission_get(submission_id=submission.pk)
        body = SubmissionOutput(fresh, context={"final_graded_id": None}).data
        return Response(body, status=status.HTTP_201_CREATED)


class AttemptApi(APIView):
    @extend_schema(tags=TAGS, responses=EiplAttemptOutput)
    def get(self, request: Request, submission_id: int) -> Response:
        submission = submission_get(submission_id=submission_id)
        check_may_read_group(request.user, submission.group)
        return Response(EiplAttemptOutput(selectors.attempt_for(submission=submission)).data)


class CourseLimitsApi(APIView):
    """A course's daily language-model limits: its staff read them with today's use; only
    superusers set them (they spend the site's money)."""

    @extend_schema(tags=TAGS, responses=EiplLimitsOutput)
    def get(self, request: Request, course_id: int) -> Response:
        course = course_get(course_id=course_id)
        require_staff(request.user, course)
        return Response(EiplLimitsOutput(selectors.limits_view(course_id=course.pk)).data)

    @extend_schema(tags=TAGS, request=EiplLimitsInput, responses=EiplLimitsOutput)
    def put(self, request: Request, course_id: int) -> Response:
        course = course_get(course_id=course_id)
        require_staff(request.user, course)
        if not request_user(request).is_superuser:
            raise PermissionDeniedError("Only superusers may change a course's model limits.")
        data = validated(EiplLimitsInput(data=request.data))
        budget.limits_set(
            course_id=course.pk, daily_calls=data["daily_calls"], daily_tokens=data["daily_tokens"]
        )
        return Response(EiplLimitsOutput(selectors.limits_view(course_id=course.pk)).data)
