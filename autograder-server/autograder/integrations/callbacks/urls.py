from django.urls import URLPattern, URLResolver, path

from autograder.integrations.callbacks import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "projects/<int:project_id>/webhooks/",
        api.ProjectWebhooksApi.as_view(),
        name="project-webhooks",
    ),
    path("webhooks/<int:webhook_id>/", api.WebhookApi.as_view(), name="webhook"),
    path("webhooks/<int:webhook_id>/ping/", api.WebhookPingApi.as_view(), name="webhook-ping"),
    path(
        "projects/<int:project_id>/webhook-deliveries/",
        api.ProjectDeliveriesApi.as_view(),
        name="project-webhook-deliveries",
    ),
]
