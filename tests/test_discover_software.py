"""Dockerfiles, dependency manifests, runtimes, native sources and binaries."""

from __future__ import annotations

import io
import struct
import zipfile

from replatform.model import ComponentKind, Unknown

from .conftest import ScanFiles, attrs, of_kind

DOCKERFILE = """\
# syntax=docker/dockerfile:1
ARG PY=3.12
ARG REGISTRY
FROM --platform=$BUILDPLATFORM python:${PY}-slim AS build
RUN pip install \\
      --no-cache-dir \\
      numpy
RUN <<EOF
echo heredoc
EOF
FROM ${REGISTRY}/base:1 AS other
FROM build
ENV SHELL=/bin/bash
FROM --platform=linux/amd64 node:20
"""


def test_dockerfile_stages_args_aliases_and_platforms(scan_files: ScanFiles) -> None:
    report = scan_files(
        {"svc/Containerfile": DOCKERFILE, "a.Dockerfile": "FROM scratch\n", "Dockerfile.dev": "FROM alpine:3.20\n"}
    )
    stages = {(c.location.path, c.name): attrs(c) for c in of_kind(report, ComponentKind.DOCKERFILE_STAGE)}
    build = stages[("svc/Containerfile", "build")]
    assert build["base"] == "python:3.12-slim"
    assert build["platform"] == "$BUILDPLATFORM"
    assert build["run_instructions"] == 2
    assert stages[("svc/Containerfile", "other")]["base"] == Unknown("${REGISTRY}/base:1")
    assert stages[("svc/Containerfile", "stage-2")]["from_stage"] == "build"
    assert stages[("svc/Containerfile", "stage-3")]["platform"] == "linux/amd64"
    assert stages[("a.Dockerfile", "stage-0")]["from_stage"] == "scratch"
    images = sorted(c.name for c in of_kind(report, ComponentKind.CONTAINER_IMAGE))
    assert images == ["${REGISTRY}/base:1", "alpine:3.20", "node:20", "python:3.12-slim"]
    runtimes = sorted((c.name, c.location.line) for c in of_kind(report, ComponentKind.RUNTIME))
    assert runtimes == [("node 20", 14), ("python 3.12", 4)]


def test_dockerfile_instruction_spans() -> None:
    from replatform.discover.software.dockerfile import parse_dockerfile
    from replatform.discover.source import SourceFile

    source = SourceFile("Dockerfile", DOCKERFILE.encode())
    parsed = parse_dockerfile(source)
    run = parsed.stages[0].instructions[0]
    assert (run.keyword, run.location.line, run.location.end_line) == ("RUN", 5, 7)
    assert run.arguments == "pip install --no-cache-dir numpy"
    heredoc = parsed.stages[0].instructions[1]
    assert (heredoc.location.line, heredoc.location.end_line) == (8, 10)
    assert parsed.global_args == {"PY": "3.12", "REGISTRY": None}


def test_python_manifests(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "requirements.txt": "-r base.txt\n--index-url https://example.invalid/simple\n"
            "NumPy==1.18.5 ; python_version < '3.9'  # old\nrequests[socks]>=2.0\n"
            "torch==2.5.1 \\\n    --hash=sha256:abc\n",
            "base.txt": "not-a-requirements-file\n",
            "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.10"\ndependencies = [\n  "pandas>=2",\n]\n'
            '[tool.poetry.dependencies]\npython = "^3.11"\nscipy = "1.13.1"\n',
            "poetry.lock": '[[package]]\nname = "scipy"\nversion = "1.13.1"\n',
            "setup.py": "from setuptools import setup\nsetup(name='x', install_requires=['lxml>=4', 'six'], python_requires='>=3.8')\n",
            "setup.cfg": "[options]\ninstall_requires =\n    click==8.1.7\n",
            "Pipfile": '[packages]\nflask = "==3.0.0"\n[requires]\npython_version = "3.11"\n',
            ".python-version": "3.11.9\n",
        }
    )
    deps = {(c.location.path, c.name): attrs(c) for c in of_kind(report, ComponentKind.PACKAGE_DEPENDENCY)}
    assert deps[("requirements.txt", "numpy")]["version"] == "1.18.5"
    assert deps[("requirements.txt", "numpy")]["markers"] == 'python_version < "3.9"'
    assert deps[("requirements.txt", "requests")]["extras"] == ("socks",)
    assert deps[("requirements.txt", "torch")]["version"] == "2.5.1"
    assert ("base.txt", "not-a-requirements-file") in deps  # followed through -r, whatever its name
    assert deps[("pyproject.toml", "pandas")]["specifier"] == ">=2"
    assert deps[("pyproject.toml", "scipy")]["version"] == "1.13.1"
    assert deps[("poetry.lock", "scipy")]["locked"] is True
    assert deps[("setup.py", "lxml")]["specifier"] == ">=4"
    assert deps[("setup.cfg", "click")]["version"] == "8.1.7"
    assert deps[("Pipfile", "flask")]["version"] == "3.0.0"
    torch = next(c for c in of_kind(report, ComponentKind.PACKAGE_DEPENDENCY) if c.name == "torch")
    assert torch.location.line == 5
    runtimes = sorted((c.location.path, c.name) for c in of_kind(report, ComponentKind.RUNTIME))
    assert runtimes == [
        (".python-version", "python 3.11.9"),
        ("Pipfile", "python 3.11"),
        ("pyproject.toml", "python 3.10"),
        ("pyproject.toml", "python 3.11"),
        ("setup.py", "python 3.8"),
    ]


