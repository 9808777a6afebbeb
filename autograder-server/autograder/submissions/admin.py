from django.contrib import admin

from autograder.submissions.models import Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin[Submission]):
    list_display = ["id", "project", "group", "submitter", "timestamp", "status"]
    list_filter = ["status", "is_late", "is_past_daily_limit", "is_bonus_submission"]
    search_fields = ["submitter__username", "group__members__username"]
    raw_id_fields = ["group", "project", "submitter", "does_not_count_for"]
    readonly_fields = ["timestamp", "last_modified"]
