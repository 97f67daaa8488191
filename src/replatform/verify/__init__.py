"""Build-first verification: resolve the project's dependencies for linux/arm64 without an ARM machine."""
