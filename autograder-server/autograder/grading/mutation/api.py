"""The mutation suite configuration API: staff read it, admins change it.

A submission's mutation results are part of its results (`grading.results`), filtered by the
viewer's feedback category there.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autograder.common.api import validated
from autograder.grading.mutation import selectors, services
from autograder.grading.mutation.serializers import (
    MutationOrderInput,
    MutationOrderOutput,
    MutationSuiteInput,
    MutationSuiteOutput,
)
from autograder.projects.permissions import require_project_admin, require_project_staff
from autograder.projects.selectors import project_get


def _body(suite_id: int) -> object:
    return MutationSuiteOutput(selectors.mutation_suite_get(suite_id=suite_id)).data


class ProjectMutationSuitesApi(APIView):
    pagination_class = None

    @extend_schema(responses=MutationSuiteOutput(many=True))
    def get(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_project_staff(request.user, project)
        suites = selectors.mutation_suites_of(project=project)
        return Response(MutationSuiteOutput(suites, many=True).data)

    @extend_schema(request=MutationSuiteInput, responses={201: MutationSuiteOutput})
    def post(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_project_admin(request.user, project)
        data = validated(MutationSuiteInput(data=request.data))
        suite = services.mutation_suite_create(project=project, **data)
        return Response(_body(suite.pk), status=status.HTTP_201_CREATED)


class MutationSuiteOrderApi(APIView):
    @extend_schema(request=MutationOrderInput, responses=MutationOrderOutput)
    def put(self, request: Request, project_id: int) -> Response:
        project = project_get(project_id=project_id)
        require_project_admin(request.user, project)
        ids = validated(MutationOrderInput(data=request.data))["ids"]
        return Response({"ids": services.mutation_suite_reorder(project=project, ids=ids)})


class MutationSuiteDetailApi(APIView):
    @extend_schema(responses=MutationSuiteOutput)
    def get(self, request: Request, suite_id: int) -> Response:
        suite = selectors.mutation_suite_get(suite_id=suite_id)
        require_project_staff(request.user, suite.project)
        return Response(_body(suite.pk))

    @extend_schema(request=MutationSuiteInput, responses=MutationSuiteOutput)
    def patch(self, request: Request, suite_id: int) -> Response:
        suite = selectors.mutation_suite_get(suite_id=suite_id)
        require_project_admin(request.user, suite.project)
        data = validated(MutationSuiteInput(data=request.data, partial=True))
        services.mutation_suite_update(suite=suite, **data)
        return Response(_body(suite.pk))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, suite_id: int) -> Response:
        suite = selectors.mutation_suite_get(suite_id=suite_id)
        require_project_admin(request.user, suite.project)
        services.mutation_suite_delete(suite=suite)
        return Response(status=status.HTTP_204_NO_CONTENT)
