"""Reporters: one small module per output format behind the `Reporter` protocol.

The built-in reporters are listed in `_builtin`; a plug-in package adds one
through the ``replatform.reporters`` entry-point group, e.g. in its pyproject:
``[project.entry-points."replatform.reporters"] sarif = "pkg.mod:SarifReporter"``.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Protocol

from replatform.errors import ReportError
from replatform.model import Report


class Reporter(Protocol):
    """Turns a report into text; must be deterministic."""

    def render(self, report: Report, *, color: bool = False) -> str:
        """The whole output as one string."""


def _builtin() -> dict[str, Reporter]:
    from replatform.report.codeclimate import CodeClimateReporter
    from replatform.report.csv_report import CsvReporter
    from replatform.report.html import HtmlReporter
    from replatform.report.json_report import JsonReporter
    from replatform.report.markdown import MarkdownReporter
    from replatform.report.sarif import SarifReporter
    from replatform.report.text import TextReporter

    return {
        "codeclimate": CodeClimateReporter(),
        "csv": CsvReporter(),
        "html": HtmlReporter(),
        "json": JsonReporter(),
        "markdown": MarkdownReporter(),
        "sarif": SarifReporter(),
        "text": TextReporter(),
    }


def builtin_names() -> tuple[str, ...]:
    """The formats that ship with replatform (each can also be written with ``--<name>-output``)."""
    return tuple(sorted(_builtin()))


def available() -> dict[str, Reporter]:
    """Every reporter by name: built-ins, then plug-ins (which may not shadow them)."""
    reporters = _builtin()
    for entry in entry_points(group="replatform.reporters"):
        if entry.name not in reporters:
            reporters[entry.name] = entry.load()()
    return reporters


def get(name: str) -> Reporter:
    """The reporter called ``name``."""
    reporters = available()
    if name not in reporters:
        raise ReportError(f"unknown format {name!r}; choose one of {', '.join(sorted(reporters))}")
    return reporters[name]
