"""What an LTI 1.3 message or an NRPS member says, read into plain values."""

from dataclasses import dataclass
from typing import Any

from autograder.courses.models import Role

CONTEXT = "https://purl.imsglobal.org/spec/lti/claim/context"
ROLES = "https://purl.imsglobal.org/spec/lti/claim/roles"
DEPLOYMENT_ID = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"

STAFF_ROLES = {"Instructor", "TeachingAssistant", "Administrator", "ContentDeveloper"}
"""Context roles (the part after the last '#' or '/') that make someone course staff."""
STUDENT_ROLES = {"Learner", "Student"}


def _role_name(uri: str) -> str | None:
    """The context role an LTI role names, or None for a system or institution role (Canvas
    sends those too, and they say nothing about this course)."""
    if "/" not in uri:
        return uri  # NRPS and LTI allow the short form, e.g. "Instructor"
    if "/membership" not in uri:
        return None
    return uri.replace("#", "/").rsplit("/", 1)[-1]


def course_role(roles: list[str]) -> Role | None:
    """Instructor (or a TA) → staff, Learner → student, anything else → no role."""
    names = {_role_name(r) for r in roles if isinstance(r, str)}
    if names & STAFF_ROLES:
        return Role.STAFF
    if names & STUDENT_ROLES:
        return Role.STUDENT
    return None


@dataclass(frozen=True)
class Person:
    subject: str
    email: str
    given_name: str
    family_name: str
    role: Role | None
    active: bool = True

    @classmethod
    def from_launch(cls, body: dict[str, Any]) -> "Person":
        return cls(
            subject=str(body.get("sub") or ""),
            email=str(body.get("email") or "").strip(),
            given_name=str(body.get("given_name") or "")[:150],
            family_name=str(body.get("family_name") or "")[:150],
            role=course_role(list(body.get(ROLES) or [])),
        )

    @classmethod
    def from_member(cls, member: dict[str, Any]) -> "Person":
        return cls(
            subject=str(member.get("user_id") or ""),
            email=str(member.get("email") or "").strip(),
            given_name=str(member.get("given_name") or "")[:150],
            family_name=str(member.get("family_name") or "")[:150],
            role=course_role(list(member.get("roles") or [])),
            active=member.get("status", "Active") == "Active",
        )


@dataclass(frozen=True)
class LaunchContext:
    context_id: str
    title: str
    deployment_id: str
    memberships_url: str
    lineitems_url: str
    ags_scopes: list[str]

    @classmethod
    def from_launch(cls, body: dict[str, Any]) -> "LaunchContext":
        context = body.get(CONTEXT) or {}
        nrps = body.get(NRPS) or {}
        ags = body.get(AGS) or {}
        return cls(
            context_id=str(context.get("id") or ""),
            title=str(context.get("title") or context.get("label") or "")[:255],
            deployment_id=str(body.get(DEPLOYMENT_ID) or ""),
            memberships_url=str(nrps.get("context_memberships_url") or ""),
            lineitems_url=str(ags.get("lineitems") or ""),
            ags_scopes=[str(s) for s in ags.get("scope") or []],
        )
