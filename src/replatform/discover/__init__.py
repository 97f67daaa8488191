"""Discovery: every file we understand -> components (see `run.discover`)."""
