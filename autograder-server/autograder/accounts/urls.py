from django.urls import include, path

from autograder.accounts import api

urlpatterns = [
    path("auth/csrf/", api.CsrfApi.as_view(), name="auth-csrf"),
    path("auth/login/", api.LoginApi.as_view(), name="auth-login"),
    path("auth/logout/", api.LogoutApi.as_view(), name="auth-logout"),
    path("", include("autograder.accounts.oidc.urls")),  # single sign-on
    path("auth/password/forgot/", api.PasswordForgotApi.as_view(), name="auth-password-forgot"),
    path("auth/password/check/", api.PasswordLinkCheckApi.as_view(), name="auth-password-check"),
    path("auth/password/set/", api.PasswordSetApi.as_view(), name="auth-password-set"),
    path("users/", api.UserListApi.as_view(), name="users-list"),
    path("users/me/", api.MeApi.as_view(), name="users-me"),
    path("users/me/tokens/", api.TokenListApi.as_view(), name="users-me-tokens"),
    path("users/me/tokens/<int:token_id>/", api.TokenDetailApi.as_view(), name="users-me-token"),
    path("users/<int:user_id>/", api.UserDetailApi.as_view(), name="users-detail"),
]
