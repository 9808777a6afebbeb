"""Connections to systems outside the autograder: LMS platforms (LTI 1.3)."""
