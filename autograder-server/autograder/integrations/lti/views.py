"""The browser side of an LTI launch (plain Django views, not the JSON API): our keyset, the
OIDC third-party login, the launch, and the page where an instructor links an LMS course.
Refusals are small HTML pages that say why, since a person inside the LMS sees them."""

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.contrib.django.oidc_login import DjangoOIDCLogin
from pylti1p3.exception import LtiException, OIDCException

from autograder.accounts.models import User
from autograder.common.errors import ApplicationError
from autograder.courses.models import Course, Semester
from autograder.courses.roles import course_roles_many
from autograder.courses.selectors import courses_for_user
from autograder.integrations.lti import keys, services, tasks, tool
from autograder.integrations.lti.claims import Person
from autograder.integrations.lti.models import LtiContext, LtiPlatform

logger = logging.getLogger(__name__)

LINKABLE_SESSION_KEY = "lti_linkable_contexts"
"""Contexts this browser's instructor launches may link (ids), kept in the session."""

_REASONS = (
    ("expired", "The launch has expired. Open the tool from the LMS again."),
    ("signature verification failed", "The launch's signature does not match the platform's keys."),
    ("unable to find public key", "The launch is signed with a key the platform does not publish."),
    ("state not found", "This launch was not started from this browser (its state is unknown)."),
    ("missing state", "This launch was not started from this browser (it has no state)."),
    ("invalid nonce", "The launch's nonce was not issued by this site."),
    ("already used", "This launch was already used once; it cannot be replayed."),
    ("unable to find deployment", "The launch comes from a deployment that is not registered."),
    ("not addressed", "The launch is not addressed to this site (unknown audience or client id)."),
    ("several audiences", "The launch is addressed to several tools and not to this one."),
    ("no audience", "The launch names no audience."),
    ("jwt must contain 3 parts", "The launch is not a signed LTI message."),
    ("can't be decoded", "The launch is not a signed LTI message."),
    ("missing id_token", "The launch carries no id_token."),
    ("iat", "The launch was issued in the future; check the platform's clock."),
)


def _refusal(request: HttpRequest, reason: str, *, status: int, code: str) -> HttpResponse:
    return render(
        request,
        "lti/refused.html",
        {"reason": reason, "code": code, "site_url": settings.SITE_URL},
        status=status,
    )


def _explained(exc: Exception) -> str:
    text = str(exc)
    lowered = text.lower()
    for needle, reason in _REASONS:
        if needle in lowered:
            return f"{reason} ({text})"
    return text


def launch_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("lti-launch")


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(keys.jwks())


@csrf_exempt
@require_http_methods(["GET", "POST"])
def oidc_login(request: HttpRequest) -> HttpResponse:
    """Step one: the platform sends the browser here; we set a state cookie, remember a nonce
    and send the browser back to the platform's authorization URL."""
    # pylti1p3's Django classes have no type hints.
    login = DjangoOIDCLogin(  # type: ignore[no-untyped-call]
        request,
        tool.tool_conf(),
        launch_data_storage=tool.LaunchStorage(),  # type: ignore[no-untyped-call]
    )
    try:
        response: HttpResponse = login.redirect(launch_url())
    except (OIDCException, LtiException) as exc:
        return _refusal(
            request,
            f"The LMS login could not start: {exc}. Check that the platform is registered "
            "here with this issuer and client id.",
            status=400,
            code="lti_login_refused",
        )
    return response


@csrf_exempt
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    """Step two: the platform posts a signed id_token. Every check must pass (state, nonce
    once, signature, expiry, audience, deployment); then the person is signed in and sent to
    the course, or to linking it."""
    message = tool.message_launch(request)
    try:
        body: dict[str, Any] = dict(message.get_launch_data())
    except LtiException as exc:
        logger.info("LTI launch refused: %s", exc)
        return _refusal(request, _explained(exc), status=403, code="lti_launch_invalid")
    if not message.is_resource_launch():
        return _refusal(
            request,
            "Only resource link launches are supported (not deep linking).",
            status=400,
            code="lti_unsupported_message",
        )
    platform = LtiPlatform.objects.get(issuer=body["iss"], client_id=message.get_client_id())
    try:
        outcome = services.launch_accept(platform=platform, body=body)
    except ApplicationError as exc:
        return _refusal(request, exc.message, status=exc.status, code=exc.code)
    auth_login(request, outcome.user, backend="django.contrib.auth.backends.ModelBackend")
    role = Person.from_launch(body).role
    if outcome.course is None:
        linkable = set(request.session.get(LINKABLE_SESSION_KEY, []))
        request.session[LINKABLE_SESSION_KEY] = sorted(linkable | {outcome.context.pk})
        return HttpResponseRedirect(reverse("lti-link", args=[outcome.context.pk]))
    if services.roster_sync_due(context=outcome.context, role=role):
        context_id = outcome.context.pk
        transaction.on_commit(lambda: tasks.enqueue_sync_roster(context_id=context_id))
    return HttpResponseRedirect(f"/courses/{outcome.course.pk}")


def _link_choices(user: User) -> list[Course]:
    courses = list(courses_for_user(user))
    roles = course_roles_many(user, [c.pk for c in courses])
    linked = set(LtiContext.objects.filter(course__in=courses).values_list("course_id", flat=True))
    return [c for c in courses if roles[c.pk].is_admin and c.pk not in linked]


@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, context_id: int) -> HttpResponse:
    """The instructor of a first launch picks which course the LMS course is, or creates it."""
    user = request.user
    allowed = request.session.get(LINKABLE_SESSION_KEY, [])
    context = LtiContext.objects.select_related("platform").filter(pk=context_id).first()
    if not isinstance(user, User) or context is None or context_id not in allowed:
        return _refusal(
            request,
            "Open the tool from the LMS course as its instructor to link it.",
            status=403,
            code="lti_link_not_allowed",
        )
    if context.course_id is not None:
        return HttpResponseRedirect(f"/courses/{context.course_id}")
    errors: list[str] = []
    if request.method == "POST":
        try:
            course = _link_from_form(request, context, user)
        except ApplicationError as exc:
            errors = [exc.message, *(str(m) for ms in exc.fields.values() for m in ms)]
        else:
            transaction.on_commit(lambda: tasks.enqueue_sync_roster(context_id=context.pk))
            return HttpResponseRedirect(f"/courses/{course.pk}")
    return render(
        request,
        "lti/link.html",
        {
            "context": context,
            "courses": _link_choices(user),
            "semesters": Semester.choices,
            "year": timezone.now().year,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _link_from_form(request: HttpRequest, context: LtiContext, user: User) -> Course:
    if request.POST.get("action") == "existing":
        raw = request.POST.get("course", "")
        course = Course.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if course is None:
            raise ApplicationError("Pick one of your courses.", fields={"course": ["Required."]})
        return services.context_link(context=context, user=user, course=course)
    year = request.POST.get("year", "")
    return services.context_link(
        context=context,
        user=user,
        new_course={
            "name": request.POST.get("name", "").strip(),
            "semester": request.POST.get("semester", ""),
            "year": int(year) if year.isdigit() else 0,
        },
    )
