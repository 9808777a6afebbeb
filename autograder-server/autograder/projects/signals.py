"""What the projects app tells the apps above it, without importing them.

`project_copied` is sent inside the transaction of `services.project_copy`, after the copy's
settings, expected files and instructor files are stored. Each higher app copies its own part
of the project in its receiver (the grading configuration copies suites, test cases and
commands; handgrading copies rubrics), so a receiver's failure rolls the whole copy back.
Receivers never copy groups, submissions or results.
"""

from django.dispatch import Signal

project_copied = Signal()
"""Sent with `source` and `copy` (both `Project`); instructor files and expected files of the
copy already exist, with the source's names and patterns."""
