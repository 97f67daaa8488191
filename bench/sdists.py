"""Download PyPI source distributions once into ``bench/.cache`` (ignored by git) and unpack them.

Uses the PEP 691 JSON of the index pip is configured with: a plain download,
nothing is built or run. `fetch` also returns the name of a manylinux aarch64
wheel of the same release when one exists: the proof that the project's C/C++
and assembly build on arm64.
"""

from __future__ import annotations

import json
import os
import tarfile
import urllib.request
import zipfile
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"


def index_url() -> str:
    """The index pip is configured with (PIP_INDEX_URL), else pip's default."""
    configured = os.environ.get("PIP_INDEX_URL")
    if configured:
        return configured
    from pip._internal.models.index import PyPI

    return str(PyPI.simple_url)


def _files(package: str) -> list[dict[str, object]]:
    request = urllib.request.Request(
        f"{index_url().rstrip('/')}/{package}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        files: list[dict[str, object]] = json.load(response)["files"]
    return files


def _normalised(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def _root(target: Path) -> Path:
    """The unpacked project folder (sdists hold one top-level folder)."""
    children = [p for p in target.iterdir() if p.is_dir()]
    return children[0] if len(children) == 1 else target


def fetch(requirement: str) -> tuple[Path, str | None]:
    """Unpacked sdist of ``name==version`` and a manylinux aarch64 wheel of that release (cached)."""
    package, version = requirement.split("==")
    target = CACHE / f"{package}-{version}"
    proof = CACHE / f"{package}-{version}.aarch64-wheel"
    if target.exists() and proof.exists():
        wheel = proof.read_text().strip()
        return _root(target), wheel or None
    CACHE.mkdir(parents=True, exist_ok=True)
    files = _files(package)
    prefix = f"{_normalised(package)}-{version}"
    sdist = next(
        f
        for f in files
        if _normalised(str(f["filename"])).startswith(_normalised(prefix))
        and str(f["filename"]).endswith((".tar.gz", ".zip"))
    )
    wheels = sorted(
        str(f["filename"])
        for f in files
        if str(f["filename"]).endswith(".whl")
        and f"-{version}-" in str(f["filename"])
        and "manylinux" in str(f["filename"])
        and "aarch64" in str(f["filename"])
    )
    archive = CACHE / str(sdist["filename"])
    if not archive.exists():
        urllib.request.urlretrieve(str(sdist["url"]), archive)
    if not target.exists():
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as bundle:
                bundle.extractall(target)
        else:
            with tarfile.open(archive) as tar:
                tar.extractall(target, filter="data")
    proof.write_text(wheels[0] if wheels else "")
    return _root(target), wheels[0] if wheels else None
