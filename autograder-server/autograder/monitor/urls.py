from django.urls import path

from autograder.monitor.api import MetricsView
from autograder.monitor.live_api import (
    CourseMonitorApi,
    CourseMonitorHistoryApi,
    SiteMonitorApi,
    SiteMonitorHistoryApi,
)

urlpatterns = [
    path("metrics/", MetricsView.as_view(), name="metrics"),
    path("monitor/", SiteMonitorApi.as_view(), name="monitor"),
    path("monitor/history/", SiteMonitorHistoryApi.as_view(), name="monitor-history"),
    path("courses/<int:course_id>/monitor/", CourseMonitorApi.as_view(), name="course-monitor"),
    path(
        "courses/<int:course_id>/monitor/history/",
        CourseMonitorHistoryApi.as_view(),
        name="course-monitor-history",
    ),
]
