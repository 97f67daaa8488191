"""Time discovery over real source trees (numpy and grpcio sdists from PyPI).

The sdists are downloaded once from PyPI's JSON API (no build, no code run) and unpacked
into bench/.cache. Each tree is scanned several times; we report the best wall
time, files, bytes and peak RSS, plus the ratio against a baseline measured in
the same run: a plain os.walk that reads every file (the cost of I/O alone).

    python bench/discovery.py            # defaults: numpy==2.1.3 grpcio==1.68.1
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

from replatform import api

CACHE = Path(__file__).resolve().parent / ".cache"
DEFAULT = ["numpy==2.1.3", "grpcio==1.68.1"]


def index_url() -> str:
    """The index pip is configured with (PIP_INDEX_URL), else pip's default."""
    configured = os.environ.get("PIP_INDEX_URL")
    if configured:
        return configured
    from pip._internal.models.index import PyPI

    return str(PyPI.simple_url)


def fetch(requirement: str) -> Path:
    """Download and unpack one sdist (cached)."""
    name = requirement.replace("==", "-")
    target = CACHE / name
    if target.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    package, version = requirement.split("==")
    # PEP 691 JSON from the index pip uses: a plain download, nothing is built or run.
    request = urllib.request.Request(
        f"{index_url().rstrip('/')}/{package}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        files = json.load(response)["files"]
    wanted = f"{package}-{version}.tar.gz"
    url = next(f["url"] for f in files if f["filename"] == wanted)
    archive = CACHE / wanted
    urllib.request.urlretrieve(url, archive)
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target


def baseline(root: Path) -> tuple[int, int, float]:
    """Files, bytes and seconds to walk and read everything (I/O floor)."""
    start = time.perf_counter()
    files = size = 0
    for directory, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as handle:
                    size += len(handle.read())
                files += 1
    return files, size, time.perf_counter() - start


def measure(root: Path, repeat: int) -> tuple[float, int, int]:
    """Best wall time of ``repeat`` scans, components and files read."""
    best = float("inf")
    report = None
    for _ in range(repeat):
        start = time.perf_counter()
        report = api.scan(str(root), use_gitignore=False)
        best = min(best, time.perf_counter() - start)
    assert report is not None
    return best, len(report.components), report.files_scanned


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("requirements", nargs="*", default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'tree':<22} {'files':>7} {'MB':>7} {'read-all s':>10} {'scan s':>8} {'ratio':>6} {'parsed':>7} {'components':>10}"
    )
    for requirement in args.requirements:
        root = fetch(requirement)
        files, size, io_seconds = baseline(root)
        io_best = min(io_seconds, baseline(root)[2])
        seconds, components, parsed = measure(root, args.repeat)
        print(
            f"{requirement:<22} {files:>7} {size / 1e6:>7.1f} {io_best:>10.3f} {seconds:>8.3f} "
            f"{seconds / io_best:>6.1f} {parsed:>7} {components:>10}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB; cpu count {os.cpu_count()}; python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
