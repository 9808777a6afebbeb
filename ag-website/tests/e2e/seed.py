"""Seeds the end-to-end database: one course, an admin, three students and a handgrader, and a
superuser in no course, all with the password in E2E_PASSWORD. Run with
`manage.py shell < seed.py`; prints the course id as JSON."""

import json
import os

from autograder.accounts.models import User
from autograder.courses.models import Course, CourseMembership, Role, Semester

password = os.environ["E2E_PASSWORD"]
course = Course.objects.create(
    name="E2E 101", semester=Semester.FALL, year=2026, num_late_days=2
)
for username, role in [
    ("admin@e2e.test", Role.ADMIN),
    ("alice@e2e.test", Role.STUDENT),
    ("bob@e2e.test", Role.STUDENT),
    ("carol@e2e.test", Role.STUDENT),
    ("gina@e2e.test", Role.HANDGRADER),
]:
    user = User.objects.create_user(
        username=username, email=username, password=password
    )
    CourseMembership.objects.create(course=course, user=user, role=role)
User.objects.create_superuser(username="root@e2e.test", email="root@e2e.test", password=password)
print(json.dumps({"course": course.pk}))
