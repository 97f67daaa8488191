"""Reporters: one small module per output format behind the `Reporter` protocol.

The built-in reporters are listed in `_BUILTIN`; a plug-in package adds one
through the ``replatform.reporters`` entry-point group, e.g. in its pyproject:
``[project.entry-points."replatform.reporters"] sarif = "pkg.mod:SarifReporter"``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Protocol

from replatform.errors import ReportError
from replatform.model import Report


class Reporter(Protocol):
    """Turns a report into text; must be deterministic."""

    def render(self, report: Report, *, color: bool = False) -> str:
        """The whole output as one string."""


#: Built-in formats: (module, class). A module is imported only when its format is asked for.
_BUILTIN = {
    "codeclimate": ("replatform.report.codeclimate", "CodeClimateReporter"),
    "csv": ("replatform.report.csv_report", "CsvReporter"),
    "html": ("replatform.report.html", "HtmlReporter"),
    "json": ("replatform.report.json_report", "JsonReporter"),
    "markdown": ("replatform.report.markdown", "MarkdownReporter"),
    "sarif": ("replatform.report.sarif", "SarifReporter"),
    "text": ("replatform.report.text", "TextReporter"),
}


def _load(name: str) -> Reporter:
    module, cls = _BUILTIN[name]
    reporter: Reporter = getattr(import_module(module), cls)()
    return reporter


def _builtin() -> dict[str, Reporter]:
    return {name: _load(name) for name in _BUILTIN}


def builtin_names() -> tuple[str, ...]:
    """The formats that ship with replatform (each can also be written with ``--<name>-output``)."""
    return tuple(sorted(_BUILTIN))


def available() -> dict[str, Reporter]:
    """Every reporter by name: built-ins, then plug-ins (which may not shadow them)."""
    from importlib.metadata import entry_points

    reporters = _builtin()
    for entry in entry_points(group="replatform.reporters"):
        if entry.name not in reporters:
            reporters[entry.name] = entry.load()()
    return reporters


def get(name: str) -> Reporter:
    """The reporter called ``name`` (a built-in loads only its own module: plug-ins may not shadow them)."""
    if name in _BUILTIN:
        return _load(name)
    reporters = available()
    if name not in reporters:
        raise ReportError(f"unknown format {name!r}; choose one of {', '.join(sorted(reporters))}")
    return reporters[name]
