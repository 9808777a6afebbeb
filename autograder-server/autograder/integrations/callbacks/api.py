"""Staff register webhooks for a project, send a test delivery and read the delivery log."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.accounts.models import User
from autograder.common.api import validated
from autograder.common.enqueue import enqueue_small_on_commit
from autograder.courses.permissions import require_staff
from autograder.integrations.callbacks import services, tasks
from autograder.integrations.callbacks.models import Delivery, Webhook
from autograder.integrations.callbacks.serializers import (
    DeliveryOutput,
    WebhookCreatedOutput,
    WebhookInput,
    WebhookOutput,
)
from autograder.projects.models import Project

DELIVERY_LOG_LENGTH = 100


def _project_for_staff(request: Request, project_id: int) -> Project:
    project = get_object_or_404(Project, pk=project_id)
    require_staff(request.user, project.course_id)
    return project


def _webhook_for_staff(request: Request, webhook_id: int) -> Webhook:
    webhook = get_object_or_404(Webhook.objects.select_related("project"), pk=webhook_id)
    require_staff(request.user, webhook.project.course_id)
    return webhook


class ProjectWebhooksApi(APIView):
    @extend_schema(responses=WebhookOutput(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        project = _project_for_staff(request, project_id)
        hooks = Webhook.objects.filter(project=project)
        return Response(WebhookOutput(hooks, many=True).data)

    @extend_schema(request=WebhookInput, responses={201: WebhookCreatedOutput})
    def post(self, request: Request, project_id: int) -> Response:
        project = _project_for_staff(request, project_id)
        data = validated(WebhookInput(data=request.data))
        assert isinstance(request.user, User)
        hook = services.webhook_create(project=project, created_by=request.user, **data)
        return Response(WebhookCreatedOutput(hook).data, status=201)


class WebhookApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, webhook_id: int) -> Response:
        services.webhook_delete(webhook=_webhook_for_staff(request, webhook_id))
        return Response(status=204)


class WebhookPingApi(APIView):
    @extend_schema(request=None, responses={201: DeliveryOutput})
    def post(self, request: Request, webhook_id: int) -> Response:
        delivery = services.webhook_ping(webhook=_webhook_for_staff(request, webhook_id))
        enqueue_small_on_commit(tasks.deliver, delivery.pk)
        return Response(DeliveryOutput(delivery).data, status=201)


class ProjectDeliveriesApi(APIView):
    @extend_schema(responses=DeliveryOutput(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        """The project's last 100 deliveries, newest first."""
        project = _project_for_staff(request, project_id)
        deliveries = Delivery.objects.filter(project=project)[:DELIVERY_LOG_LENGTH]
        return Response(DeliveryOutput(deliveries, many=True).data)