def test_requirement_includes_are_followed_once_and_stay_in_the_root(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "svc/requirements.txt": "-r ../common/base.in\n-c constraints/pins.cfg\n-r ../../outside.txt\n",
            "common/base.in": "-r ../svc/requirements.txt\nboto3==1.35.0\n",
            "svc/constraints/pins.cfg": "urllib3<2\n",
        }
    )
    deps = sorted((c.location.path, c.name) for c in of_kind(report, ComponentKind.PACKAGE_DEPENDENCY))
    assert deps == [("common/base.in", "boto3"), ("svc/constraints/pins.cfg", "urllib3")]


def test_node_manifests_and_locks(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "package.json": '{"dependencies": {"sharp": "0.32.6"}, "engines": {"node": "^18.17.0"}}',
            "package-lock.json": '{"lockfileVersion": 1, "dependencies": {"node-sass": {"version": "4.14.1",'
            ' "dependencies": {"nan": {"version": "2.14.0"}}}}}',
            "web/yarn.lock": '"@scope/pkg@^1.0.0", "@scope/pkg@^1.1.0":\n  version "1.2.3"\n\nleft-pad@1.3.0:\n  version "1.3.0"\n',
            "app/pnpm-lock.yaml": "lockfileVersion: '9.0'\npackages:\n  bcrypt@5.1.1:\n    resolution: {integrity: x}\n",
            ".nvmrc": "lts/iron\n",
        }
    )
    deps = {(c.location.path, c.name): attrs(c) for c in of_kind(report, ComponentKind.PACKAGE_DEPENDENCY)}
    assert deps[("package.json", "sharp")]["version"] == "0.32.6"
    assert deps[("package-lock.json", "nan")]["lock_path"] == "node_modules/node-sass/node_modules/nan"
    assert deps[("web/yarn.lock", "@scope/pkg")]["version"] == "1.2.3"
    assert deps[("web/yarn.lock", "left-pad")]["version"] == "1.3.0"
    assert deps[("app/pnpm-lock.yaml", "bcrypt")]["version"] == "5.1.1"
    runtimes = sorted((c.location.path, c.name) for c in of_kind(report, ComponentKind.RUNTIME))
    assert runtimes == [(".nvmrc", "node lts/iron"), ("package.json", "node 18.17")]


