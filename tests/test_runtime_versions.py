"""The runtime-version rule judges the runtime that will run, with the severity its reason deserves."""

from __future__ import annotations

import pytest

from replatform import knowledge
from replatform.assess.dependencies import running_version
from replatform.model import Severity
from replatform.registry.target import resolve_python

from .conftest import ScanFiles


@pytest.mark.parametrize(
    ("language", "written", "source", "runs"),
    [
        ("python", "3", "dockerfile base image", "3.14.7"),  # python:3 is the newest 3.x
        ("python", "3.7", "dockerfile base image", "3.7.17"),  # python:3.7-alpine is 3.7's last release
        ("python", "3.7.3", "dockerfile base image", "3.7.3"),  # a full version is taken as written
        ("python", "3.6", "dockerfile base image", "3.6.15"),
        ("python", "3.4", "dockerfile base image", "3.4"),  # a line the table does not know: as written
        ("python", "3.7", ".python-version", "3.7.17"),
        ("go", "1", "dockerfile base image", "1.27.4"),
        ("go", "1.26", "dockerfile base image", "1.26"),  # left out of the table (no confirmed patch): as written
        ("python", "3.6", "python_requires", None),  # a supported range, not a runtime
        ("python", "3.8", "requires-python", None),
        ("node", "14", "package.json engines", None),
    ],
)
def test_the_version_that_runs(language: str, written: str, source: str, runs: str | None) -> None:
    result = running_version(language, written, source)
    assert (result[0] if result else None) == runs


def test_release_table_entries_name_their_source() -> None:
    release = knowledge.runtime_releases("python").line_for("3.7")
    assert release is not None and release.latest == "3.7.17"
    assert release.source == "https://devguide.python.org/versions/" and len(release.verified) == 10
    assert release.note is not None and "docker-library/python" in release.note  # the last python:3.7 image
    for language in ("python", "go"):
        releases = knowledge.runtime_releases(language)
        assert len(releases.as_of) == 10 and releases.lines
        assert all(line.source.startswith("https://") and len(line.verified) == 10 for line in releases.lines)


def test_one_release_table_for_the_rule_and_the_registry_target() -> None:
    # the runtime-version rule and the wheel target read the same line: python:3 is one version everywhere
    assert running_version("python", "3", "dockerfile base image") == (
        resolve_python("3"),
        f"python 3 runs the newest 3.x release, {resolve_python('3')}",
    )
    assert [running_version("python", line, None) for line in ("3.12", "3.9")] == [
        (resolve_python("3.12"), "python 3.12 runs the newest 3.12.x release, 3.12.14"),
        (resolve_python("3.9"), "python 3.9 runs the newest 3.9.x release, 3.9.25"),
    ]


def test_severity_follows_the_reason_and_lower_bounds_are_not_runtimes(assess_files: ScanFiles) -> None:
    report = assess_files(
        {
            "svc/Dockerfile": "FROM python:3.7-alpine\nFROM python:3\nFROM python:3.6-slim\n",
            "tool/go.mod": "module example.com/tool\n\ngo 1.15\n",
            "lib/setup.py": 'from setuptools import setup\nsetup(name="lib", python_requires=">=3.6")\n',
        }
    )
    found = {
        (f.location.path, f.location.line): (f.severity, f.message)
        for f in report.findings
        if f.rule_id == "runtime-below-arm64-minimum"
    }
    assert sorted(found) == [("svc/Dockerfile", 3), ("tool/go.mod", 3)]
    assert found["svc/Dockerfile", 3][0] is Severity.BLOCKER  # compatibility: python 3.6 lacks aarch64 fixes
    severity, message = found["tool/go.mod", 3]
    assert severity is Severity.WARNING and "performance: it runs" in message  # go 1.15: slower, not broken


def test_buildkit_cross_build_idiom_is_not_a_pin(assess_files: ScanFiles) -> None:
    report = assess_files(
        {
            "Dockerfile": "ARG BUILDPLATFORM=linux/amd64\nFROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"
            "FROM --platform=linux/amd64 alpine:3.20\n",
        }
    )
    pinned = [f.location.line for f in report.findings if f.rule_id == "dockerfile-platform-amd64"]
    assert pinned == [3]
