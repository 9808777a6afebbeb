"""API fuzzing with Schemathesis against a real server: seed data, hooks and the driver
(docs/dev/fuzzing.md)."""
