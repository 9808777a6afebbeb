"""Sandbox images: course staff read their course's images (and the site's), course admins
manage them, superusers manage the site's images. Students and handgraders see nothing."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.accounts.current_user import request_user
from autograder.common.api import validated
from autograder.common.errors import PermissionDeniedError
from autograder.courses.permissions import require_admin, require_staff
from autograder.courses.selectors import course_get
from autograder.images import builder, selectors, services
from autograder.images.models import Runtime, SandboxImage
from autograder.images.serializers import (
    BuildOutput,
    ImageInput,
    ImageOutput,
    ImagePatchInput,
    RuntimesOutput,
)

TAGS = ["sandbox images"]


def _require_superuser(request: Request) -> None:
    if not request_user(request).is_superuser:
        raise PermissionDeniedError("Only the site's administrators manage site images.")


def _require_read(request: Request, image: SandboxImage) -> None:
    if image.course_id is None:
        _require_superuser(request)
    else:
        require_staff(request.user, image.course_id)


def _require_write(request: Request, image: SandboxImage) -> None:
    if image.course_id is None:
        _require_superuser(request)
    else:
        require_admin(request.user, image.course_id)


class CourseImagesApi(APIView):
    @extend_schema(tags=TAGS, responses=ImageOutput(many=True))
    def get(self, request: Request, course_id: int) -> Response:
        """The site's images, then the course's own."""
        course = course_get(course_id=course_id)
        require_staff(request.user, course)
        images = selectors.images_for_course(course_id=course.pk)
        return Response(ImageOutput(images, many=True).data)

    @extend_schema(tags=TAGS, request=ImageInput, responses={201: ImageOutput})
    def post(self, request: Request, course_id: int) -> Response:
        course = course_get(course_id=course_id)
        require_admin(request.user, course)
        data = validated(ImageInput(data=request.data))
        image = services.image_create(course=course, **data)
        return Response(ImageOutput(image).data, status=status.HTTP_201_CREATED)


class SiteImagesApi(APIView):
    @extend_schema(tags=TAGS, responses=ImageOutput(many=True))
    def get(self, request: Request) -> Response:
        _require_superuser(request)
        return Response(ImageOutput(selectors.site_images(), many=True).data)

    @extend_schema(tags=TAGS, request=ImageInput, responses={201: ImageOutput})
    def post(self, request: Request) -> Response:
        _require_superuser(request)
        data = validated(ImageInput(data=request.data))
        image = services.image_create(course=None, **data)
        return Response(ImageOutput(image).data, status=status.HTTP_201_CREATED)


class ImageDetailApi(APIView):
    @extend_schema(tags=TAGS, responses=ImageOutput)
    def get(self, request: Request, image_id: int) -> Response:
        image = selectors.image_get(image_id=image_id)
        _require_read(request, image)
        return Response(ImageOutput(image).data)

    @extend_schema(tags=TAGS, request=ImagePatchInput, responses=ImageOutput)
    def patch(self, request: Request, image_id: int) -> Response:
        image = selectors.image_get(image_id=image_id)
        _require_write(request, image)
        data = validated(ImagePatchInput(data=request.data))
        return Response(ImageOutput(services.image_update(image=image, **data)).data)

    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, image_id: int) -> Response:
        image = selectors.image_get(image_id=image_id)
        _require_write(request, image)
        services.image_delete(image=image)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ImageBuildsApi(APIView):
    @extend_schema(tags=TAGS, responses=BuildOutput(many=True))
    def get(self, request: Request, image_id: int) -> Response:
        """The image's build history, newest first (each with its log)."""
        image = selectors.image_get(image_id=image_id)
        _require_read(request, image)
        builds = selectors.builds_of(image=image)[:50]
        return Response(BuildOutput(builds, many=True).data)

    @extend_schema(tags=TAGS, request=None, responses={201: BuildOutput})
    def post(self, request: Request, image_id: int) -> Response:
        """Queue a build of the image's Dockerfile as it is now."""
        image = selectors.image_get(image_id=image_id)
        _require_write(request, image)
        build = services.build_start(image=image, user=request_user(request))
        return Response(BuildOutput(build).data, status=status.HTTP_201_CREATED)


class BuildDetailApi(APIView):
    @extend_schema(tags=TAGS, responses=BuildOutput)
    def get(self, request: Request, build_id: int) -> Response:
        """One build with its log so far (the page polls this while it runs)."""
        build = selectors.build_get(build_id=build_id)
        _require_read(request, build.image)
        return Response(BuildOutput(build).data)


class BuildCancelApi(APIView):
    @extend_schema(tags=TAGS, request=None, responses=BuildOutput)
    def post(self, request: Request, build_id: int) -> Response:
        build = selectors.build_get(build_id=build_id)
        _require_write(request, build.image)
        return Response(BuildOutput(services.build_cancel(build=build)).data)


class RuntimesApi(APIView):
    @extend_schema(tags=TAGS, responses=RuntimesOutput)
    def get(self, request: Request) -> Response:
        """The runtimes an image may choose (those Docker reports, among runc and runsc)."""
        request_user(request)
        available = builder.docker_runtimes()
        return Response({"runtimes": [r for r in Runtime.values if r in available]})
