from django.conf import settings
from django.db import models

from autograder.projects.models import Project


class Group(models.Model):
    """The students who submit together for one project (a solo student is a group of one)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="groups")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="ag_groups")
    extended_due_date = models.DateTimeField(
        null=True, blank=True, help_text="Replaces the project's deadline for this group."
    )
    bonus_submissions_remaining = models.PositiveIntegerField(default=0)
    late_days_used = models.JSONField(
        default=dict, blank=True, help_text="User id (as a string) → late days charged here."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project_id", "pk"]

    def __str__(self) -> str:
        return f"Group {self.pk} of project {self.project_id}"


class GroupMembership(models.Model):
    """Enforces, in the database, that a user is in at most one group per project."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"], name="group_membership_one_group_per_project"
            )
        ]

    def __str__(self) -> str:
        return f"User {self.user_id} in group {self.group_id}"


class GroupInvitation(models.Model):
    """A request from `sender` to form a group with `recipients`; the group forms once every
    recipient accepts, and any rejection withdraws it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invitations")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_invitations"
    )
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="received_invitations"
    )
    accepted_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="accepted_invitations", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation {self.pk} from user {self.sender_id}"


class PendingInvitationSlot(models.Model):
    """Enforces, in the database, one pending invitation per user per project (as sender or
    recipient)."""

    invitation = models.ForeignKey(GroupInvitation, on_delete=models.CASCADE, related_name="slots")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"], name="pending_invitation_one_per_user_project"
            )
        ]

    def __str__(self) -> str:
        return f"User {self.user_id} awaits invitation {self.invitation_id}"
