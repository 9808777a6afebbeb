"""A user's notification choices, and staff looking up a submission receipt."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.accounts.models import User
from autograder.courses.models import Course
from autograder.courses.permissions import require_staff
from autograder.notifications import selectors, services
from autograder.notifications.serializers import (
    NotificationSettingsInput,
    NotificationSettingsOutput,
    ReceiptOutput,
)


def _user(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


class MyNotificationsApi(APIView):
    @extend_schema(responses=NotificationSettingsOutput)
    def get(self, request: Request) -> Response:
        choice = selectors.notification_settings_of(user=_user(request))
        return Response(NotificationSettingsOutput(choice).data)

    @extend_schema(request=NotificationSettingsInput, responses=NotificationSettingsOutput)
    def patch(self, request: Request) -> Response:
        data = NotificationSettingsInput(data=request.data)
        data.is_valid(raise_exception=True)
        choice = services.notification_settings_update(user=_user(request), **data.validated_data)
        return Response(NotificationSettingsOutput(choice).data)


class ReceiptApi(APIView):
    """Course staff check a receipt code a student quotes: which submission, when, which files
    with which hashes, and whether the stored files still match."""

    @extend_schema(responses=ReceiptOutput)
    def get(self, request: Request, course_id: int, code: str) -> Response:
        course = get_object_or_404(Course, pk=course_id)
        require_staff(request.user, course)
        receipt = selectors.receipt_of_course(course=course, code=code)
        submission = receipt.submission
        data = {
            "code": receipt.code,
            "submission_id": submission.pk,
            "project_id": submission.project_id,
            "project_name": submission.project.name,
            "group_id": submission.group_id,
            "members": list(
                submission.group.members.order_by("username").values_list("username", flat=True)
            ),
            "submitter": submission.submitter.username,
            "submitted_at": submission.timestamp,
            "status": submission.status,
            "files": receipt.files,
            "sha256": receipt.sha256,
            "receipt_created_at": receipt.created_at,
            "files_unchanged": selectors.receipt_files_unchanged(receipt=receipt),
        }
        return Response(ReceiptOutput(data).data)
