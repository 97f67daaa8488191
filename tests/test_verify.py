"""``replatform verify``: arm64 resolution with uv against a local index of synthetic wheels on 127.0.0.1."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from replatform.cli import main
from replatform.registry.stage import RegistryOptions
from replatform.registry.target import Target
from replatform.verify.python import uv_platform, verify_requirements, x86_64_control
from replatform.verify.run import render_text, verify

X86 = "cp311-cp311-manylinux_2_17_x86_64"
ARM = "cp311-cp311-manylinux_2_17_aarch64"
PURE = "py3-none-any"
# project -> version -> (wheel tags, Requires-Dist)
PROJECTS: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "webapp": {"1.0": ((PURE,), ("nativedep",))},
    "nativedep": {"1.0": ((X86,), ()), "1.1": ((X86, ARM), ())},
    "reporting": {"2.0": ((PURE,), ("x86only",))},
    "x86only": {"3.0": ((X86,), ())},
    "intelhelper": {"1.0": ((PURE,), ('x86only; platform_machine == "x86_64"',))},
}


def _wheel(name: str, version: str, tag: str, requires: tuple[str, ...]) -> bytes:
    buffer = io.BytesIO()
    dist = f"{name}-{version}.dist-info"
    with zipfile.ZipFile(buffer, "w") as wheel:
        wheel.writestr(f"{name}/__init__.py", "")
        metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
            f"Requires-Dist: {r}\n" for r in requires
        )
        wheel.writestr(f"{dist}/METADATA", metadata)
        wheel.writestr(f"{dist}/WHEEL", f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\nTag: {tag}\n")
        wheel.writestr(f"{dist}/RECORD", "")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("index")
    for name, versions in PROJECTS.items():
        page = root / "simple" / name
        page.mkdir(parents=True)
        links = []
        for version, (tags, requires) in versions.items():
            for tag in tags:
                filename = f"{name}-{version}-{tag}.whl"
                (root / "files").mkdir(exist_ok=True)
                (root / "files" / filename).write_bytes(_wheel(name, version, tag, requires))
                links.append(f'<a href="/files/{filename}">{filename}</a>')
        (page / "index.html").write_text("<html><body>" + "\n".join(links) + "</body></html>")
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/simple"
    server.shutdown()


TARGET = Target(python="3.11", libc="glibc", libc_version="2.36")


def test_uv_platform_follows_the_glibc_level() -> None:
    assert uv_platform(TARGET) == "aarch64-manylinux_2_36"
    assert uv_platform(Target("3.11", "glibc", "2.26")) == "aarch64-manylinux2014"
    assert uv_platform(Target("3.11", "musl", "1.2")) == "aarch64-unknown-linux-musl"


def test_resolves_and_attributes_failures(index: str, tmp_path: Path) -> None:
    ok = verify_requirements("a.txt", ["webapp==1.0"], TARGET, index_url=index, cache_dir=str(tmp_path))
    assert (ok.failures, dict(ok.resolved)) == ([], {"webapp": "1.0", "nativedep": "1.1"})
    bad = verify_requirements(
        "b.txt", ["reporting==2.0", "nativedep==1.0"], TARGET, index_url=index, cache_dir=str(tmp_path)
    )
    assert bad.failures == [
        ("nativedep", "no wheel for linux/aarch64 (x86_64 has one)"),
        ("x86only", "no wheel for linux/aarch64 (x86_64 has one)"),
    ]
    assert dict(bad.resolved) == {"reporting": "2.0"} or bad.resolved == ()


def test_the_x86_64_control_resolves_the_same_set(index: str, tmp_path: Path) -> None:
    # what the emulated-import check compares before it calls a missing module "fails on x86_64 as well"
    ok = verify_requirements("a.txt", ["webapp==1.0"], TARGET, index_url=index, cache_dir=str(tmp_path))
    assert x86_64_control(ok, index_url=index, cache_dir=str(tmp_path)) == (("nativedep", "1.1"), ("webapp", "1.0"))
    marked = verify_requirements("m.txt", ["intelhelper==1.0"], TARGET, index_url=index, cache_dir=str(tmp_path))
    assert dict(marked.resolved) == {"intelhelper": "1.0"}  # the marker leaves x86only out on aarch64
    assert x86_64_control(marked, index_url=index, cache_dir=str(tmp_path)) == (
        ("intelhelper", "1.0"),
        ("x86only", "3.0"),
    )


def test_verify_command(
    index: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REPLATFORM_OFFLINE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    project = tmp_path / "svc"
    project.mkdir()
    (project / "requirements.txt").write_text("reporting==2.0\nwebapp==1.0\n-e .\n")
    # a python image on a closed loopback port: the target comes from its name, the registry check fails fast
    (project / "Dockerfile").write_text("FROM 127.0.0.1:9/library/python:3.11-slim\n")
    code = main(["verify", str(project), "--index-url", index])
    out = capsys.readouterr().out
    assert code == 1
    assert (
        "Python  requirements.txt  (CPython 3.11.16, linux/aarch64 glibc 2.41; target from "
        "127.0.0.1:9/library/python:3.11-slim is Debian 13 (trixie)" in out
    )
    assert "FAIL x86only: no wheel for linux/aarch64 (x86_64 has one)" in out
    assert "verdict: something does not install or run on linux/arm64" in out


def test_unreachable_index_is_not_a_verdict(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("webapp==1.0\n")
    options = RegistryOptions(index_url="http://127.0.0.1:9/simple", python="3.11", cache_dir=tmp_path / "c")
    report = verify(str(tmp_path), options)
    text = render_text(report)
    assert not report.failed
    assert "NOT VERIFIED an index could not be reached" in text
