"""A small Python project graded by mutation testing: `stats.py` (correct), three buggy
implementations, a harness that runs one student test against an implementation, and a
lister of the student's test names. Shared by the pipeline, API and feedback tests."""

from typing import Any

from autograder.grading.mutation.models import MutationTestSuite
from autograder.projects.models import Project
from tests.grading import pipeline_helpers as h

CORRECT = b"""\
def mean(xs):
    return sum(xs) / len(xs)

def maximum(xs):
    return max(xs)

def count(xs, x):
    return xs.count(x)
"""
BUGS = {
    "bug_mean": CORRECT.replace(b"sum(xs) / len(xs)", b"sum(xs) // len(xs)"),
    "bug_max": CORRECT.replace(b"max(xs)", b"xs[-1]"),
    "bug_count": CORRECT.replace(b"xs.count(x)", b"xs.count(x) if xs else 1"),
}
HARNESS = b"""\
import importlib.util, sys
impl, test = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location("stats", impl)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
sys.modules["stats"] = module
import test_stats
getattr(test_stats, test)()
print("passed", test)
"""
LISTER = b"""\
import test_stats
print("\\n".join(n for n in dir(test_stats) if n.startswith("test_")))
"""
BATCH_HARNESS = b"""\
import importlib.util, sys
impl = sys.argv[1]
spec = importlib.util.spec_from_file_location("stats", impl)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
sys.modules["stats"] = module
import test_stats
failed = 0
for test in sys.argv[2:]:
    try:
        getattr(test_stats, test)()
    except Exception:
        failed += 1
sys.exit(1 if failed else 0)
"""

STUDENT_TESTS = b"""\
import stats

def test_mean():
    assert stats.mean([1, 2]) == 1.5

def test_max():
    assert stats.maximum([3, 1, 2]) == 3

def test_wrong():
    assert stats.mean([2, 2]) == 3

def test_forever():
    while True:
        pass
"""
"""Exposes bug_mean and bug_max, not bug_count; test_wrong is invalid, test_forever times out."""


def mutation_suite(project: Project | None = None, **fields: Any) -> MutationTestSuite:
    project = project or h.project_with_catch_all()
    files = {"stats.py": CORRECT, "run_test.py": HARNESS, "list_tests.py": LISTER}
    files.update({f"{name}.py": content for name, content in BUGS.items()})
    files["run_all.py"] = BATCH_HARNESS
    values: dict[str, Any] = {
        "name": "Your tests",
        "buggy_impl_names": list(BUGS),
        "get_student_test_names_command": "python3 list_tests.py",
        "validity_check_command": "python3 run_test.py stats.py ${student_test_name}",
        "grade_buggy_impl_command": (
            "python3 run_test.py ${buggy_impl_name}.py ${student_test_name}"
        ),
        "validity_time_limit_s": 2,
        "points_per_exposed_bug": 2,
    }
    values.update(fields)
    suite = MutationTestSuite.objects.create(project=project, **values)
    suite.instructor_files_needed.set(
        [h.instructor_file(project, name, content) for name, content in files.items()]
    )
    return suite
