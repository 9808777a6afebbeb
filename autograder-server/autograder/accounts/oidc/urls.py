from django.urls import URLPattern, path

from autograder.accounts.oidc import views

urlpatterns: list[URLPattern] = [
    path("auth/providers/", views.AuthProvidersApi.as_view(), name="auth-providers"),
    path("auth/oidc/callback/", views.OidcCallbackView.as_view(), name="oidc-callback"),
    path("auth/oidc/<str:provider_id>/login/", views.OidcLoginView.as_view(), name="oidc-login"),
]
