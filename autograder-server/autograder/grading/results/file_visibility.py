"""Who may see a test read from a results file (Gradescope, PrairieLearn, correctomatic).

Such a test is stored as a test case result of the suite's case that ran the grader, so that
case's and command's feedback settings say *how much* of it shows (points, output, ...);
its `file_visibility` says *in which feedback categories* it shows at all. The mapping of
Gradescope's values (docs/contracts/gradescope.md):

| results.json      | normal, past limit | final graded | staff viewer |
|-------------------|--------------------|--------------|--------------|
| `visible`         | yes                | yes          | yes          |
| `after_due_date`  | no                 | yes          | yes          |
| `after_published` | no                 | yes          | yes          |
| `hidden`          | no                 | no           | yes          |

The final-graded category is what students are shown once the deadline has passed and
results are published, which is when Gradescope shows the last two.
"""

from autograder.grading.config.feedback_settings import FeedbackCategory

VISIBLE = "visible"
HIDDEN = "hidden"
AFTER_DUE_DATE = "after_due_date"
AFTER_PUBLISHED = "after_published"
VALUES = (VISIBLE, HIDDEN, AFTER_DUE_DATE, AFTER_PUBLISHED)

_SHOWN_IN: dict[str, frozenset[FeedbackCategory]] = {
    VISIBLE: frozenset(FeedbackCategory),
    AFTER_DUE_DATE: frozenset((FeedbackCategory.FINAL_GRADED, FeedbackCategory.STAFF_VIEWER)),
    AFTER_PUBLISHED: frozenset((FeedbackCategory.FINAL_GRADED, FeedbackCategory.STAFF_VIEWER)),
    HIDDEN: frozenset((FeedbackCategory.STAFF_VIEWER,)),
}


def shown_in(visibility: str, category: FeedbackCategory) -> bool:
    """Whether a result with this `file_visibility` shows in `category` ("" always does: an
    ordinary test case, governed only by its settings; an unknown value shows to staff only)."""
    if not visibility:
        return True
    return category in _SHOWN_IN.get(visibility, _SHOWN_IN[HIDDEN])
