"""What copying a project or a course would carry over, counted per project, so staff see it
before they copy. Groups, submissions and results are never copied, so they aren't counted."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from autograder.courses.models import Course
from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite
from autograder.projects.models import Project


@dataclass(frozen=True)
class ProjectCopyCounts:
    project_id: int
    name: str
    suites: int
    test_cases: int
    commands: int
    expected_files: int
    instructor_files: int


def _counts(projects: "QuerySet[Project]") -> list[ProjectCopyCounts]:
    rows = list(
        projects.order_by("pk").annotate(
            n_expected=Count("expected_student_files", distinct=True),
            n_instructor=Count("instructor_files", distinct=True),
        )
    )
    ids = [row.pk for row in rows]

    def per_project(
        queryset: "QuerySet[AGTestSuite] | QuerySet[AGTestCase] | QuerySet[AGTestCommand]", key: str
    ) -> dict[int, int]:
        return {
            row[key]: row["n"] for row in queryset.values(key).annotate(n=Count("pk")).order_by()
        }

    suites = per_project(AGTestSuite.objects.filter(project_id__in=ids), "project_id")
    cases = per_project(AGTestCase.objects.filter(suite__project_id__in=ids), "suite__project_id")
    commands = per_project(
        AGTestCommand.objects.filter(case__suite__project_id__in=ids), "case__suite__project_id"
    )
    return [
        ProjectCopyCounts(
            project_id=row.pk,
            name=row.name,
            suites=suites.get(row.pk, 0),
            test_cases=cases.get(row.pk, 0),
            commands=commands.get(row.pk, 0),
            expected_files=row.n_expected,
            instructor_files=row.n_instructor,
        )
        for row in rows
    ]


def project_copy_preview(*, project: Project) -> ProjectCopyCounts:
    return _counts(Project.objects.filter(pk=project.pk))[0]


def course_copy_preview(*, course: Course) -> list[ProjectCopyCounts]:
    return _counts(Project.objects.filter(course=course))
