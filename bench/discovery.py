"""Time discovery and assessment over real source trees (numpy and grpcio sdists from PyPI).

The sdists are downloaded once from PyPI's JSON API (no build, no code run) and unpacked
into bench/.cache. Each tree is scanned several times; we report the best wall
time, files, bytes and peak RSS, plus the ratio against a baseline measured in
the same run: a plain os.walk that reads every file (the cost of I/O alone).

    python bench/discovery.py            # defaults: numpy==2.1.3 grpcio==1.68.1
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import sdists
from speed import RG_PATTERN

from replatform import api
from replatform.assess.engine import assess
from replatform.config import Config

DEFAULT = ["numpy==2.1.3", "grpcio==1.68.1"]


def fetch(requirement: str) -> Path:
    """The folder holding one unpacked sdist (downloaded once, see sdists.py)."""
    sdists.fetch(requirement)
    return sdists.CACHE / requirement.replace("==", "-")


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
    """Best wall time of ``repeat`` discoveries, components and files read."""
    best = float("inf")
    report = None
    for _ in range(repeat):
        start = time.perf_counter()
        report = api.inventory(str(root), use_gitignore=False)
        best = min(best, time.perf_counter() - start)
    assert report is not None
    return best, len(report.components), report.files_scanned


def measure_assess(root: Path, repeat: int) -> tuple[float, int]:
    """Best wall time of assessment alone (discovery done once beforehand), and findings."""
    inventory = api.inventory(str(root), use_gitignore=False)
    best = float("inf")
    findings = 0
    for _ in range(repeat):
        start = time.perf_counter()
        report = assess(str(root), inventory, Config())
        best = min(best, time.perf_counter() - start)
        findings = len(report.findings)
    return best, findings


def ripgrep(root: Path, repeat: int) -> float | None:
    """Best wall time of ``rg -j1`` over the tree with the comparable pattern set."""
    rg = shutil.which("rg")
    if rg is None:
        return None
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            [rg, "-j1", "--no-ignore", "--hidden", "--no-unicode", "-c", "-e", RG_PATTERN, str(root)],
            capture_output=True,
            check=False,
        )
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("requirements", nargs="*", default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'tree':<22} {'files':>7} {'MB':>7} {'read-all s':>10} {'discover s':>10} {'ratio':>6} {'parsed':>7} {'components':>10}"
    )
    discovered: dict[str, float] = {}
    for requirement in args.requirements:
        root = fetch(requirement)
        files, size, io_seconds = baseline(root)
        io_best = min(io_seconds, baseline(root)[2])
        seconds, components, parsed = measure(root, args.repeat)
        discovered[requirement] = seconds
        print(
            f"{requirement:<22} {files:>7} {size / 1e6:>7.1f} {io_best:>10.3f} {seconds:>10.3f} "
            f"{seconds / io_best:>6.1f} {parsed:>7} {components:>10}"
        )
    print()
    print(f"{'tree':<22} {'assess s':>9} {'findings':>9} {'rg -j1 s':>9} {'ratio':>6} {'scan total s':>13}")
    for requirement in args.requirements:
        root = fetch(requirement)
        assess_seconds, findings = measure_assess(root, args.repeat)
        rg_seconds = ripgrep(root, args.repeat)
        discover_seconds = discovered[requirement]
        ratio = f"{assess_seconds / rg_seconds:>6.1f}" if rg_seconds else f"{'-':>6}"
        rg_text = f"{rg_seconds:>9.3f}" if rg_seconds else f"{'-':>9}"
        print(
            f"{requirement:<22} {assess_seconds:>9.3f} {findings:>9} {rg_text} {ratio} "
            f"{discover_seconds + assess_seconds:>13.3f}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB; cpu count {os.cpu_count()}; python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
