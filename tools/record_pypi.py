"""Record a project's PEP 691 file list from PyPI for the tests' local index (tests/data/pypi/).

Keeps what a linux/aarch64 verdict reads, from a lowest version on: source
distributions, pure-Python wheels and linux aarch64 wheels (filename,
requires-python, yanked), one file per line. Everything else (Windows, macOS,
x86_64, hashes, sizes) is dropped to keep the recording small; the verdicts and
first arm64-ready versions it gives are the ones the full index gives.

    python tools/record_pypi.py numpy 1.18.5 > tests/data/pypi/numpy.json
"""

from __future__ import annotations

import json
import sys
import urllib.request

from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename
from packaging.version import InvalidVersion, Version


def _kept(filename: str, lowest: Version) -> bool:
    try:
        if filename.endswith(".whl"):
            _name, version, _build, tags = parse_wheel_filename(filename)
            wanted = any(t.platform == "any" or ("linux" in t.platform and "aarch64" in t.platform) for t in tags)
        else:
            _name, version = parse_sdist_filename(filename)
            wanted = True
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return False
    return wanted and version >= lowest and not version.is_prerelease


def record(project: str, lowest: str) -> str:
    request = urllib.request.Request(
        f"https://pypi.org/simple/{project}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        data = json.load(response)
    files = [
        {
            "filename": f["filename"],
            "requires-python": f.get("requires-python"),
            "url": f["filename"],
            "yanked": bool(f.get("yanked")),
        }
        for f in data["files"]
        if _kept(f["filename"], Version(lowest))
    ]
    lines = ",\n".join("  " + json.dumps(f, sort_keys=True) for f in files)
    return f'{{"meta": {{"api-version": "1.1"}}, "name": "{project}", "files": [\n{lines}\n]}}\n'


if __name__ == "__main__":
    sys.stdout.write(record(sys.argv[1], sys.argv[2]))
