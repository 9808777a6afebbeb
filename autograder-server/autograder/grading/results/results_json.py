"""A submission's results as the API's JSON bytes, cached per feedback category.

The cached value is the rendered body (`JSONRenderer`, as the API renders it), not the data:
a cached read then costs no serializer and no JSON encoding. Browsers get these bytes as they
are (`results_asgi`); the API view decodes them for DRF's renderers.
"""

from rest_framework.renderers import JSONRenderer

from autograder.common import versioned_cache
from autograder.grading.config.feedback_settings import FeedbackCategory
from autograder.grading.results import feedback
from autograder.grading.results.serializers import SubmissionFeedbackSerializer
from autograder.submissions.models import Submission


def results_json(*, submission: Submission, category: FeedbackCategory) -> bytes:
    """`submission`'s results as `category` shows them. The caller has checked that the
    requester may see `category`."""

    def render() -> bytes:
        found = feedback.submission_feedback(submission=submission, category=category)
        return bytes(JSONRenderer().render(SubmissionFeedbackSerializer(found).data))

    return versioned_cache.cached(
        f"results-json:{submission.pk}:{category.value}",
        [versioned_cache.CONFIG, versioned_cache.submission_scope(submission.pk)],
        render,
    )
