from django.contrib import admin

from autograder.groups.models import Group, GroupInvitation


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin[Group]):
    """Read-mostly: membership changes go through the API so GroupMembership stays in sync."""

    list_display = ("id", "project", "extended_due_date", "bonus_submissions_remaining")
    list_filter = ("project__course",)
    search_fields = ("members__username",)
    readonly_fields = ("members", "created_at", "last_modified")


@admin.register(GroupInvitation)
class GroupInvitationAdmin(admin.ModelAdmin[GroupInvitation]):
    list_display = ("id", "project", "sender", "created_at")
    search_fields = ("sender__username", "recipients__username")
    readonly_fields = ("sender", "recipients", "accepted_by", "project", "created_at")
