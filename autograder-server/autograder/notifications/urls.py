from django.urls import URLPattern, URLResolver, path

from autograder.notifications import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("users/me/notifications/", api.MyNotificationsApi.as_view(), name="my-notifications"),
    path(
        "courses/<int:course_id>/receipts/<str:code>/",
        api.ReceiptApi.as_view(),
        name="course-receipt",
    ),
]
