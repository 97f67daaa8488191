"""The target each workload is judged for: OS and libc from the image, Lambda runtime or AMI; Python from the
tag's full version, the UserData or pins; every supported CPython when none is stated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from replatform import api
from replatform.cli import main
from replatform.config import ConfigError, load_config
from replatform.registry.http import Fetcher
from replatform.registry.platforms import of_ami, of_image
from replatform.registry.pypi import Verdict, judge
from replatform.registry.stage import RegistryOptions, targets_by_directory
from replatform.registry.target import Target, TargetError, parse_python, supported_lines

from .conftest import EXAMPLES
from .http_server import serve
from .test_registry import _route


@pytest.fixture(scope="module")
def index_url() -> Iterator[str]:
    with serve(_route) as base:
        yield f"{base}/simple"


@pytest.mark.parametrize(
    ("reference", "os_id", "libc", "level", "python"),
    [
        # the distribution word wins over the language image's default (main judged this glibc 2.36)
        ("python:3.12-alpine", "alpine-3.13", "musl", "1.2", "3.12.14"),
        ("python:3.10-alpine3.12", "alpine-3.0", "musl", "1.1", "3.10.21"),
        ("python:3.11-slim-bullseye", "debian-11", "glibc", "2.31", "3.11.16"),
        ("python:3.12.1-slim-bookworm", "debian-12", "glibc", "2.36", "3.12.1"),
        # no distribution word: the python image's default Debian, trixie since its release
        ("python:3.11-slim", "debian-13", "glibc", "2.41", "3.11.16"),
        # '3' is the newest 3.x at the release table's snapshot, never "CPython 3"
        ("python:3-slim", "debian-13", "glibc", "2.41", "3.14.7"),
        ("python:latest", "debian-13", "glibc", "2.41", "3.14.7"),
        # a line's own tag is its last patch; an end-of-life line keeps its last build's Debian
        ("python:3.7-alpine", "alpine-3.13", "musl", "1.2", "3.7.17"),
        ("python:3.7", "debian-12", "glibc", "2.36", "3.7.17"),
        ("python:3.6-slim", "debian-11", "glibc", "2.31", "3.6.15"),
        ("docker.io/library/python:3.13-slim", "debian-13", "glibc", "2.41", "3.13.15"),
        ("node:22-alpine", "alpine-3.13", "musl", "1.2", None),
        ("debian:bookworm-slim", "debian-12", "glibc", "2.36", None),
        ("ubuntu:22.04", "ubuntu-22.04", "glibc", "2.35", None),
        ("amazonlinux:2", "al2", "glibc", "2.26", None),
        ("amazonlinux:2023", "al2023", "glibc", "2.34", None),
        ("mcr.microsoft.com/dotnet/aspnet:8.0-jammy", "ubuntu-22.04", "glibc", "2.35", None),
        # Lambda base images: their runtime's OS (python3.12+ on AL2023, 3.11 on AL2)
        ("public.ecr.aws/lambda/python:3.13", "al2023", "glibc", "2.34", "3.13.15"),
        ("public.ecr.aws/lambda/python:3.11", "al2", "glibc", "2.26", "3.11.16"),
        ("public.ecr.aws/lambda/nodejs:20", "al2023", "glibc", "2.34", None),
        ("public.ecr.aws/lambda/provided:al2023", "al2023", "glibc", "2.34", None),
    ],
)
def test_image_os_and_python(reference: str, os_id: str, libc: str, level: str, python: str | None) -> None:
    platform = of_image(reference)
    assert platform is not None and platform.distribution is not None
    assert (platform.distribution.id, platform.distribution.libc, platform.distribution.version) == (os_id, libc, level)
    assert platform.python == python


@pytest.mark.parametrize("reference", ["ghcr.io/acme/app:1", "ubuntu:latest", "debian:sid", "golang:1.22"])
def test_images_the_tables_do_not_know_are_unknown(reference: str) -> None:
    assert of_image(reference) is None


def test_amis_by_ssm_path_and_name() -> None:
    texts = (
        "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2",
        "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id",
        "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*",
        "/aws/service/debian/release/12/latest/amd64",
        "ami-0123456789abcdef0",
    )
    found = {text: (d.id if (d := of_ami(text)) is not None else None) for text in texts}
    assert list(found.values()) == ["al2023", "al2", "ubuntu-24.04", "ubuntu-22.04", "debian-12", None]


def test_python_versions_are_validated_and_resolved() -> None:
    assert parse_python("3") == ("3.14.7", False)
    assert parse_python("3.12") == ("3.12.14", False)
    assert parse_python("3.12.4") == ("3.12.4", False)
    assert parse_python("3.13t") == ("3.13.15", True)
    for bad, message in (
        ("3.x", "'3.x' is not a Python version: use 3, 3.12, 3.12.4 or 3.13t"),
        ("4", "'4' is not a Python version: use 3, 3.12, 3.12.4 or 3.13t"),
        ("3.11t", "'3.11t': free-threaded CPython ('t') exists from 3.13 on, e.g. 3.13t"),
    ):
        with pytest.raises(TargetError) as raised:
            parse_python(bad)
        assert str(raised.value) == message
    # released and not at end of life on the table's snapshot date (2026-08-13): 3.10's end is 2026-10-31
    assert supported_lines() == ("3.10", "3.11", "3.12", "3.13", "3.14")


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("3.x", "replatform: '3.x' is not a Python version: use 3, 3.12, 3.12.4 or 3.13t\n"),
        ("3.11t", "replatform: '3.11t': free-threaded CPython ('t') exists from 3.13 on, e.g. 3.13t\n"),
    ],
)
def test_cli_rejects_a_bad_python_in_one_line(argument: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(EXAMPLES / "porting-samples"), "--python", argument]) == 2
    assert capsys.readouterr().err == message


def test_config_python_is_validated(tmp_path: Path) -> None:
    (tmp_path / ".replatform.toml").write_text('[target]\npython = "3.13t"\nos = "al2023"\n')
    config = load_config(str(tmp_path))
    assert (config.python, config.os) == ("3.13t", "al2023")
    (tmp_path / ".replatform.toml").write_text('[target]\npython = "3.x"\n')
    with pytest.raises(ConfigError) as raised:
        load_config(str(tmp_path))
    assert str(raised.value) == (
        ".replatform.toml: target.python: '3.x' is not a Python version: use 3, 3.12, 3.12.4 or 3.13t"
    )


def _targets(root: Path, **options: str) -> dict[str, Target]:
    return targets_by_directory(api.scan(str(root)), RegistryOptions(**options))  # type: ignore[arg-type]


def test_lambda_python313_runs_on_al2023(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "requirements.txt").write_text("numpy==2.3.5\n")
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      Runtime: python3.13\n      Handler: app.handler\n      CodeUri: src/\n"
    )
    target = _targets(tmp_path)["src"]
    assert target.describe() == "CPython 3.13.15, linux/aarch64 glibc 2.34"  # main: Amazon Linux 2, glibc 2.26
    assert target.origin.startswith("Lambda python3.13 runs on Amazon Linux 2023")


def test_ec2_userdata_python_on_an_al2023_ami() -> None:
    target = _targets(EXAMPLES / "ec2-mnist")[""]
    assert target.describe() == "CPython 3.11.16, linux/aarch64 glibc 2.34"  # main: no Python at all
    assert target.origin == (
        "TrainingInstance: AMI /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64 is Amazon "
        "Linux 2023, its UserData runs Python 3.11.16 (the only instance defined below this folder)"
    )


def test_userdata_python3_is_the_amis_own(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("requests==2.32.3\n")
    (tmp_path / "main.tf").write_text(
        'resource "aws_instance" "worker" {\n  ami = "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-x"\n'
        '  instance_type = "m5.large"\n  user_data = "#!/bin/sh\\napt-get install -y python3-pip && pip3 install ."\n}\n'
    )
    target = _targets(tmp_path)[""]
    assert target.describe() == "CPython 3.10.21, linux/aarch64 glibc 2.35"  # Ubuntu 22.04's python3 is 3.10


def test_the_dockerfile_wins_and_options_override(tmp_path: Path) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "Dockerfile").write_text("FROM python:3.12-alpine AS build\nFROM build\n")
    (tmp_path / "svc" / "requirements.txt").write_text("requests==2.32.3\n")
    (tmp_path / "svc" / ".python-version").write_text("3.9\n")
    target = _targets(tmp_path)["svc"]
    assert target.describe() == "CPython 3.12.14, linux/aarch64 musl 1.2"  # main: glibc 2.36, Python 3.9
    forced = _targets(tmp_path, python="3.13t", glibc="2.39")["svc"]
    assert forced.describe() == "CPython 3.13.15 free-threaded, linux/aarch64 glibc 2.39"


def test_pins_and_the_assumed_os_when_no_workload_says(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("requests==2.32.3\n")
    (tmp_path / ".python-version").write_text("3.12\n")
    target = _targets(tmp_path)[""]
    assert target.describe() == "CPython 3.12.14, linux/aarch64 glibc 2.34"
    assert target.origin == (
        "Python from .python-version (.python-version); no OS stated: Amazon Linux 2023, the current Amazon Linux "
        "(Amazon Linux 2 reached end of support on 2026-06-30) (https://aws.amazon.com/amazon-linux-2/faqs/)"
    )


def test_unknown_python_accepts_only_wheels_for_every_supported_cpython(tmp_path: Path) -> None:
    links = tmp_path / "wheels"
    links.mkdir()
    for name in (
        "foo-1.0-pp310-pypy310_pp73-manylinux_2_17_aarch64.whl",  # PyPy only
        "foo-1.0-cp27-cp27mu-manylinux2014_aarch64.whl",  # Python 2 only
        "foo-1.0.tar.gz",
        "bar-1.0-cp38-abi3-manylinux_2_17_aarch64.whl",  # the stable ABI: every CPython >= 3.8
        "baz-1.0-cp312-cp312-manylinux_2_17_aarch64.whl",  # one line only
        "baz-1.0.tar.gz",
    ):
        (links / name).write_bytes(b"")
    empty = tmp_path / "simple"
    empty.mkdir()
    anywhere = Target(libc_version="2.34")
    fetcher = Fetcher(cache_dir=None)

    def verdict(name: str) -> tuple[Verdict, str]:
        found = judge(name, "1.0", None, anywhere, fetcher, empty.as_uri(), find_links=(str(links),))
        return found.verdict, found.detail

    assert verdict("foo") == (  # main: "aarch64 wheel"
        Verdict.SDIST_ONLY,
        "only a source distribution matches the target for CPython 3.10, 3.11, 3.12, 3.13, 3.14",
    )
    assert verdict("bar") == (
        Verdict.ARM64_WHEEL,
        "bar-1.0-cp38-abi3-manylinux_2_17_aarch64.whl; a wheel for every supported CPython: 3.10, 3.11, 3.12, 3.13, 3.14",
    )
    assert verdict("baz") == (
        Verdict.SDIST_ONLY,
        "only a source distribution matches the target for CPython 3.10, 3.11, 3.13, 3.14; aarch64 wheels for 3.12",
    )
    assert anywhere.describe() == "any CPython 3.x (3.10-3.14), linux/aarch64 glibc 2.34"


def test_python_3_slim_gets_numpys_wheel_for_its_real_python(index_url: str, tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3-slim\n")
    (tmp_path / "requirements.txt").write_text("numpy==2.3.5\n")
    report = api.scan(str(tmp_path), registry=RegistryOptions(index_url=index_url, cache_dir=tmp_path / "c"))
    numpy = [f for f in report.findings if f.subject == "numpy" and f.rule_id.startswith("pypi-")]
    assert [f.rule_id for f in numpy] == ["pypi-arm64-ready"]  # main: pypi-sdist-only on "CPython 3"
    assert numpy[0].message.startswith(
        "numpy 2.3.5 on CPython 3.14.7, linux/aarch64 glibc 2.41: aarch64 wheel "
        "(numpy-2.3.5-cp314-cp314-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl)"
    )


def test_free_threaded_python_needs_free_threaded_wheels(index_url: str) -> None:
    fetcher = Fetcher(cache_dir=None)
    regular = judge("numpy", "2.3.5", None, Target("3.13.15", libc_version="2.34"), fetcher, index_url)
    threaded = judge(
        "numpy", "2.3.5", None, Target("3.13.15", libc_version="2.34", free_threaded=True), fetcher, index_url
    )
    assert (regular.verdict, regular.detail) == (
        Verdict.ARM64_WHEEL,
        "numpy-2.3.5-cp313-cp313-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl",
    )
    assert (threaded.verdict, threaded.detail) == (
        Verdict.ARM64_WHEEL,
        "numpy-2.3.5-cp313-cp313t-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl",
    )


def test_verdicts_say_for_any_cpython_when_none_is_stated(index_url: str, tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("numpy==1.26.4\n")
    report = api.scan(str(tmp_path), registry=RegistryOptions(index_url=index_url, cache_dir=tmp_path / "c"))
    numpy = [f for f in report.findings if f.subject == "numpy" and f.rule_id.startswith("pypi-")]
    assert [f.rule_id for f in numpy] == ["pypi-sdist-only"]
    assert numpy[0].message.startswith(
        "numpy 1.26.4 on any CPython 3.x (3.10-3.14), linux/aarch64 glibc 2.34: sdist only (only a source "
        "distribution matches the target for CPython 3.13, 3.14; aarch64 wheels for 3.10, 3.11, 3.12)"
    )
