"""Registry verdicts from a PEP 691 index served on 127.0.0.1 from recorded responses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from replatform import api
from replatform.cli import main
from replatform.registry.http import Fetcher
from replatform.registry.pypi import Verdict, judge
from replatform.registry.stage import RegistryOptions
from replatform.registry.target import Target

from .http_server import serve

RECORDED = Path(__file__).resolve().parent / "data" / "pypi"


HTML_PROJECTS = {"requests"}  # served as PEP 503 HTML to test the fallback
HITS: list[str] = []


def _route(path: str) -> tuple[bytes, str] | None:
    HITS.append(path)
    parts = [p for p in path.split("/") if p]
    if len(parts) != 2 or parts[0] != "simple" or not (RECORDED / f"{parts[1]}.json").exists():
        return None
    data = json.loads((RECORDED / f"{parts[1]}.json").read_text())
    if parts[1] in HTML_PROJECTS:
        links = "".join(f'<a href="/files/{f["filename"]}">{f["filename"]}</a>\n' for f in data["files"])
        return f"<html><body>{links}</body></html>".encode(), "text/html"
    return json.dumps(data).encode(), "application/vnd.pypi.simple.v1+json"


@pytest.fixture(scope="module")
def index_url() -> Iterator[str]:
    with serve(_route) as base:
        yield f"{base}/simple"


PY38 = Target(python="3.8", libc="glibc", libc_version="2.26")


@pytest.mark.parametrize(
    ("name", "version", "verdict", "first_ready"),
    [
        ("numpy", "1.18.5", Verdict.SDIST_ONLY, "1.19.0"),
        ("numpy", "1.19.0", Verdict.ARM64_WHEEL, None),
        ("tensorflow", "2.4.1", Verdict.NO_ARM64, "2.10.0"),
        ("mkl", None, Verdict.NO_ARM64, None),
        ("psycopg2-binary", "2.8.6", Verdict.SDIST_ONLY, "2.9"),
        ("requests", "2.32.3", Verdict.PURE, None),  # from the HTML (PEP 503) page
        ("numpy", "9.9.9", Verdict.NOT_FOUND, None),
        ("no-such-project", "1.0", Verdict.UNKNOWN, None),
    ],
)
def test_verdicts_for_python_38(
    index_url: str, tmp_path: Path, name: str, version: str | None, verdict: Verdict, first_ready: str | None
) -> None:
    result = judge(name, version, None, PY38, Fetcher(cache_dir=tmp_path), index_url)
    assert (result.verdict, result.first_ready) == (verdict, first_ready)
    assert result.target.describe() == "CPython 3.8, linux/aarch64 glibc 2.26"


def test_glibc_level_changes_the_verdict(index_url: str, tmp_path: Path) -> None:
    # tensorflow 2.10.0's aarch64 wheels are manylinux_2_17: fine on AL2; a musl target gets nothing.
    fetcher = Fetcher(cache_dir=tmp_path)
    musl = Target(python="3.8", libc="musl", libc_version="1.2")
    assert judge("tensorflow", "2.10.0", None, PY38, fetcher, index_url).verdict is Verdict.ARM64_WHEEL
    assert judge("tensorflow", "2.10.0", None, musl, fetcher, index_url).verdict is Verdict.NO_ARM64


def test_cache_and_offline(index_url: str, tmp_path: Path) -> None:
    HITS.clear()
    online = Fetcher(cache_dir=tmp_path)
    judge("numpy", "1.19.0", None, PY38, online, index_url)
    judge("numpy", "1.18.5", None, PY38, online, index_url)
    assert len(HITS) == 1  # the second answer came from the cache
    offline = Fetcher(offline=True, cache_dir=tmp_path / "empty")
    result = judge("numpy", "1.19.0", None, PY38, offline, index_url)
    assert result.verdict is Verdict.UNKNOWN and "offline" in result.detail
    assert offline.requests == 0 and len(HITS) == 1


def test_file_index_and_find_links(tmp_path: Path) -> None:
    project = tmp_path / "simple" / "numpy"
    project.mkdir(parents=True)
    (project / "index.html").write_text('<a href="../../files/numpy-1.19.0-cp38-cp38-manylinux2014_aarch64.whl">w</a>')
    links = tmp_path / "wheels"
    links.mkdir()
    (links / "numpy-1.20.0-cp38-cp38-manylinux2014_aarch64.whl").write_bytes(b"")
    fetcher = Fetcher(cache_dir=None)
    index = (tmp_path / "simple").as_uri()
    assert judge("numpy", "1.19.0", None, PY38, fetcher, index).verdict is Verdict.ARM64_WHEEL
    found = judge("numpy", None, ">=1.20", PY38, fetcher, index, find_links=(str(links),))
    assert (found.version, found.verdict) == ("1.20.0", Verdict.ARM64_WHEEL)


REQUIREMENTS = "numpy==1.18.5\ntensorflow==2.4.1\nmkl\npsycopg2-binary==2.8.6\n"


def test_scan_merges_registry_verdicts(index_url: str, tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(REQUIREMENTS)
    options = RegistryOptions(index_url=index_url, python="3.8", cache_dir=tmp_path / "cache")
    report = api.scan(str(tmp_path), registry=options)
    by_subject = {f.subject: f for f in report.findings if f.rule_id.startswith("pypi-")}
    assert {s: f.rule_id for s, f in by_subject.items()} == {
        # only an sdist, and the knowledge base says releases before 1.19.0 do not build on aarch64: the same
        # blocker as offline (dependency-below-arm64-minimum), never a warning that flips with the network
        "numpy": "pypi-no-arm64-artifact",
        "tensorflow": "pypi-no-arm64-artifact",
        "mkl": "pypi-no-arm64-artifact",
        "psycopg2-binary": "pypi-sdist-only",
    }
    assert by_subject["numpy"].severity.value == "blocker"
    assert by_subject["numpy"].message == (
        "numpy 1.18.5 on CPython 3.8.20, linux/aarch64 glibc 2.34: sdist only (only a source distribution matches "
        "the target; the knowledge base says releases before 1.19.0 do not build on aarch64); first arm64-ready "
        "version: 1.19.0 [registry files and the knowledge base]"
    )
    assert "supersedes the knowledge base" in by_subject["tensorflow"].message
    assert by_subject["numpy"].fix is not None
    assert by_subject["numpy"].fix.description == (
        "Upgrade numpy to >= 1.19.0 (the first release with an aarch64 wheel for CPython 3.8.20, linux/aarch64 "
        "glibc 2.34)."
    )
    assert by_subject["tensorflow"].fix is not None and ">= 2.10.0" in by_subject["tensorflow"].fix.description
    # the knowledge-base findings for the same requirements were replaced, not duplicated
    assert not [f for f in report.findings if f.rule_id.startswith("dependency-") and f.subject in by_subject]


def test_offline_scan_labels_knowledge_verdicts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "requirements.txt").write_text(REQUIREMENTS)
    code = main(["scan", str(tmp_path), "--offline", "--format", "json", "--fail-on", "blocker"])
    data = json.loads(capsys.readouterr().out)
    rules = sorted((f["rule_id"], f["subject"]) for f in data["findings"])
    assert ("registry-not-consulted", "requirements.txt") in rules
    assert ("dependency-below-arm64-minimum", "numpy") in rules  # knowledge base, labelled by the note above
    assert ("dependency-x86-only", "mkl") in rules
    assert code == 1  # real blockers from the knowledge base, nothing from the missing network


@pytest.mark.online
def test_real_pypi_numpy() -> None:
    fetcher = Fetcher(cache_dir=None)
    from replatform.registry.pypi import default_index_url

    index = default_index_url()
    assert index is not None
    assert judge("numpy", "1.18.5", None, PY38, fetcher, index).first_ready == "1.19.0"
    assert judge("numpy", "1.19.0", None, PY38, fetcher, index).verdict is Verdict.ARM64_WHEEL
