"""One severity per verdict kind, whatever decided it: offline (knowledge base) and online (registries) agree.

The online runs use recorded PyPI answers (tests/data/pypi, trimmed by tools/record_pypi.py) on 127.0.0.1
and a stand-in Docker Hub for golang:1.20 (its platforms as an OCI index; not a recording, there is no
route to Docker Hub here). openblas is not on PyPI, so the index answers 404 for it, as PyPI does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from replatform import api
from replatform.assess.catalog import catalog
from replatform.assess.verdicts import KINDS, SEVERITIES
from replatform.cli import main
from replatform.model import Finding, Report
from replatform.registry import oci
from replatform.registry.stage import RegistryOptions
from replatform.report import baseline

from .conftest import EXAMPLES
from .http_server import serve
from .test_registry import _route as pypi_route

PORTING = EXAMPLES / "porting-samples"
_ARM64_MANIFEST = "sha256:" + "b" * 64
_ARM64_CONFIG = "sha256:" + "c" * 64
_DOCKER_HUB = {
    "/v2/library/golang/manifests/1.20": {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"digest": "sha256:" + "a" * 64, "platform": {"os": "linux", "architecture": "amd64"}},
            {"digest": _ARM64_MANIFEST, "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
        ],
    },
    f"/v2/library/golang/manifests/{_ARM64_MANIFEST}": {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"digest": _ARM64_CONFIG},
    },
    f"/v2/library/golang/blobs/{_ARM64_CONFIG}": {"architecture": "arm64", "os": "linux"},
}


def _route(path: str) -> tuple[bytes, str] | None:
    if path.startswith("/v2/"):
        answer = _DOCKER_HUB.get(path)
        return (json.dumps(answer).encode(), "application/vnd.oci.image.index.v1+json") if answer else None
    return pypi_route(path)


@pytest.fixture
def registries(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The recorded PyPI index and the stand-in Docker Hub on one loopback port; yields the index URL."""
    with serve(_route) as base:
        monkeypatch.setattr(oci, "_DOCKER_HUB", base.removeprefix("http://"))
        yield f"{base}/simple"


def _verdicts(report: Report) -> dict[tuple[str, str], Finding]:
    """Dependency and image verdicts by (file, subject)."""
    return {(f.location.path, f.subject): f for f in report.findings if f.rule_id in KINDS}


def test_every_rule_of_a_verdict_kind_has_the_kinds_severity() -> None:
    rules = catalog()
    assert {rule: rules[rule].severity for rule in KINDS} == {rule: SEVERITIES[kind] for rule, kind in KINDS.items()}


