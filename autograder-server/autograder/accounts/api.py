from typing import Any

from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.accounts import passwords, selectors, services
from autograder.accounts.current_user import request_user
from autograder.accounts.models import User
from autograder.accounts.serializers import (
    LoginInput,
    MeOutput,
    MessageOutput,
    PasswordForgotInput,
    PasswordLinkInput,
    PasswordSetInput,
    TokenCreatedOutput,
    TokenCreateInput,
    TokenOutput,
    UserAdminOutput,
    UserOutput,
    UserSearchInput,
    UserUpdateInput,
)
from autograder.common.pagination import DefaultPagination


def _me_payload(user: User) -> dict[str, Any]:
    courses = [
        {
            "id": course.pk,
            "name": course.name,
            "semester": course.semester,
            "year": course.year,
            "subtitle": course.subtitle,
            "roles": roles,
        }
        for course, roles in selectors.courses_with_roles(user=user)
    ]
    return {**UserOutput(user).data, "courses": courses}


class CsrfApi(APIView):
    """Sets the CSRF cookie a browser needs before its first POST."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=inline_serializer("Csrf", {"csrf_token": serializers.CharField()}))
    @method_decorator(ensure_csrf_cookie)
    def get(self, request: Request) -> Response:
        return Response({"csrf_token": get_token(request)})


class LoginApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=LoginInput, responses=MeOutput)
    def post(self, request: Request) -> Response:
        # Anonymous requests skip DRF's CSRF check; login must not (login CSRF).
        SessionAuthentication().enforce_csrf(request)
        data = LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.session_login(request=request._request, **data.validated_data)
        return Response(_me_payload(user))


class LogoutApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        services.session_logout(request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    @extend_schema(responses=MeOutput)
    def get(self, request: Request) -> Response:
        return Response(_me_payload(request_user(request)))


class TokenListApi(APIView):
    pagination_class = DefaultPagination

    @extend_schema(responses=TokenOutput(many=True))
    def get(self, request: Request) -> Response:
        paginator = DefaultPagination()
        tokens = selectors.api_tokens_of(user=request_user(request))
        page = paginator.paginate_queryset(tokens, request, view=self)
        return paginator.get_paginated_response(TokenOutput(page, many=True).data)

    @extend_schema(request=TokenCreateInput, responses={201: TokenCreatedOutput})
    def post(self, request: Request) -> Response:
        data = TokenCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = services.api_token_create(
            user=request_user(request),
            name=data.validated_data["name"],
            expires_at=data.validated_data.get("expires_at"),
        )
        return Response({**TokenOutput(token).data, "key": key}, status=status.HTTP_201_CREATED)


class TokenDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, token_id: int) -> Response:
        services.api_token_revoke(user=request_user(request), token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IsSuperuser(permissions.BasePermission):
    message = "Only superusers may do that."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_superuser)


class UserDetailApi(APIView):
    """Superusers grant or take away the right to create courses, and deactivate or
    reactivate accounts."""

    permission_classes = [permissions.IsAuthenticated, IsSuperuser]

    @extend_schema(responses=UserAdminOutput)
    def get(self, request: Request, user_id: int) -> Response:
        return Response(UserAdminOutput(get_object_or_404(User, pk=user_id)).data)

    @extend_schema(request=UserUpdateInput, responses=UserAdminOutput)
    def patch(self, request: Request, user_id: int) -> Response:
        user = get_object_or_404(User, pk=user_id)
        data = UserUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_update(actor=request_user(request), user=user, **data.validated_data)
        return Response(UserAdminOutput(user).data)


class UserListApi(APIView):
    """Superusers find accounts (by username, email or name) to grant course creation to, or
    to deactivate and reactivate."""

    permission_classes = [permissions.IsAuthenticated, IsSuperuser]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "search", str, description="Words to find in username, email or name."
            ),
            OpenApiParameter(
                "active", bool, description="Only active (true) or deactivated (false)."
            ),
        ],
        responses=UserAdminOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        params = UserSearchInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        users = selectors.users_search(
            query=params.validated_data.get("search", ""),
            active=params.validated_data.get("active"),
        )
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(users, request, view=self)
        return paginator.get_paginated_response(UserAdminOutput(page, many=True).data)


ANY_ADDRESS_ANSWER = (
    "If an account has this address, a link to choose a new password is on its way. "
    "It works once and expires; check your spam folder if nothing arrives."
)


class PasswordForgotApi(APIView):
    """Asks for a reset link. The answer is the same whether or not the address has an
    account, and so is the work done in the request (accounts/passwords.py)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(request=PasswordForgotInput, responses={202: MessageOutput})
    def post(self, request: Request) -> Response:
        SessionAuthentication().enforce_csrf(request)
        data = PasswordForgotInput(data=request.data)
        data.is_valid(raise_exception=True)
        passwords.password_reset_request(email=data.validated_data["email"])
        return Response({"message": ANY_ADDRESS_ANSWER}, status=status.HTTP_202_ACCEPTED)


class PasswordLinkCheckApi(APIView):
    """Whether an invitation or reset link still works, and whose account it is for, so the
    page can say so before a password is typed."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=PasswordLinkInput,
        responses=inline_serializer("PasswordLink", {"username": serializers.CharField()}),
    )
    def post(self, request: Request) -> Response:
        SessionAuthentication().enforce_csrf(request)
        data = PasswordLinkInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = passwords.password_link_check(**data.validated_data)
        return Response({"username": user.username})


class PasswordSetApi(APIView):
    """Sets a new password from an invitation or reset link; the link is then used up."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(request=PasswordSetInput, responses={204: None})
    def post(self, request: Request) -> Response:
        SessionAuthentication().enforce_csrf(request)
        data = PasswordSetInput(data=request.data)
        data.is_valid(raise_exception=True)
        passwords.password_set_from_link(**data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)
