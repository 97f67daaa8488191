"""Time the registry client: 100 pinned popular packages, cold and warm cache, old client vs new, same run.

The old client is the one main had before the hardening (urllib per request,
hex-in-JSON cache, every file name parsed per version); its two modules are
taken from git (``--old-ref``) and loaded under another package name, so both
run in this process against the same index, in alternating order. Each
package is judged for CPython 3.11 on linux/aarch64 glibc 2.26 with 8 worker
threads, as ``replatform scan`` does. Needs the network (the index pip uses).

    python bench/registry.py [--old-ref 13cc5a3] [--rounds 2]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from replatform.registry import http as new_http
from replatform.registry import pypi as new_pypi
from replatform.registry.target import Target

HERE = Path(__file__).resolve().parent
PACKAGES = HERE / "popular-100.txt"
TARGET = Target(python="3.11", libc="glibc", libc_version="2.26")


def _old_modules(ref: str) -> tuple[Any, Any]:
    """The old http.py and pypi.py from git, importable as ``oldregistry.http`` / ``oldregistry.pypi``."""
    package = types.ModuleType("oldregistry")
    package.__path__ = []
    sys.modules["oldregistry"] = package
    loaded = []
    for name in ("http", "pypi"):
        source = subprocess.run(
            ["git", "show", f"{ref}:src/replatform/registry/{name}.py"],
            cwd=HERE.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.replace("replatform.registry.http", "oldregistry.http")
        spec = importlib.util.spec_from_loader(f"oldregistry.{name}", loader=None)
        assert spec is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[f"oldregistry.{name}"] = module
        exec(compile(source, f"{ref}:{name}.py", "exec"), module.__dict__)
        loaded.append(module)
    return loaded[0], loaded[1]


def _pins() -> list[tuple[str, str]]:
    pins = []
    for line in PACKAGES.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins.append((name, version))
    return pins


def _run(judge: Callable[..., Any], fetcher: Any, index: str, pins: list[tuple[str, str]]) -> tuple[float, list[str]]:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        verdicts = list(pool.map(lambda pin: judge(pin[0], pin[1], None, TARGET, fetcher, index), pins))
    return time.perf_counter() - started, [str(v.verdict.value) for v in verdicts]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old-ref", default="13cc5a3", help="git revision holding the old client")
    parser.add_argument("--rounds", type=int, default=2, help="cold+warm rounds per client (best is reported)")
    args = parser.parse_args()
    old_http, old_pypi = _old_modules(args.old_ref)
    index = new_pypi.default_index_url() or "https://pypi.org/simple"
    pins = _pins()
    results: dict[str, dict[str, list[float]]] = {"old": {"cold": [], "warm": []}, "new": {"cold": [], "warm": []}}
    answers: dict[str, list[str]] = {}
    for round_number in range(args.rounds):
        order = ("old", "new") if round_number % 2 == 0 else ("new", "old")
        for client in order:
            with tempfile.TemporaryDirectory(prefix=f"bench-{client}-") as cache:
                http_module, pypi_module = (old_http, old_pypi) if client == "old" else (new_http, new_pypi)
                for phase in ("cold", "warm"):
                    fetcher = http_module.Fetcher(cache_dir=Path(cache))
                    seconds, verdicts = _run(pypi_module.judge, fetcher, index, pins)
                    results[client][phase].append(seconds)
                    answers.setdefault(client, verdicts)
                    print(f"round {round_number + 1} {client:3} {phase}: {seconds:6.2f} s", file=sys.stderr)
    agree = sum(1 for a, b in zip(answers["old"], answers["new"], strict=True) if a == b)
    print(f"{len(pins)} packages from {index}; CPython 3.11 linux/aarch64 glibc 2.26; 8 threads; best of {args.rounds}")
    print("| client | cold s | warm s |")
    print("|---|---:|---:|")
    for client in ("old", "new"):
        print(f"| {client} | {min(results[client]['cold']):.2f} | {min(results[client]['warm']):.2f} |")
    print(f"verdicts identical for {agree} of {len(pins)} packages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
