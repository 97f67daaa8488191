"""``python -m replatform``."""

from replatform.cli import run

run()
