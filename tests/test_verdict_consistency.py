"""One severity per verdict kind, whatever decided it: offline (knowledge base) and online (registries) agree.

The online runs use recorded PyPI answers (tests/data/pypi, trimmed by tools/record_pypi.py) on 127.0.0.1
and a stand-in Docker Hub for golang:1.20 (its platforms as an OCI index; not a recording, there is no
route to Docker Hub here). openblas is not on PyPI, so the index answers 404 for it, as PyPI does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from replatform import api
from replatform.assess.catalog import catalog
from replatform.assess.verdicts import KINDS, SEVERITIES
from replatform.model import Finding, Report
from replatform.registry import oci
from replatform.registry.stage import RegistryOptions

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
