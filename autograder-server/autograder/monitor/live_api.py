"""The live monitor: `GET /api/monitor/` and `/api/monitor/history/` for superusers (the whole
site), `GET /api/courses/<id>/monitor/` and `.../history/` for the course's staff (its jobs
and sandboxes only). The page asks every AG_MONITOR_SAMPLE_SECONDS."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.accounts.current_user import request_user
from autograder.common.errors import PermissionDeniedError
from autograder.courses.permissions import require_staff
from autograder.courses.selectors import course_get
from autograder.monitor import selectors
from autograder.monitor.serializers import MonitorHistoryOutput, MonitorNowOutput

TAGS = ["monitor"]


def _require_superuser(request: Request) -> None:
    if not request_user(request).is_superuser:
        raise PermissionDeniedError("Only the site's administrators see the whole site's monitor.")


class SiteMonitorApi(APIView):
    @extend_schema(tags=TAGS, responses=MonitorNowOutput)
    def get(self, request: Request) -> Response:
        """Workers, running sandboxes with their CPU, memory and disk, queues, node images."""
        _require_superuser(request)
        return Response(MonitorNowOutput(selectors.monitor_now()).data)


class SiteMonitorHistoryApi(APIView):
    @extend_schema(tags=TAGS, responses=MonitorHistoryOutput)
    def get(self, request: Request) -> Response:
        """The last hour: sandboxes, CPU, memory, disk and queues, one point per 10 s."""
        _require_superuser(request)
        return Response(MonitorHistoryOutput(selectors.monitor_history()).data)


class CourseMonitorApi(APIView):
    @extend_schema(tags=TAGS, responses=MonitorNowOutput)
    def get(self, request: Request, course_id: int) -> Response:
        """The course's running jobs and their sandboxes, and its jobs in each queue."""
        course = course_get(course_id=course_id)
        require_staff(request.user, course)
        return Response(MonitorNowOutput(selectors.monitor_now(course_id=course.pk)).data)


class CourseMonitorHistoryApi(APIView):
    @extend_schema(tags=TAGS, responses=MonitorHistoryOutput)
    def get(self, request: Request, course_id: int) -> Response:
        """The last hour of the course's sandboxes and queued jobs."""
        course = course_get(course_id=course_id)
        require_staff(request.user, course)
        return Response(MonitorHistoryOutput(selectors.monitor_history(course_id=course.pk)).data)
