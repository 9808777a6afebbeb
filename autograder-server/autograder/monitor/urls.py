from django.urls import path

from autograder.monitor.api import MetricsView

urlpatterns = [path("metrics/", MetricsView.as_view(), name="metrics")]
