#!/usr/bin/env python3
"""Django's command-line entry point; puts autograder-server/ on sys.path."""

import os
import sys
from pathlib import Path


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent / "autograder-server"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autograder.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
