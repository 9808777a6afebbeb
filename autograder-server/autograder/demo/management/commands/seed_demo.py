"""Seeds a demo course for the quickstart: an admin, a staff member, two students, a handgrader
and a project with expected files, tests and a handgrading rubric. Safe to run again: existing
demo rows are reused."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from autograder.accounts.models import User
from autograder.courses.models import Course, CourseMembership, Role, Semester
from autograder.grading.config.models import AGTestCase, AGTestCommand, AGTestSuite
from autograder.handgrading.models import Annotation, Criterion, HandgradingRubric
from autograder.projects.models import ExpectedStudentFile, Project

DEMO_PASSWORD = "demo-password"
DEMO_USERS = {
    "admin@demo.test": Role.ADMIN,
    "staff@demo.test": Role.STAFF,
    "student1@demo.test": Role.STUDENT,
    "student2@demo.test": Role.STUDENT,
    "grader@demo.test": Role.HANDGRADER,
}


class Command(BaseCommand):
    help = "Create (or refresh) the demo course, its users and a project."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            course, _ = Course.objects.get_or_create(
                name="Demo 101",
                semester=Semester.FALL,
                year=timezone.now().year,
                defaults={"subtitle": "Programming and Data Structures", "num_late_days": 3},
            )
            for username, role in DEMO_USERS.items():
                user = self._user(username)
                CourseMembership.objects.get_or_create(course=course, user=user, role=role)
            project, _ = Project.objects.get_or_create(
                course=course,
                name="Project 1: Hello",
                defaults={
                    "visible_to_students": True,
                    "closing_time": timezone.now() + timedelta(days=14),
                    "max_group_size": 2,
                    "submission_limit_per_day": 5,
                    "allow_late_days": True,
                },
            )
            ExpectedStudentFile.objects.get_or_create(
                project=project,
                pattern="hello.py",
                defaults={"min_num_matches": 1, "max_num_matches": 1},
            )
            ExpectedStudentFile.objects.get_or_create(
                project=project,
                pattern="test_*.py",
                defaults={"min_num_matches": 0, "max_num_matches": 3},
            )
            self._tests(project)
            self._rubric(project)
        self.stdout.write(f"Demo course: {course} (id {course.pk})")
        for username, role in DEMO_USERS.items():
            self.stdout.write(f"  {role.label:<10} {username} / {DEMO_PASSWORD}")

    def _rubric(self, project: Project) -> None:
        """A handgrading rubric: two criteria to tick and one reusable deduction."""
        rubric, created = HandgradingRubric.objects.get_or_create(
            project=project, defaults={"max_points": Decimal(10)}
        )
        if not created:
            return
        Criterion.objects.create(
            rubric=rubric, short_description="Clear names", points=Decimal(4), order=1
        )
        Criterion.objects.create(
            rubric=rubric, short_description="Comments explain why", points=Decimal(6), order=2
        )
        Annotation.objects.create(
            rubric=rubric,
            short_description="Magic number",
            long_description="Give the constant a name.",
            deduction=Decimal(-1),
            max_deduction=Decimal(-3),
            order=1,
        )

    def _tests(self, project: Project) -> None:
        """One suite that runs hello.py: its output checked, two points."""
        suite, _ = AGTestSuite.objects.get_or_create(project=project, name="Hello tests")
        case, _ = AGTestCase.objects.get_or_create(suite=suite, name="Says hello")
        AGTestCommand.objects.get_or_create(
            case=case,
            name="python3 hello.py",
            defaults={
                "cmd": "python3 hello.py",
                "expected_return_code": "zero",
                "expected_stdout_source": "text",
                "expected_stdout_text": "Hello, world!\n",
                "points_for_correct_return_code": 1,
                "points_for_correct_stdout": 1,
                "feedback": {
                    "normal": {"stdout_feedback": "expected_and_actual", "show_actual_stdout": True}
                },
            },
        )

    def _user(self, username: str) -> User:
        user, created = User.objects.get_or_create(username=username, defaults={"email": username})
        if created or not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save()
        if username.startswith("admin@"):
            User.objects.filter(pk=user.pk).update(can_create_courses=True)
        return user