def test_offline_and_online_scans_of_porting_samples_agree(registries: str, tmp_path: Path) -> None:
    offline = _verdicts(api.scan(str(PORTING), registry=RegistryOptions(offline=True)))
    online = _verdicts(api.scan(str(PORTING), registry=RegistryOptions(index_url=registries, cache_dir=tmp_path)))
    agree = sorted(
        key for key in offline.keys() & online.keys() if KINDS[offline[key].rule_id] is KINDS[online[key].rule_id]
    )
    assert {key: (offline[key].rule_id, online[key].rule_id) for key in agree} == {
        ("c-samples/checksum.c", "AVX intrinsics (not compiled)"): ("c-x86-code-already-ported",) * 2,
        ("c-samples/checksum.c", "x86 SIMD headers (not compiled)"): ("c-x86-code-already-ported",) * 2,
        ("go-samples/go.mod", "github.com/golang/snappy"): ("dependency-below-arm64-minimum",) * 2,
        ("java-samples/pom.xml", "com.github.luben:zstd-jni"): ("dependency-below-arm64-minimum",) * 2,
        ("java-samples/pom.xml", "org.fusesource.leveldbjni:leveldbjni-all"): ("dependency-unsupported-on-arm64",) * 2,
        ("java-samples/pom.xml", "org.xerial.snappy:snappy-java"): ("dependency-below-arm64-minimum",) * 2,
        ("python-samples/compatible/requirements.txt", "numpy"): ("dependency-arm64-ready", "pypi-arm64-ready"),
        # below 1.19.0 offline; online an sdist the knowledge base says does not build: the same blocker
        ("python-samples/incompatible/requirements.txt", "numpy"): (
            "dependency-below-arm64-minimum",
            "pypi-no-arm64-artifact",
        ),
        # not on PyPI: the knowledge base decides online too
        ("python-samples/incompatible/requirements.txt", "openblas"): ("dependency-below-arm64-minimum",) * 2,
        ("python-samples/incompatible/requirements.txt", "pandas"): (
            "dependency-below-arm64-minimum",
            "pypi-no-arm64-artifact",
        ),
        ("python-samples/incompatible/requirements.txt", "python-samples/incompatible/requirements.txt"): (
            "registry-not-consulted",
        )
        * 2,
        ("python-samples/incompatible/requirements.txt", "scipy"): (
            "dependency-below-arm64-minimum",
            "pypi-no-arm64-artifact",
        ),
    }
    assert {key: offline[key].severity.value for key in agree} == {key: online[key].severity.value for key in agree}
    assert sorted(offline[key].severity.value for key in agree) == ["blocker"] * 8 + ["info"] * 4
    # where the verdicts differ, the registry answered what the knowledge base could not
    differ = sorted(
        (key, offline[key].rule_id, online[key].rule_id) for key in offline.keys() & online.keys() if key not in agree
    )
    assert differ == [(("docker/Dockerfile", "golang:1.20"), "image-not-checked", "image-arm64-ready")]
    numpy = online["python-samples/incompatible/requirements.txt", "numpy"]
    assert (numpy.rule_id, numpy.message.endswith("[registry files and the knowledge base]")) == (
        "pypi-no-arm64-artifact",
        True,
    )
    openblas = online["python-samples/incompatible/requirements.txt", "openblas"]
    assert openblas.rule_id == "dependency-below-arm64-minimum"
    assert openblas.message.endswith(
        f"[knowledge-base verdict: the index could not answer: {registries}/openblas/: HTTP 404]"
    )


