from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from autograder.groups.models import Group
from autograder.submissions.models import Submission
from tests.grading import factories as grading


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Each test stores submissions and builds downloads in its own empty directory."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


def submit(
    group: Group, files: dict[str, bytes], *, timestamp: datetime | None = None, **fields: Any
) -> Submission:
    """A finished submission whose files are stored as an upload stores them."""
    submission = grading.make_submission(group, timestamp=timestamp, **fields)
    submission.submitted_filenames = list(files)
    submission.save(update_fields=["submitted_filenames"])
    for name, content in files.items():
        default_storage.save(f"{submission.files_dir}/{name}", ContentFile(content))
    return submission
