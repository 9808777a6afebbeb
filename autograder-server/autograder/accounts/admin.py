from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError

from autograder.accounts import services
from autograder.accounts.models import ApiToken, User
from autograder.common.errors import ApplicationError, RateLimitedError


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    """The admin's login form under the API login's brute-force throttle: superusers log in
    here, so it must not be the unthrottled way to guess their passwords."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if self.request is None or username is None or not password:
            return super().clean()
        try:
            self.user_cache = services.user_authenticate(
                request=self.request, username=username, password=password
            )
        except RateLimitedError as error:
            raise ValidationError(error.message, code="throttled") from None
        except ApplicationError as error:
            if error.code == "password_login_disabled":
                raise ValidationError(error.message, code=error.code) from None
            raise self.get_invalid_login_error() from None
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


admin.site.login_form = ThrottledAdminLoginForm


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
