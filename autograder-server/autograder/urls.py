from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from autograder.common import health, spa

api_patterns: list[URLPattern | URLResolver] = [
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

urlpatterns = [
    path("api/", include(api_patterns)),
    # The website's superuser pages lived under /admin/ once, where Django's admin answers a
    # reload; old links go to where they are now.
    path("admin/users", RedirectView.as_view(url="/users", permanent=True)),
    path("admin/lti", RedirectView.as_view(url="/lms", permanent=True)),
    path("admin/", admin.site.urls),
    re_path(r"^(?!(?:api|admin|static)(?:/|$))(?P<path>.*)$", spa.spa, name="spa"),
]
