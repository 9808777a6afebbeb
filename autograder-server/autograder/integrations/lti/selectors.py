"""Reads of LTI state, and the one place that reads final graded scores for passback."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from autograder.accounts.models import User
from autograder.courses.models import Course, CourseMembership, Role
from autograder.grading.results.final_graded import final_graded_submissions_for_users
from autograder.grading.results.selectors import submission_scores
from autograder.groups.models import Group
from autograder.integrations.lti.models import LtiContext, LtiGradeStatus, LtiPlatform
from autograder.projects.models import Project


def platforms() -> QuerySet[LtiPlatform]:
    return LtiPlatform.objects.all()


def context_of_course(*, course: Course | int) -> LtiContext | None:
    course_id = course if isinstance(course, int) else course.pk
    return LtiContext.objects.select_related("platform").filter(course_id=course_id).first()


@dataclass(frozen=True)
class FinalScore:
    user: User
    awarded: float
    possible: float


def final_scores(*, project: Project, user_ids: set[int] | None = None) -> list[FinalScore]:
    """Each enrolled student's final graded score in `project` (students without a finished
    submission are left out), for `user_ids` only when given. A constant number of queries."""
    students = CourseMembership.objects.filter(course_id=project.course_id, role=Role.STUDENT)
    if user_ids is not None:
        students = students.filter(user_id__in=user_ids)
    student_ids = set(students.values_list("user_id", flat=True))
    groups = Group.objects.filter(project=project, members__in=student_ids).prefetch_related(
        "members"
    )
    members = {
        g.pk: [m.pk for m in g.members.all() if m.pk in student_ids] for g in groups.distinct()
    }
    finals = final_graded_submissions_for_users(project=project, members=members)
    scores = submission_scores(submission_ids={s.pk for s in finals.values()})
    users = User.objects.in_bulk(student_ids)
    return [
        FinalScore(
            user=users[user_id],
            awarded=float(scores[submission.pk].awarded),
            possible=float(scores[submission.pk].possible),
        )
        for (_group_id, user_id), submission in sorted(finals.items(), key=lambda kv: kv[0][1])
    ]


@dataclass(frozen=True)
class StudentGradeStatus:
    """What passback last did for one student in one project (all empty: nothing yet)."""

    user: User
    project: Project
    status: LtiGradeStatus | None

    @property
    def score_sent(self) -> float | None:
        return self.status.score_sent if self.status else None

    @property
    def score_maximum(self) -> float | None:
        return self.status.score_maximum if self.status else None

    @property
    def sent_at(self) -> datetime | None:
        return self.status.sent_at if self.status else None

    @property
    def attempted_at(self) -> datetime | None:
        return self.status.attempted_at if self.status else None

    @property
    def error(self) -> str:
        return self.status.error if self.status else ""


def grade_statuses(*, course: Course) -> list[StudentGradeStatus]:
    """One row per (student, project) of the course: what passback last did for them."""
    projects = list(Project.objects.filter(course=course).order_by("name", "pk"))
    students = list(
        User.objects.filter(
            course_memberships__course=course, course_memberships__role=Role.STUDENT
        ).order_by("username")
    )
    found = {
        (s.project_id, s.user_id): s
        for s in LtiGradeStatus.objects.filter(project__in=projects, user__in=students)
    }
    return [
        StudentGradeStatus(user=u, project=p, status=found.get((p.pk, u.pk)))
        for p in projects
        for u in students
    ]
