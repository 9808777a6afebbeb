"""LTI 1.3 Advantage: launches from an LMS, roster sync (NRPS) and grade passback (AGS)."""
