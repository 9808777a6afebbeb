from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Semester(models.TextChoices):
    FALL = "fall", "Fall"
    WINTER = "winter", "Winter"
    SPRING = "spring", "Spring"
    SUMMER = "summer", "Summer"


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    STAFF = "staff", "Staff"
    STUDENT = "student", "Student"
    HANDGRADER = "handgrader", "Handgrader"


class Course(models.Model):
    name = models.CharField(max_length=255)
    semester = models.CharField(max_length=16, choices=Semester.choices)
    year = models.PositiveIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2200)]
    )
    subtitle = models.CharField(max_length=255, blank=True, default="")
    num_late_days = models.PositiveIntegerField(
        default=0, help_text="Late days each student starts the term with."
    )
    allowed_guest_domain = models.CharField(
        max_length=255,
        blank=True,
        default="",
        help_text=(
            "Email domain (e.g. umich.edu) whose signed-in users may act as guests: they see and "
            "submit to this course's projects that let guests submit. Empty: no guests."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "name", "semester"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "semester", "year"], name="course_unique_name_semester_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.get_semester_display()} {self.year}"


class CourseMembership(models.Model):
    """One role of one user in one course. A user may hold several roles (e.g. student and
    handgrader); an admin is also treated as staff everywhere."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "user", "role"], name="membership_unique_course_user_role"
            )
        ]
        indexes = [models.Index(fields=["user", "course"])]

    def __str__(self) -> str:
        return f"{self.user_id} is {self.role} in course {self.course_id}"


class LateDayBalance(models.Model):
    """Late days of one user in one course: remaining = course allowance + extra - used."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="late_day_balances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="late_day_balances"
    )
    extra_granted = models.IntegerField(default=0)
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="late_days_unique_course_user")
        ]

    def __str__(self) -> str:
        return f"Late days of user {self.user_id} in course {self.course_id}"

    @property
    def remaining(self) -> int:
        return max(0, self.course.num_late_days + self.extra_granted - self.used)