def test_an_unreachable_index_falls_back_to_the_same_severities(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    closed = "127.0.0.1:9"  # the discard port: nothing listens, the connection is refused at once
    monkeypatch.setattr(oci, "_DOCKER_HUB", closed)
    offline_report = api.scan(str(PORTING), registry=RegistryOptions(offline=True))
    online_report = api.scan(
        str(PORTING), registry=RegistryOptions(index_url=f"http://{closed}/simple", cache_dir=tmp_path, timeout=2)
    )
    offline, online = _verdicts(offline_report), _verdicts(online_report)
    assert offline.keys() == online.keys()
    assert {k: (f.rule_id, f.severity) for k, f in offline.items()} == {
        k: (f.rule_id, f.severity) for k, f in online.items()
    }
    scipy = online["python-samples/incompatible/requirements.txt", "scipy"]
    assert "[knowledge-base verdict: the index could not answer: http://127.0.0.1:9/simple/scipy/:" in scipy.message
    assert offline["python-samples/incompatible/requirements.txt", "scipy"].message.endswith(
        "[knowledge-base verdict: offline]"
    )
    note = online["python-samples/incompatible/requirements.txt", "python-samples/incompatible/requirements.txt"]
    assert note.fix is not None and note.fix.description == (
        "Check that http://127.0.0.1:9/simple is reachable from here and lists numpy, or name the right one with "
        "--index-url."
    )
    image = online["docker/Dockerfile", "golang:1.20"]
    assert (
        image.fix is not None
        and image.fix.description == "Check it by hand: docker buildx imagetools inspect golang:1.20"
    )
    offline_note = offline[
        "python-samples/incompatible/requirements.txt", "python-samples/incompatible/requirements.txt"
    ]
    assert offline_note.fix is not None and offline_note.fix.description.startswith("Run without --offline to ask ")


def _gate(capsys: pytest.CaptureFixture[str], arguments: list[str]) -> tuple[int, dict[str, Any]]:
    code = main([*arguments, "--format", "json", "--fail-on", "blocker"])
    return code, json.loads(capsys.readouterr().out)


def test_a_baseline_written_online_gates_an_offline_check_with_no_change(
    registries: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """15a: docs/ci.md writes the baseline online (the default) and the pre-commit hook checks offline. The same
    answer from the knowledge base and from PyPI (numpy 1.18.5: dependency-below-arm64-minimum offline,
    pypi-no-arm64-artifact online) is one fingerprint, so an unchanged tree passes the gate both ways."""
    monkeypatch.delenv("REPLATFORM_OFFLINE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    online_file, offline_file = tmp_path / "online.json", tmp_path / "offline.json"
    assert main(["baseline", "write", str(PORTING), "-o", str(online_file), "--index-url", registries]) == 0
    assert main(["baseline", "write", str(PORTING), "-o", str(offline_file), "--offline"]) == 0
    capsys.readouterr()
    online = {(r.finding.location.path, r.finding.subject): r.finding.rule_id for r in baseline.load(str(online_file))}
    numpy = ("python-samples/incompatible/requirements.txt", "numpy")
    assert online[numpy] == "pypi-no-arm64-artifact"  # the registry really answered
    assert json.loads(online_file.read_text())["baseline_version"] == 2

    code, report = _gate(capsys, ["scan", str(PORTING), "--offline", "--baseline", str(online_file)])
    assert code == 0
    assert [(f["rule_id"], f["subject"]) for f in report["findings"] if f["baseline"] == "new"] == [
        ("image-not-checked", "golang:1.20"),  # offline cannot check the image the registry said is ready (info)
        ("registry-not-consulted", "python-samples/compatible/requirements.txt"),  # a note about the run (info)
    ]
    offline_numpy = next(f for f in report["findings"] if (f["path"], f["subject"]) == numpy)
    assert (offline_numpy["rule_id"], offline_numpy["baseline"]) == ("dependency-below-arm64-minimum", "unchanged")
    assert [(f["rule_id"], f["subject"]) for f in report["baseline"]["fixed"]] == [
        ("image-arm64-ready", "golang:1.20"),
        ("pypi-arm64-ready", "requests"),  # answers only the registries give (info): offline has no word on them
    ]

    code, report = _gate(capsys, ["scan", str(PORTING), "--index-url", registries, "--baseline", str(offline_file)])
    assert code == 0  # and the other way round: written offline, checked online
    assert [(f["rule_id"], f["subject"]) for f in report["findings"] if f["baseline"] == "new"] == [
        ("image-arm64-ready", "golang:1.20"),
        ("pypi-arm64-ready", "requests"),
    ]


def test_a_changed_answer_is_new_whatever_the_source(tmp_path: Path) -> None:
    """The fingerprint holds the verdict's answer: an upgrade or a downgrade of a pin is never 'unchanged'."""
    (tmp_path / "requirements.txt").write_text("numpy==1.21.1\n")
    ready = api.scan(str(tmp_path), registry=RegistryOptions(offline=True))
    (tmp_path / "requirements.txt").write_text("numpy==1.18.5\n")
    blocked = api.scan(str(tmp_path), registry=RegistryOptions(offline=True))
    compared = baseline.compare(blocked, [baseline.Recorded(f.fingerprint, f) for f in ready.findings], "b.json")
    assert [
        (f.rule_id, f.baseline.value if f.baseline else None) for f in compared.findings if f.subject == "numpy"
    ] == [("dependency-below-arm64-minimum", "new")]
    assert compared.baseline is not None
    assert [(f.rule_id, f.subject) for f in compared.baseline.fixed] == [("dependency-arm64-ready", "numpy")]
    # By hand: the answer, the file and the package; no rule id, so no source.
    key = "arm64 verdict: does not install on arm64\x1frequirements.txt\x1fnumpy"
    (numpy,) = (f for f in blocked.findings if f.subject == "numpy")
    assert numpy.fingerprint == hashlib.sha256(key.encode()).hexdigest()[:32]
