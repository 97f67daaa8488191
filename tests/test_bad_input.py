"""Bad input never crashes a scan: a broken file becomes a parse-error finding with its line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from replatform import api
from replatform.discover.formats import Format, classify
from replatform.model import ComponentKind

from .conftest import ScanFiles, of_kind

BROKEN = {
    "main.tf": ('resource "aws_instance" "a" {\n  instance_type = "t3.micro"\n  ami = \n}\n', 3),
    "vars.tf.json": ('{"variable": {\n  "x": \n}', 2),
    "template.yaml": ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  A: [unclosed\n", 4),
    "stack.json": ('{"AWSTemplateFormatVersion": "2010-09-09",\n  "Resources": {,}\n}', 2),
    "package.json": ('{\n  "dependencies": {\n    "sharp": \n  }\n}', 3),
    "package-lock.json": ('{"lockfileVersion": 3,\n "packages": [}', 2),
    "pnpm-lock.yaml": ("packages:\n  a@1.0.0: {\n", 3),
    "pom.xml": ("<project>\n  <dependencies>\n    <dependency>\n  </dependencies>\n</project>\n", 4),
    "app.csproj": ("<Project>\n<ItemGroup>\n</Project>\n", 3),
    "pyproject.toml": ('[project]\nname = "x"\ndependencies = [\n', 4),
    "Pipfile": ("[packages\n", 1),
    "poetry.lock": ("[[package]]\nname = \n", 2),
    "Cargo.toml": ("[dependencies\n", 1),
    "setup.cfg": ("install_requires = x\n", 1),
    "requirements.txt": ("numpy==1.18.5\nthis is not a requirement!!\n", 2),
    "go.mod": ("module x\ngo 1.21\nfrobnicate everything\n", 3),
    "Dockerfile": ("# only a comment\n", 1),
    ".gitlab-ci.yml": ("build:\n  script:\n    - docker build .\n  - bad\n", 4),
    "lib/archive.jar": ("PK\x03\x04 truncated", 1),
    "infra/stack.ts": ("import * as cdk from 'aws-cdk-lib';\nnew lambda.Function(this, 'F', { memorySize: 128,\n", 2),
    "infra/stack.py": ("from aws_cdk import aws_lambda\naws_lambda.Function(self, 'F', memory_size=128\n", 2),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_file_becomes_a_parse_error_finding(name: str, scan_files: ScanFiles) -> None:
    content, line = BROKEN[name]
    report = scan_files({name: content, "requirements-ok.txt": "requests==2.32.3\n"})
    errors = [f for f in report.findings if f.rule_id == "parse-error"]
    assert [(f.location.path, f.location.line) for f in errors] == [(name, line)]
    assert errors[0].severity.value == "warning"
    # the rest of the repository is still scanned
    assert any(c.name == "requests" for c in of_kind(report, ComponentKind.PACKAGE_DEPENDENCY))


def test_terraform_keeps_what_parsed_around_an_error(scan_files: ScanFiles) -> None:
    good = 'resource "aws_instance" "b" { instance_type = "m5.large" }\n'
    report = scan_files({"main.tf": good + BROKEN["main.tf"][0]})
    assert "aws_instance.b" in {c.name for c in of_kind(report, ComponentKind.EC2_INSTANCE)}


def test_non_utf8_and_huge_and_symlink_loops(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_bytes(b"caf\xe9==1.0\nnumpy==1.26.4\n")
    (tmp_path / "big").mkdir()
    with open(tmp_path / "big" / "package-lock.json", "wb") as handle:
        handle.truncate(17 * 1024 * 1024)
    (tmp_path / "loop").mkdir()
    os.symlink(tmp_path / "loop", tmp_path / "loop" / "again")
    os.symlink(tmp_path.parent, tmp_path / "outside")
    os.symlink(tmp_path / "missing", tmp_path / "dangling")
    report = api.inventory(str(tmp_path))
    names = {c.name for c in of_kind(report, ComponentKind.PACKAGE_DEPENDENCY)}
    assert "numpy" in names
    assert [(f.rule_id, f.location.path) for f in report.findings if f.rule_id != "parse-error"] == [
        ("file-too-large", "big/package-lock.json")
    ]
    # a link out of the root is never followed, and is listed (as a dangling one is)
    assert [(e.path, e.message) for e in report.errors] == [
        ("dangling", "unreadable: No such file or directory"),
        ("outside", "symlink to outside the repository; not followed"),
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files without permission")
def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("numpy\n")
    path.chmod(0)
    report = api.scan(str(tmp_path))
    assert [e.path for e in report.errors] == ["requirements.txt"]


FILE_NAMES = sorted(
    {
        "main.tf",
        "x.tf.json",
        "a.tfvars",
        "Dockerfile",
        "Containerfile",
        "template.yaml",
        "stack.json",
        "taskdef.json",
        "package.json",
        "package-lock.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "requirements.txt",
        "pyproject.toml",
        "Pipfile",
        "Pipfile.lock",
        "poetry.lock",
        "uv.lock",
        "setup.cfg",
        "setup.py",
        "pom.xml",
        "build.gradle",
        "go.mod",
        "Cargo.toml",
        "Cargo.lock",
        "app.csproj",
        "Gemfile.lock",
        ".nvmrc",
        ".python-version",
        "stack.ts",
        "stack.py",
        "a.c",
        "Makefile",
        "lib.jar",
        "tool",
        "serverless.yml",
        "docker-compose.yml",
        ".gitlab-ci.yml",
        "buildspec.yml",
        "k8s.yaml",
        ".tool-versions",
        "x.template",
        "build.sh",
    }
)


def test_every_format_is_covered_by_the_property_test() -> None:
    covered = {classify(name) for name in FILE_NAMES}
    assert covered >= set(Format)


PREFIXES = [
    b"",
    b"AWSTemplateFormatVersion: x\nResources:\n",
    b'{"containerDefinitions": ',
    b"aws-cdk aws_cdk ",
    b"\x7fELF",
    b"PK\x03\x04",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(FILE_NAMES), prefix=st.sampled_from(PREFIXES), data=st.binary(max_size=400))
def test_discovery_never_raises(tmp_path: Path, name: str, prefix: bytes, data: bytes) -> None:
    root = tmp_path / "repo"
    root.mkdir(exist_ok=True)
    for child in root.iterdir():
        child.unlink()
    (root / name).write_bytes(prefix + data)
    report = api.scan(str(root))
    assert all(f.rule_id != "internal-error" for f in report.findings), report.findings
