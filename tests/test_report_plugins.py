"""Reporters come from a built-in table plus the ``replatform.reporters`` entry-point group."""

from __future__ import annotations

import importlib.metadata
from typing import Any

import pytest

from replatform import report as reporters
from replatform.errors import ReportError
from replatform.model import Report


class _Upper:
    def render(self, report: Report, *, color: bool = False) -> str:
        return report.root.upper()


class _Entry:
    def __init__(self, name: str) -> None:
        self.name = name

    def load(self) -> Any:
        return _Upper


def test_plugin_reporter_is_found_and_cannot_shadow_builtins(monkeypatch: pytest.MonkeyPatch) -> None:
    # replatform.report imports importlib.metadata only when a plug-in may be asked for
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: [_Entry("upper"), _Entry("json")])
    assert reporters.get("upper").render(Report(root="repo")) == "REPO"
    assert type(reporters.get("json")).__name__ == "JsonReporter"
    with pytest.raises(ReportError, match="choose one of codeclimate, csv, html, json, markdown, sarif, text, upper"):
        reporters.get("yaml")
