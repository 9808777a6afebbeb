from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from autograder.common import health, spa


def _spliced(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """`patterns` with every `path("", include(...))` (no prefix, namespace or kwargs)
    replaced by the patterns it includes, in place and recursively: the same URLs resolve to
    the same views in the same order, but a request no longer walks nested resolvers, each
    of which builds a list of everything it tried before the match (a measurable part of a
    cheap API request's CPU)."""
    flat: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if (
            isinstance(pattern, URLResolver)
            and str(pattern.pattern) == ""
            and not pattern.namespace
            and not pattern.app_name
            and not pattern.default_kwargs
        ):
            flat.extend(_spliced(pattern.url_patterns))
        else:
            flat.append(pattern)
    return flat


api_includes: list[URLPattern | URLResolver] = [
    path("", include("autograder.accounts.urls")),
    path("", include("autograder.courses.urls")),
    path("", include("autograder.projects.urls")),
    path("", include("autograder.groups.urls")),
    path("", include("autograder.submissions.urls")),
    path("", include("autograder.grading.urls")),
    path("", include("autograder.handgrading.urls")),
    path("", include("autograder.monitor.urls")),
    path("", include("autograder.integrations.lti.urls")),
    path("", include("autograder.integrations.callbacks.urls")),
    path("", include("autograder.integrations.runner.urls")),
    path("", include("autograder.notifications.urls")),
    path("", include("autograder.exports.urls")),
    path("", include("autograder.images.urls")),
    path("", include("autograder.eipl.urls")),
    path("health/", health.health, name="health"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
api_patterns = _spliced(api_includes)

urlpatterns = [
    path("api/", include(api_patterns)),
    # The website's superuser pages lived under /admin/ once, where Django's admin answers a
    # reload; old links go to where they are now.
    path("admin/users", RedirectView.as_view(url="/users", permanent=True)),
    path("admin/lti", RedirectView.as_view(url="/lms", permanent=True)),
    path("admin/", admin.site.urls),
    re_path(r"^(?!(?:api|admin|static)(?:/|$))(?P<path>.*)$", spa.spa, name="spa"),
]
