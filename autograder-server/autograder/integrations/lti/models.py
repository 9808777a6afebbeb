"""LMS platforms we trust, the course contexts they launch from, and what we sent them."""

from django.conf import settings
from django.db import models

from autograder.courses.models import Course
from autograder.projects.models import Project


class LtiPlatform(models.Model):
    """One registration of this tool in an LMS (Canvas, Moodle, ...), made by a superuser
    from the values the LMS shows when the tool is added there."""

    name = models.CharField(max_length=255, help_text="For people, e.g. 'University Canvas'.")
    issuer = models.URLField(max_length=500, help_text="The platform's `iss`.")
    client_id = models.CharField(max_length=255, help_text="Our client id on that platform.")
    deployment_ids = models.JSONField(
        default=list, help_text="Deployment ids of the platform that may launch us."
    )
    keyset_url = models.URLField(max_length=500, help_text="The platform's public JWKS URL.")
    auth_login_url = models.URLField(max_length=500, help_text="OIDC authorization endpoint.")
    auth_token_url = models.URLField(max_length=500, help_text="OAuth2 token endpoint.")
    auth_audience = models.CharField(
        max_length=500, blank=True, default="", help_text="Token audience if not the token URL."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "client_id"], name="lti_platform_unique_issuer_client"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.issuer})"


class LtiContext(models.Model):
    """A course of the LMS (its `context.id`), linked to at most one of our courses, with the
    service endpoints the last launch from it announced."""

    platform = models.ForeignKey(LtiPlatform, on_delete=models.CASCADE, related_name="contexts")
    context_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True, default="")
    course = models.OneToOneField(
        Course, null=True, blank=True, on_delete=models.SET_NULL, related_name="lti_context"
    )
    deployment_id = models.CharField(max_length=255, blank=True, default="")
    memberships_url = models.URLField(max_length=1000, blank=True, default="")
    lineitems_url = models.URLField(max_length=1000, blank=True, default="")
    ags_scopes = models.JSONField(default=list, blank=True)
    roster_synced_at = models.DateTimeField(null=True, blank=True)
    roster_sync_error = models.TextField(blank=True, default="")
    roster_sync_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "context_id"], name="lti_context_unique_platform_context"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title or self.context_id} on {self.platform_id}"


class LtiUserLink(models.Model):
    """Who an LMS user (`sub`) is here; grades are sent back under that `sub`."""

    platform = models.ForeignKey(LtiPlatform, on_delete=models.CASCADE, related_name="users")
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "subject"], name="lti_user_unique_platform_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} on {self.platform_id} is user {self.user_id}"


class LtiLineItem(models.Model):
    """The gradebook column of one project in one LMS context."""

    context = models.ForeignKey(LtiContext, on_delete=models.CASCADE, related_name="line_items")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=1000)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["context", "project"], name="lti_lineitem_unique_context_project"
            )
        ]

    def __str__(self) -> str:
        return self.url


class LtiGradeStatus(models.Model):
    """What grade passback last did for one student in one project, shown to staff."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score_sent = models.FloatField(null=True, blank=True)
    score_maximum = models.FloatField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempted_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"], name="lti_grade_unique_project_user"
            )
        ]

    def __str__(self) -> str:
        return f"Passback of project {self.project_id} for user {self.user_id}"


class LtiUsedNonce(models.Model):
    """Nonces of accepted launches: a second launch with one is a replay. Kept a day (longer
    than any id_token lives), then pruned."""

    issuer = models.CharField(max_length=500)
    nonce = models.CharField(max_length=255)
    used_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "nonce"], name="lti_nonce_unique_issuer")
        ]

    def __str__(self) -> str:
        return self.nonce
