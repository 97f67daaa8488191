"""Precision corpus: PyPI sdists that vendor C/C++/assembly SIMD code and ship manylinux aarch64 wheels.

    python bench/precision.py                # every tree, a summary table and each remaining finding
    python bench/precision.py --held-out     # only the trees the heuristics were not tuned on

An aarch64 wheel on PyPI proves the project's native code builds for arm64, so
every blocker replatform reports on these trees is a false one: the goal is
0 blockers on every tree. Warnings (code in tests, examples and benchmarks; x86
code in macros a file does not expand; ctypes/JNI/DllImport notes) are listed
one per line for review, with the verdicts kept in bench/README.md.

Sdists are downloaded once into bench/.cache (ignored by git) from the PEP 691
JSON of the index pip uses; nothing is built or run. Exit status 1 when any
tree has a blocker.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from sdists import fetch

from replatform import api
from replatform.model import ComponentKind, Severity

# (requirement, role): "tuned" trees were looked at while writing the heuristics, "held-out" ones were not.
CORPUS: list[tuple[str, str]] = [
    ("numpy==2.1.3", "tuned"),
    ("grpcio==1.68.1", "tuned"),
    ("xxhash==4.1.0", "tuned"),
    ("zstandard==0.25.0", "tuned"),
    ("lz4==4.4.5", "tuned"),
    ("pysimdjson==7.0.2", "tuned"),
    ("pybase64==1.5.1", "tuned"),
    ("pynacl==1.6.2", "tuned"),
    ("argon2-cffi-bindings==26.2.0", "tuned"),
    ("pyroaring==1.2.0", "tuned"),
    ("isal==1.9.1", "tuned"),
    ("zlib-ng==1.1.0", "tuned"),
    ("crc32c==2.9.post0", "tuned"),
    ("stringzilla==5.3.2", "tuned"),
    ("simsimd==6.5.8", "tuned"),
    ("blosc2==4.9.1", "tuned"),
    ("pycryptodome==4.4.0", "held-out"),
    ("python-rapidjson==1.9", "held-out"),
    ("rapidfuzz==3.9.7", "held-out"),
    ("pyzstd==0.18.0", "held-out"),
    ("scrypt==0.9.4", "held-out"),
    ("mmh3==5.3.1", "held-out"),
    ("deflate==0.9.0", "held-out"),
    ("numcodecs==0.17.1", "held-out"),
    ("blis==1.3.4", "held-out"),
    ("clickhouse-cityhash==1.0.2.6", "held-out"),
    ("grpcio-tools==1.85.1", "held-out"),
    ("pandas==3.1.1", "held-out"),
    ("lightgbm==4.7.0", "held-out"),
]
_NATIVE = ("c", "cpp", "cuda", "asm")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("requirements", nargs="*", help="name==version (default: the corpus)")
    parser.add_argument("--held-out", action="store_true", help="only the trees not used for tuning")
    args = parser.parse_args()
    corpus = [(r, "given") for r in args.requirements] or [
        (r, role) for r, role in CORPUS if not args.held_out or role == "held-out"
    ]
    print("| tree | role | aarch64 wheel (proof) | native files | blockers | warnings | already ported | s |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    remaining: list[str] = []
    failed = False
    for requirement, role in corpus:
        root, wheel = fetch(requirement)
        start = time.perf_counter()
        report = api.scan(str(root))  # no registry: the knowledge base only
        seconds = time.perf_counter() - start
        native = sum(
            1 for c in report.components if c.kind is ComponentKind.SOURCE_FILE and c.get("language") in _NATIVE
        )
        severities = Counter(f.severity for f in report.findings)
        ported = sum(1 for f in report.findings if f.rule_id == "c-x86-code-already-ported")
        failed = failed or severities[Severity.BLOCKER] > 0
        print(
            f"| {requirement.replace('==', ' ')} | {role} | {wheel or 'none found'} | {native} "
            f"| {severities[Severity.BLOCKER]} | {severities[Severity.WARNING]} | {ported} | {seconds:.2f} |",
            flush=True,
        )
        for finding in report.findings:
            if finding.severity in (Severity.BLOCKER, Severity.WARNING):
                remaining.append(
                    f"- {requirement.split('==')[0]}: {finding.severity.value} {finding.rule_id} "
                    f"`{finding.location.path}:{finding.location.line}` {finding.message}"
                )
    print("\nRemaining blockers and warnings:\n" + ("\n".join(remaining) if remaining else "(none)"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
