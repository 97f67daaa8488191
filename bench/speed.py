"""Whole-process `replatform scan --offline` against `rg -j1` over the same trees, measured in the same run.

    python bench/speed.py                    # numpy and grpcio sdists, plus numpy x4
    python bench/speed.py --repeat 7 numpy==2.1.3

For each tree the two commands run in turn (A B A B ...), each as its own
process, so start-up, imports and output are included and machine drift hits
both alike. ripgrep searches the same files (it honours the same .gitignore:
``--no-require-git``; ``--hidden`` for dot-folders such as .github; ``--no-unicode``
for ASCII word boundaries, as replatform's engine has, and rg's fast path) for the
x86 markers the native rules look for: `PREFILTER_PATTERN`, the same regex
replatform's C/C++ prefilter runs, plus the build-flag and Dockerfile markers.
Reported: median wall seconds of each, the median of the per-pair ratios, and
each command's peak RSS (GNU time's figure for the command alone; without
/usr/bin/time, the kernel's accounting of the finished child, an upper bound).

The ``x4`` row scans four hard-linked copies of the numpy tree: time should
grow about linearly and peak memory should not grow with the files already
scanned (the run keeps facts about files, never their contents).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sdists import CACHE, fetch

from replatform.assess.native.sources import PREFILTER_PATTERN

RG_PATTERN = (
    PREFILTER_PATTERN
    + r"|-m(?:avx|sse|fma|bmi|f16c|popcnt|pclmul|arch=|tune=)|-l(?:mkl|iomp5|ipp)|amd64|x86_64"
    + r"|System\.loadLibrary|ctypes|DllImport"
)
DEFAULT = ["numpy==2.1.3", "grpcio==1.68.1"]


#: GNU time reports the peak of the command alone. A child of this (Python, ~30 MiB) process would carry
#: this process's pages into its own peak until it execs, so ``wait4``'s figure is only an upper bound.
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


#: As an installed tool runs: with its bytecode cache (pip compiles it at install time; a PYTHONDONTWRITEBYTECODE
#: in the benchmark's environment would otherwise make every run compile every module again).
ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def run(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one process."""
    with tempfile.NamedTemporaryFile("r") as peak:
        wrapped = [GNU_TIME, "-f", "%M", "-o", peak.name, *command] if GNU_TIME else command
        start = time.perf_counter()
        process = subprocess.Popen(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENVIRONMENT)
        _, _, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = 0
        kib = int(peak.read().split()[-1]) if GNU_TIME else usage.ru_maxrss
    return seconds, kib / 1024


def copies(root: Path, count: int) -> Path:
    """A tree holding ``count`` hard-linked copies of ``root`` (made once)."""
    target = CACHE / f"{root.parent.name}-x{count}"
    if not target.exists():
        target.mkdir()
        for index in range(count):
            shutil.copytree(root, target / f"copy{index}", copy_function=os.link)
    return target


def tree_size(root: Path) -> tuple[int, float]:
    files = size = 0
    for directory, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            if not os.path.islink(path):
                files += 1
                size += os.path.getsize(path)
    return files, size / 1e6


def measure(label: str, root: Path, repeat: int) -> None:
    rg = shutil.which("rg")
    if rg is None:
        sys.exit("ripgrep (rg) is needed: apt-get install ripgrep")
    replatform = [sys.executable, "-m", "replatform", "scan", "--offline", str(root)]  # stdout is discarded
    ripgrep = [rg, "-j1", "--hidden", "--no-require-git", "--no-unicode", "-c", "-e", RG_PATTERN, str(root)]
    run(replatform)  # warm the page cache and Python's bytecode cache
    run(ripgrep)
    ours: list[tuple[float, float]] = []
    theirs: list[tuple[float, float]] = []
    for _ in range(repeat):
        ours.append(run(replatform))
        theirs.append(run(ripgrep))
    ratios = [a[0] / b[0] for a, b in zip(ours, theirs, strict=True)]
    files, megabytes = tree_size(root)
    print(
        f"| {label} | {files:,} | {megabytes:.1f} | {statistics.median(t for t, _ in theirs):.3f} "
        f"| {statistics.median(t for t, _ in ours):.3f} | {statistics.median(ratios):.1f} "
        f"| {max(m for _, m in ours):.0f} | {max(m for _, m in theirs):.0f} |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("requirements", nargs="*", default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-scaling", action="store_true", help="skip the numpy x4 row")
    args = parser.parse_args()
    print("| tree | files | MB | rg -j1 s | replatform s | ratio | replatform peak MiB | rg peak MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for requirement in args.requirements:
        root, _ = fetch(requirement)
        measure(f"{requirement.replace('==', ' ')} sdist", root, args.repeat)
    if not args.no_scaling:
        root, _ = fetch("numpy==2.1.3")
        measure("numpy 2.1.3 x4", copies(root, 4), max(3, args.repeat // 2))
    print(f"\n{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, medians")


if __name__ == "__main__":
    main()
