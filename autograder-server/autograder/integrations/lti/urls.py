from django.urls import URLPattern, URLResolver, path

from autograder.integrations.lti import api, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("lti/jwks/", views.jwks, name="lti-jwks"),
    path("lti/login/", views.oidc_login, name="lti-login"),
    path("lti/launch/", views.launch, name="lti-launch"),
    path("lti/link/<int:context_id>/", views.link, name="lti-link"),
    path("lti/tool/", api.ToolUrlsApi.as_view(), name="lti-tool"),
    path("lti/platforms/", api.PlatformListApi.as_view(), name="lti-platforms"),
    path(
        "lti/platforms/<int:platform_id>/",
        api.PlatformDetailApi.as_view(),
        name="lti-platform-detail",
    ),
    path("courses/<int:course_id>/lti/", api.CourseLinkApi.as_view(), name="lti-course"),
    path(
        "courses/<int:course_id>/lti/sync_roster/",
        api.RosterSyncApi.as_view(),
        name="lti-sync-roster",
    ),
    path("courses/<int:course_id>/lti/grades/", api.GradeStatusApi.as_view(), name="lti-grades"),
    path(
        "courses/<int:course_id>/lti/grades/send/",
        api.SendGradesApi.as_view(),
        name="lti-send-grades",
    ),
]
