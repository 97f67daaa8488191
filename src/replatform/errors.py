"""One error base for the library; a subclass per stage.

Problems inside scanned files are never raised: they become findings. These
errors are for the user's own input (a missing path, a bad option).
"""


class ReplatformError(Exception):
    """Base of every error the library raises on purpose."""


class UsageError(ReplatformError):
    """The caller asked for something we cannot do (bad path, bad option)."""


class DiscoveryError(ReplatformError):
    """Discovery could not start (the root is not a readable directory)."""


class ReportError(ReplatformError):
    """A report could not be rendered or written."""


class MigrateError(ReplatformError):
    """A migration could not be written (a file changed since it was read, a write failed)."""
