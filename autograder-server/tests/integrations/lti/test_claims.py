import pytest

from autograder.courses.models import Role
from autograder.integrations.lti.claims import course_role

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"


@pytest.mark.parametrize(
    ("roles", "wanted"),
    [
        ([LIS + "membership#Instructor"], Role.STAFF),
        ([LIS + "membership/Instructor#TeachingAssistant"], Role.STAFF),
        ([LIS + "membership#Learner"], Role.STUDENT),
        (["Learner"], Role.STUDENT),  # the short form NRPS may use
        ([LIS + "membership#Learner", LIS + "membership#Instructor"], Role.STAFF),
        # Canvas also sends institution and system roles; they say nothing about the course.
        ([LIS + "institution/person#Instructor", LIS + "membership#Learner"], Role.STUDENT),
        ([LIS + "institution/person#Instructor"], None),
        ([LIS + "system/person#Administrator"], None),
        ([LIS + "membership#Mentor"], None),
        ([], None),
    ],
)
def test_lms_roles_map_to_course_roles(roles: list[str], wanted: Role | None) -> None:
    assert course_role(roles) == wanted
