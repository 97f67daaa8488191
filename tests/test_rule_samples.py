"""Every rule against its annotated samples under tests/rules/<rule-id>/.

In a sample, a comment ``ruleid: X`` means the next line must carry a finding
of rule X; ``ok: X`` means it must not; ``todoruleid: X`` records a known miss
honestly (the test fails if it starts matching, so it can be promoted).
Files that cannot hold comments (JSON, binaries) list the same annotations in
an ``ANNOTATIONS`` file as ``path:line kind: rule``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from replatform import api
from replatform.assess.catalog import catalog
from replatform.model import Report

SAMPLES = Path(__file__).resolve().parent / "rules"
_INLINE = re.compile(r"(?:#|//|<!--|;|--)\s*(ruleid|ok|todoruleid):\s*([a-z0-9-]+)")
_SIDECAR = re.compile(r"^(\S+):(\d+)\s+(ruleid|ok|todoruleid):\s*([a-z0-9-]+)\s*$")
#: Rules that cannot have a committed sample: a 16 MiB file, a crash of replatform itself, and the
#: registry verdicts, which need an index (tests/test_registry.py serves one on 127.0.0.1).
NO_SAMPLE = {
    "file-too-large",
    "internal-error",
    "pypi-arm64-ready",
    "pypi-no-arm64-artifact",
    "pypi-sdist-only",
    "pypi-version-not-found",
    "registry-not-consulted",
    "registry-index-refused",
    "image-no-arm64",
    "image-arm64-mislabelled",
    "image-arm64-ready",
    "image-not-checked",
    "npm-arm64-install",
    "npm-builds-on-arm64",
    "npm-not-checked",
}

Annotation = tuple[str, int, str, str]  # path, line the finding must (not) be on, kind, rule


def annotations(directory: Path) -> list[Annotation]:
    found: list[Annotation] = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        relative = path.relative_to(directory).as_posix()
        if path.name == "ANNOTATIONS":
            for line in path.read_text().splitlines():
                match = _SIDECAR.match(line)
                assert match, f"bad ANNOTATIONS line: {line!r}"
                found.append((match.group(1), int(match.group(2)), match.group(3), match.group(4)))
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.split("\n"), start=1):
            match = _INLINE.search(line)
            if match:
                found.append((relative, number + 1, match.group(1), match.group(2)))
    return found


def _lines(report: Report, path: str, rule: str) -> set[int]:
    return {f.location.line for f in report.findings if f.location.path == path and f.rule_id == rule}


@pytest.mark.parametrize("rule_id", sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()))
def test_rule_samples(rule_id: str) -> None:
    directory = SAMPLES / rule_id
    report = api.scan(str(directory))
    marks = annotations(directory)
    assert any(kind == "ruleid" and rule == rule_id for _, _, kind, rule in marks), (
        "no ruleid sample for the rule itself"
    )
    problems = []
    for path, line, kind, rule in marks:
        hit = line in _lines(report, path, rule)
        if kind == "ruleid" and not hit:
            problems.append(f"{path}:{line} expected {rule}")
        elif kind == "ok" and hit:
            problems.append(f"{path}:{line} unexpected {rule}")
        elif kind == "todoruleid" and hit:
            problems.append(f"{path}:{line} now finds {rule}: promote todoruleid to ruleid")
    assert not problems, (
        "\n".join(problems)
        + "\nfindings:\n"
        + "\n".join(f"  {f.location.path}:{f.location.line} {f.rule_id}" for f in report.findings)
    )


def test_every_rule_has_samples() -> None:
    sampled = {p.name for p in SAMPLES.iterdir() if p.is_dir()}
    assert sorted(set(catalog()) - sampled - NO_SAMPLE) == []
    assert sorted(sampled - set(catalog())) == []
