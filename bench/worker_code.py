"""The worker-code analysers on code we did not write: servers and job runners that handle SIGTERM.

Each corpus is downloaded once into bench/.cache (PyPI sdists through the index
pip uses; npm tarballs with `npm pack`), nothing is built or run. For every
Python / JavaScript / TypeScript source the tree-sitter analyser
(`replatform.assess.worker`) reports SIGTERM handlers and SQS receive calls;
the baseline is a plain text search for "SIGTERM" (what a regex checker would
see). A file that mentions SIGTERM without a handler found is listed with
--list so each miss can be judged by hand (a mention is not always a handler:
docs, kill calls, constants).

    python bench/worker_code.py [--list]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from discovery import CACHE, fetch

from replatform.assess.worker import node_code, python_code
from replatform.discover.source import SourceFile

PYPI = [
    "gunicorn==27.0.1",
    "uvicorn==0.54.0",
    "hypercorn==0.18.0",
    "celery==5.7.0",
    "rq==2.12.0",
    "dramatiq==2.2.1",
    "huey==3.5.4",
]
NPM = ["sqs-consumer@15.0.3", "pm2@7.0.4"]
NODE_SUFFIXES = (".js", ".mjs", ".cjs", ".ts")


def npm_fetch(spec: str) -> Path:
    """``npm pack`` one package into the cache and unpack it (nothing installed or run)."""
    target = CACHE / spec.replace("@", "-").replace("/", "-")
    if target.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    name = (
        subprocess.run(
            ["npm", "pack", "--silent", "--ignore-scripts", "--pack-destination", str(CACHE), spec],
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    with tarfile.open(CACHE / name) as tar:
        tar.extractall(target, filter="data")
    return target


def sources(root: Path, python: bool) -> list[Path]:
    if python:
        return sorted(p for p in root.rglob("*.py") if p.is_file())
    return sorted(
        p for p in root.rglob("*") if p.is_file() and p.suffix in NODE_SUFFIXES and not p.name.endswith(".d.ts")
    )


def measure(name: str, root: Path, python: bool, misses: list[str]) -> None:
    files = sources(root, python)
    analyse = python_code.analyse if python else node_code.analyse
    started = time.perf_counter()
    blobs = [(path, path.read_bytes()) for path in files]
    read = time.perf_counter() - started
    mention = handled = receives = errors = 0
    started = time.perf_counter()
    for path, data in blobs:
        facts = analyse(SourceFile(path.relative_to(root).as_posix(), data))
        mentions = b"SIGTERM" in data
        mention += mentions
        handled += bool(facts.sigterm)
        receives += len(facts.receives)
        errors += bool(facts.parse_errors)
        if mentions and not facts.sigterm:
            misses.append(f"{name}  {path.relative_to(root)}  mentions SIGTERM, no handler found")
        for where, how in facts.sigterm:
            misses.append(f"{name}  {where.short()}  handler: {how}")
    parsed = time.perf_counter() - started
    print(f"{name:<22} {len(files):>6} {mention:>9} {handled:>8} {receives:>8} {errors:>7} {read:>7.3f} {parsed:>8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", action="store_true", help="list every handler found and every unexplained mention")
    args = parser.parse_args()
    print(
        f"{'corpus':<22} {'files':>6} {'SIGTERM?':>9} {'handler':>8} {'receive':>8} {'parse!':>7} {'read s':>7} {'parse s':>8}"
    )
    lines: list[str] = []
    for requirement in PYPI:
        measure(requirement, fetch(requirement), True, lines)
    for spec in NPM:
        measure(spec, npm_fetch(spec), False, lines)
    if args.list:
        print()
        print("\n".join(lines))


if __name__ == "__main__":
    main()
