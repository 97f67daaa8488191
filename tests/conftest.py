from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from replatform import api
from replatform.model import Component, ComponentKind, Report

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SCHEMA = ROOT / "src" / "replatform" / "schemas" / "report.schema.json"


@pytest.fixture(autouse=True)
def _offline_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    """CLI runs in tests make no network call unless a test serves an index itself."""
    monkeypatch.setenv("REPLATFORM_OFFLINE", "1")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def report_schema() -> dict[str, object]:
    return json.loads(SCHEMA.read_text())


ScanFiles = Callable[[dict[str, str | bytes]], Report]


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


@pytest.fixture
def scan_files(tmp_path: Path) -> ScanFiles:
    """Write files under a fresh root and inventory it (discovery only)."""

    def run(files: dict[str, str | bytes]) -> Report:
        _write(tmp_path, files)
        return api.inventory(str(tmp_path))

    return run


@pytest.fixture
def assess_files(tmp_path: Path) -> ScanFiles:
    """Write files under a fresh root, then discover and assess it."""

    def run(files: dict[str, str | bytes]) -> Report:
        _write(tmp_path, files)
        return api.scan(str(tmp_path))

    return run


def of_kind(report: Report, kind: ComponentKind) -> list[Component]:
    return [c for c in report.components if c.kind is kind]


def attrs(component: Component) -> dict[str, object]:
    return {a.name: a.value for a in component.attributes}
