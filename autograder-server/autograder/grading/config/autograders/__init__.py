"""Autograders written for other systems, imported as they are (docs/contracts/).

A Gradescope autograder zip becomes a course sandbox image (built by `autograder.images`, with
the zip at `/autograder/source` and `setup.sh` run at build time) and, once the image is ready,
a suite in Gradescope's layout that runs `/autograder/run_autograder`. A PrairieLearn external
grader's files become the project's instructor files (at `/grade/tests`) and a suite in
PrairieLearn's layout running the command staff name.
"""
