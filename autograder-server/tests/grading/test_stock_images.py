"""The stock images' sample projects (docs/stock-images/<name>/, shown in
docs/stock-images.md) grade to their documented scores on their images, through the real
pipeline and real sandboxes.

Which test needs which image: each is marked `stock_image("<name>")` and parametrized by that
name (`-k java`, `-k node`, `-k polyglot`). The image is built by
scripts/build-stock-images.sh <name> in the setup when missing (never skipped; a rebuild with
nothing changed takes a second), and offered to courses the way a site offers it
(AG_SANDBOX_STOCK_IMAGES).
"""

import io
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autograder.grading.config.transfer import importing
from autograder.grading.results.models import AGTestSuiteResult
from autograder.grading.results.selectors import submission_scores
from autograder.sandbox.docker_pool import DockerPoolManager
from autograder.submissions.models import SubmissionStatus
from tests import factories
from tests.grading import pipeline_helpers as h

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[3]
SAMPLES = REPO / "docs" / "stock-images"
PAGE = REPO / "docs" / "stock-images.md"

# (awarded, possible), as docs/stock-images.md states them.
EXPECTED = {"java": (2, 4), "node": (5, 5), "polyglot": (4, 4)}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="module")
def provider() -> Iterator[DockerPoolManager]:
    manager = DockerPoolManager(pool_size=1)
    yield manager
    manager.close()


def build_stock_image(name: str) -> str:
    """The image's content-hash tag, built first if this machine lacks it."""
    done = subprocess.run(
        [str(REPO / "scripts" / "build-stock-images.sh"), name],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.split()[-1]


def sample_zip(name: str) -> bytes:
    """The sample as the tests-as-code import takes it: project.yaml and instructor_files/."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.write(SAMPLES / name / "project.yaml", "project.yaml")
        for path in sorted((SAMPLES / name / "instructor_files").iterdir()):
            bundle.write(path, f"instructor_files/{path.name}")
    return buffer.getvalue()


def sample_files(name: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((SAMPLES / name / "submission").iterdir())}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("java", marks=pytest.mark.stock_image("java")),
        pytest.param("node", marks=pytest.mark.stock_image("node")),
        pytest.param("polyglot", marks=pytest.mark.stock_image("polyglot")),
    ],
)
def test_the_sample_project_grades_to_its_documented_score_on_its_stock_image(
    provider: DockerPoolManager, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    tag = build_stock_image(name)
    monkeypatch.setenv("AG_SANDBOX_STOCK_IMAGES", f"ag-sandbox-{name}={tag}")
    project = factories.make_project()
    importing.project_config_import(project=project, data=sample_zip(name), dry_run=False)

    submission = h.grade(provider, h.submit(project, sample_files(name)))

    assert submission.status == SubmissionStatus.FINISHED_GRADING, submission.error_msg
    ran_on = AGTestSuiteResult.objects.filter(submission=submission)
    assert [r.image for r in ran_on] == [tag]
    assert all(r.setup_return_code in (None, 0) for r in ran_on)  # compiled, where it compiles
    score = submission_scores(submission_ids=[submission.pk])[submission.pk]
    assert (int(score.awarded), int(score.possible)) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_docs_page_shows_every_file_of_the_sample(name: str) -> None:
    page = PAGE.read_text()
    files = [SAMPLES / name / "project.yaml"]
    files += sorted((SAMPLES / name / "instructor_files").iterdir())
    files += sorted((SAMPLES / name / "submission").iterdir())
    for path in files:
        assert path.read_text() in page, f"{PAGE.name} lacks {path.relative_to(REPO)} as it is"
    assert f"{EXPECTED[name][0]} of {EXPECTED[name][1]} points" in page
