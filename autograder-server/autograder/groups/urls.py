from django.urls import URLPattern, URLResolver, path

from autograder.groups import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("projects/<int:project_id>/groups/", api.ProjectGroupsApi.as_view(), name="groups"),
    path("projects/<int:project_id>/groups/solo/", api.SoloGroupApi.as_view(), name="groups-solo"),
    path("projects/<int:project_id>/my_group/", api.MyGroupApi.as_view(), name="my-group"),
    path("groups/<int:group_id>/", api.GroupDetailApi.as_view(), name="group-detail"),
    path("groups/<int:group_id>/merge/", api.GroupMergeApi.as_view(), name="group-merge"),
    path(
        "projects/<int:project_id>/invitations/",
        api.ProjectInvitationsApi.as_view(),
        name="invitations",
    ),
    path(
        "invitations/<int:invitation_id>/",
        api.InvitationDetailApi.as_view(),
        name="invitation-detail",
    ),
    path(
        "invitations/<int:invitation_id>/accept/",
        api.InvitationAcceptApi.as_view(),
        name="invitation-accept",
    ),
    path(
        "invitations/<int:invitation_id>/reject/",
        api.InvitationRejectApi.as_view(),
        name="invitation-reject",
    ),
]
