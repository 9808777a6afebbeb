"""Moving a project's test configuration around: the copy preview, cloning a test case, and
tests as code (the whole configuration as one YAML document, exported and imported)."""