def test_java_go_rust_dotnet_ruby(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "build.gradle": "dependencies {\n  implementation 'io.netty:netty-transport-native-epoll:4.1.50.Final'\n"
            "  implementation group: 'org.rocksdb', name: 'rocksdbjni', version: '6.0.1'\n}\n"
            "java { toolchain { languageVersion = JavaLanguageVersion.of(17) } }\n",
            "go.mod": "module x\n\ngo 1.21\n\ntoolchain go1.22.4\n\nrequire golang.org/x/sys v0.20.0\n",
            "Cargo.toml": '[package]\nname = "x"\nrust-version = "1.74"\n[dependencies]\nring = "0.17"\n',
            "app.csproj": "<Project><PropertyGroup><TargetFramework>net8.0</TargetFramework>"
            "<RuntimeIdentifiers>win-x64;linux-x64</RuntimeIdentifiers></PropertyGroup>"
            '<ItemGroup><PackageReference Include="SkiaSharp" Version="2.88.8" /></ItemGroup></Project>',
            "Gemfile.lock": "GEM\n  specs:\n    nokogiri (1.16.5-x86_64-linux)\n\nRUBY VERSION\n   ruby 3.3.1p55\n",
        }
    )
    deps = {c.name: attrs(c) for c in of_kind(report, ComponentKind.PACKAGE_DEPENDENCY)}
    assert deps["io.netty:netty-transport-native-epoll"]["version"] == "4.1.50.Final"
    assert deps["org.rocksdb:rocksdbjni"]["version"] == "6.0.1"
    assert deps["golang.org/x/sys"]["version"] == "v0.20.0"
    assert deps["ring"]["specifier"] == "0.17"
    assert deps["SkiaSharp"]["version"] == "2.88.8"
    assert deps["nokogiri"] == {"ecosystem": "rubygems", "version": "1.16.5", "platform": "x86_64-linux"}
    runtimes = sorted(c.name for c in of_kind(report, ComponentKind.RUNTIME))
    assert runtimes == [
        "dotnet 8.0",
        "dotnet rids win-x64;linux-x64",
        "go 1.21",
        "go 1.22.4",
        "java 17",
        "ruby 3.3.1",
        "rust 1.74",
    ]


def _elf(machine: int) -> bytes:
    header = bytearray(64)
    header[:4] = b"\x7fELF"
    header[4], header[5] = 2, 1  # 64-bit, little-endian
    header[18:20] = struct.pack("<H", machine)
    return bytes(header)


def test_binaries_and_archives(scan_files: ScanFiles) -> None:
    jar = io.BytesIO()
    with zipfile.ZipFile(jar, "w") as archive:
        archive.writestr("META-INF/native/libnetty_transport_native_epoll_x86_64.so", _elf(62))
        archive.writestr("com/example/A.class", b"\xca\xfe\xba\xbe\x00\x00\x00\x34")
    pe = bytearray(256)
    pe[:2] = b"MZ"
    pe[60:64] = struct.pack("<I", 128)
    pe[128:132] = b"PE\0\0"
    pe[132:134] = struct.pack("<H", 0xAA64)
    report = scan_files(
        {
            "bin/tool": _elf(62),
            "bin/tool-arm64": _elf(183),
            "lib/x.dll": bytes(pe),
            "lib/netty.jar": jar.getvalue(),
            "lib/broken.jar": b"not a zip",
            "README": b"plain text",
        }
    )
    binaries = {c.name: attrs(c) for c in of_kind(report, ComponentKind.BINARY)}
    assert binaries["bin/tool"] == {"format": "elf", "machine": "x86_64"}
    assert binaries["bin/tool-arm64"]["machine"] == "aarch64"
    assert binaries["lib/x.dll"] == {"format": "pe", "machine": "arm64"}
    assert binaries["lib/netty.jar"]["native_libraries"] == (
        "META-INF/native/libnetty_transport_native_epoll_x86_64.so:x86_64",
    )
    assert [f.location.path for f in report.findings if f.rule_id == "parse-error"] == ["lib/broken.jar"]
    assert "README" not in binaries


def test_native_sources_and_build_files(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "src/a.c": "int main(void){return 0;}\n",
            "src/k.cu": "__global__ void k(){}\n",
            "src/s.S": ".globl f\n",
            "src/m.f90": "program m\nend program\n",
            "CMakeLists.txt": "project(x C)\n",
            "config.guess": "#!/bin/sh\necho x86_64-pc-linux-gnu\n",
        }
    )
    sources = {c.name: attrs(c) for c in of_kind(report, ComponentKind.SOURCE_FILE)}
    assert sources["src/a.c"]["language"] == "c"
    assert sources["src/k.cu"]["language"] == "cuda"
    assert sources["src/s.S"]["language"] == "asm"
    assert sources["src/m.f90"]["language"] == "fortran"
    assert sources["CMakeLists.txt"]["build_system"] == "cmake"
    assert sources["config.guess"]["mentions_aarch64"] is False
