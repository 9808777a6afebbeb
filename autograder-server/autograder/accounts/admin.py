from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from autograder.accounts.models import ApiToken, User


@admin.register(User)
class AgUserAdmin(UserAdmin):  # type: ignore[type-arg]  # django-stubs: UserAdmin is generic
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Autograder", {"fields": ("can_create_courses",)}),
    )
    list_display = ("username", "email", "is_superuser", "can_create_courses")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
