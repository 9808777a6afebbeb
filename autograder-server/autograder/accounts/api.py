from typing import Any

from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.accounts import selectors, services
from autograder.accounts.current_user import request_user
from autograder.accounts.models import User
from autograder.accounts.serializers import (
    LoginInput,
    MeOutput,
    TokenCreatedOutput,
    TokenCreateInput,
    TokenOutput,
    UserOutput,
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
            user=request_user(request), name=data.validated_data["name"]
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
    """Superusers grant or take away the right to create courses."""

    permission_classes = [permissions.IsAuthenticated, IsSuperuser]

    @extend_schema(responses=UserOutput)
    def get(self, request: Request, user_id: int) -> Response:
        return Response(UserOutput(get_object_or_404(User, pk=user_id)).data)

    @extend_schema(request=UserUpdateInput, responses=UserOutput)
    def patch(self, request: Request, user_id: int) -> Response:
        user = get_object_or_404(User, pk=user_id)
        data = UserUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_set_can_create_courses(
            user=user, allowed=data.validated_data["can_create_courses"]
        )
        return Response(UserOutput(user).data)
