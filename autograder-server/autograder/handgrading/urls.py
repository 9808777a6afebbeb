from django.urls import URLPattern, URLResolver, path

from autograder.handgrading import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("projects/<int:project_id>/handgrading_rubric/", api.ProjectRubricApi.as_view()),
    path("projects/<int:project_id>/handgrading_rubric/import/", api.RubricImportApi.as_view()),
    path("projects/<int:project_id>/handgrading_progress/", api.ProjectProgressApi.as_view()),
    path("projects/<int:project_id>/my_handgrading/", api.MyHandgradingApi.as_view()),
    path("projects/<int:project_id>/handgrading_assignments/", api.ProjectAssignmentsApi.as_view()),
    path("handgrading_rubrics/<int:rubric_id>/criteria/", api.RubricCriteriaApi.as_view()),
    path("handgrading_rubrics/<int:rubric_id>/annotations/", api.RubricAnnotationsApi.as_view()),
    path("handgrading_rubrics/<int:rubric_id>/criteria/order/", api.CriterionOrderApi.as_view()),
    path(
        "handgrading_rubrics/<int:rubric_id>/annotations/order/",
        api.AnnotationOrderApi.as_view(),
    ),
    path("handgrading_criteria/<int:criterion_id>/", api.CriterionDetailApi.as_view()),
    path("handgrading_annotations/<int:annotation_id>/", api.AnnotationDetailApi.as_view()),
    path("groups/<int:group_id>/handgrading_result/", api.GroupResultApi.as_view()),
    path("handgrading_results/<int:result_id>/", api.ResultDetailApi.as_view()),
    path("handgrading_results/<int:result_id>/events/", api.ResultEventsApi.as_view()),
    path(
        "handgrading_results/<int:result_id>/criteria/<int:criterion_id>/",
        api.ResultCriterionApi.as_view(),
    ),
    path(
        "handgrading_results/<int:result_id>/applied_annotations/",
        api.ResultAppliedAnnotationsApi.as_view(),
    ),
    path(
        "handgrading_applied_annotations/<int:applied_id>/",
        api.AppliedAnnotationDetailApi.as_view(),
    ),
    path("handgrading_results/<int:result_id>/comments/", api.ResultCommentsApi.as_view()),
    path("handgrading_comments/<int:comment_id>/", api.CommentDetailApi.as_view()),
]
