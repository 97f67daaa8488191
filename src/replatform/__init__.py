"""replatform: move AWS workloads to cheaper compute and prove the move is safe."""

__version__ = "0.1.0"
