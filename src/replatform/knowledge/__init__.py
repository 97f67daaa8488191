"""The knowledge base: versioned JSON data with a source and a date on every entry.

Each file has a JSON Schema beside it in ``schemas/`` (checked by the tests).
Loaders return frozen views; nothing here decides anything, the rules do.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from packaging.utils import canonicalize_name


def load(name: str) -> Any:
    """The parsed JSON document ``knowledge/<name>.json``."""
    return json.loads(resources.files(__package__).joinpath(f"{name}.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class PackageFact:
    """What we know about one package on arm64."""

    ecosystem: str
    name: str
    status: str
    reason: str
    source: str
    verified: str
    min_version: str | None = None
    recommended_version: str | None = None
    alternative: str | None = None
    details: str | None = None
    note: str | None = None


def package_key(ecosystem: str, name: str) -> tuple[str, str]:
    """Lookup key: PyPI names are normalised (PEP 503), others compared case-insensitively."""
    if ecosystem == "pypi":
        return ecosystem, canonicalize_name(name)
    return ecosystem, name.lower()


@cache
def packages() -> dict[tuple[str, str], PackageFact]:
    """Package facts by (ecosystem, normalised name)."""
    facts = {}
    for entry in load("packages")["entries"]:
        fields = {k: v for k, v in entry.items() if k != "basis"}
        fact = PackageFact(**fields)
        facts[package_key(fact.ecosystem, fact.name)] = fact
    return facts


@dataclass(frozen=True)
class RuntimeFact:
    """Minimum and recommended versions of a runtime on arm64."""

    language: str
    reason: str
    source: str
    verified: str
    min_version: str | None = None
    recommended_version: str | None = None
    details: str | None = None
    #: compatibility: older releases do not run on arm64; performance/support: they run, slower or less supported.
    min_reason: str = "compatibility"


@cache
def runtimes() -> dict[str, RuntimeFact]:
    """Runtime facts by language."""
    return {e["language"]: RuntimeFact(**e) for e in load("runtimes")["entries"]}


@dataclass(frozen=True)
class LambdaRuntime:
    """A Lambda managed runtime: its OS (and glibc), arm64 support and deprecation."""

    runtime: str
    os: str
    glibc: str
    arm64: bool
    source: str
    verified: str
    deprecated: bool = False
    deprecation_date: str | None = None
    replacement: str | None = None

    @property
    def os_name(self) -> str:
        return {"al1": "Amazon Linux", "al2": "Amazon Linux 2", "al2023": "Amazon Linux 2023"}[self.os]


@cache
def lambda_runtimes() -> dict[str, LambdaRuntime]:
    """Lambda runtimes by identifier (``python3.12``, ``provided.al2023``)."""
    return {e["runtime"]: LambdaRuntime(**e) for e in load("lambda_runtimes")["entries"]}


@dataclass(frozen=True)
class ReleaseLine:
    """A runtime release line (Python ``3.12``, Go ``1.27``): its newest patch at the snapshot date and its life."""

    language: str
    line: str
    latest: str
    released: str
    source: str
    verified: str
    #: None while no end is announced (a Go line ends when the second newer one ships).
    end_of_life: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class RuntimeReleases:
    """One language's release lines at a snapshot date, newest first."""

    language: str
    as_of: str
    lines: tuple[ReleaseLine, ...]

    def line_for(self, version: str) -> ReleaseLine | None:
        """The line a written version means: ``3`` -> the newest 3.x line, ``3.7`` -> 3.7.

        None for a full version (taken as written) or a line the table does not know
        (a release candidate, a line newer than the snapshot).
        """
        parts = version.split(".")
        if len(parts) == 1:
            return next((line for line in self.lines if line.line.split(".")[0] == parts[0]), None)
        if len(parts) == 2:
            return next((line for line in self.lines if line.line == version), None)
        return None


@cache
def runtime_releases(language: str) -> RuntimeReleases:
    """The release lines of ``python`` or ``go`` (``knowledge/runtime_releases.json``); empty for others.

    The one table both the runtime-version rule and the registry target read.
    """
    data = load("runtime_releases")
    lines = sorted(
        (ReleaseLine(**e) for e in data["entries"] if e["language"] == language),
        key=lambda e: [-int(p) for p in e.line.split(".")],
    )
    as_of = data["languages"].get(language, {}).get("as_of", "")
    return RuntimeReleases(language, as_of, tuple(lines))


@dataclass(frozen=True)
class ImageFact:
    """Whether a base image repository (optionally a tag prefix) has linux/arm64."""

    repository: str
    arm64: bool
    source: str
    verified: str
    tag_prefix: str | None = None
    alternative: str | None = None


@cache
def images() -> tuple[ImageFact, ...]:
    """Image facts, most specific (with a tag prefix) first."""
    facts = [ImageFact(**e) for e in load("images")["entries"]]
    return tuple(sorted(facts, key=lambda f: (f.tag_prefix is None, f.repository)))


_IMAGE_PREFIXES = (
    "docker.io/library/",
    "docker.io/",
    "index.docker.io/library/",
    "public.ecr.aws/docker/library/",
    "library/",
)


def image_repository_and_tag(reference: str) -> tuple[str, str]:
    """(repository, tag) of an image reference, Docker Hub mirrors folded: ``docker.io/library/python:3`` -> python, 3."""
    ref = reference.split("@", 1)[0]
    repository, _, tag = ref.rpartition(":") if ":" in ref.rsplit("/", 1)[-1] else (ref, "", "latest")
    for prefix in _IMAGE_PREFIXES:
        if repository.startswith(prefix):
            repository = repository[len(prefix) :]
            break
    if "/library/" in repository:  # a mirror or pull-through cache of an official image (ECR's docker-hub/library/x)
        repository = repository.rsplit("/library/", 1)[1]
    return repository.lower(), tag


def image_fact(reference: str) -> ImageFact | None:
    """The fact for an image reference such as ``mysql:5.7`` (registry mirrors of Docker Hub included)."""
    repository, tag = image_repository_and_tag(reference)
    for fact in images():
        if fact.repository == repository and (fact.tag_prefix is None or tag.startswith(fact.tag_prefix)):
            return fact
    return None


@dataclass(frozen=True)
class FamilyMapping:
    """An x86 EC2 family and its Graviton counterparts by strategy."""

    family: str
    vendor: str
    generation: int
    targets: dict[str, str]
    source: str
    verified: str
    #: Why the mapping crosses generations or what to compare first (previous-generation families).
    note: str = ""


@dataclass(frozen=True)
class InstanceKnowledge:
    """Instance families: which are Graviton, how x86 ones map, which sizes have no twin."""

    default_strategy: str
    graviton_families: frozenset[str]
    no_same_size: frozenset[str]
    no_same_size_reason: str
    families: dict[str, FamilyMapping]
    source: str
    verified: str
    #: x86 families with no Graviton counterpart (accelerators, HDD storage, high memory): family -> why.
    unmapped: dict[str, str] = field(default_factory=dict)


@cache
def instances() -> InstanceKnowledge:
    data = load("instances")
    families = {
        f["family"]: FamilyMapping(
            f["family"],
            f["vendor"],
            f["generation"],
            dict(f["graviton"]),
            f["source"],
            f["verified"],
            f.get("note", ""),
        )
        for f in data["families"]
    }
    return InstanceKnowledge(
        data["default_strategy"],
        frozenset(data["graviton_families"]),
        frozenset(data["no_same_size"]["sizes"]),
        data["no_same_size"]["reason"],
        families,
        data["graviton_families_source"],
        data["verified"],
        {u["family"]: u["reason"] for u in data.get("unmapped", [])},
    )


@dataclass(frozen=True)
class ServiceFact:
    """arm64 support of a managed service."""

    service: str
    arm64: bool
    note: str
    source: str
    verified: str


@cache
def services() -> dict[str, ServiceFact]:
    return {e["service"]: ServiceFact(**e) for e in load("services")["entries"]}


@dataclass(frozen=True)
class OsPackageFact:
    """An operating-system package with no arm64 build."""

    manager: str
    name: str
    alternative: str
    reason: str
    source: str
    verified: str


@cache
def os_packages() -> dict[tuple[str, str], OsPackageFact]:
    """x86-only OS packages by (manager family, name); dnf/microdnf count as yum."""
    return {(e["manager"], e["name"]): OsPackageFact(**e) for e in load("os_packages")["entries"]}


@dataclass(frozen=True)
class Distribution:
    """An operating system a workload runs on: its C library and level, and its system python3."""

    id: str
    name: str
    family: str
    releases: tuple[str, ...]
    tag_words: tuple[str, ...]
    libc: str
    version: str
    released: str
    source: str
    verified: str
    python3: str | None = None


@dataclass(frozen=True)
class ImagePlatform:
    """How an image repository's tags name their OS: a default, the release in the tag, or a Lambda runtime."""

    repository: str
    source: str
    verified: str
    distribution: str | None = None
    #: Set for a distribution's own image (debian, alpine): the tag names the release.
    family: str | None = None
    last_build_at_end_of_life: bool = False
    lambda_runtime: str | None = None


@dataclass(frozen=True)
class AmiPattern:
    """An AMI name or SSM parameter path pattern and the distribution it names."""

    pattern: str
    distribution: str
    example: str
    source: str
    verified: str


@cache
def distributions() -> dict[str, Distribution]:
    """Operating systems by id (``debian-12``, ``al2023``)."""
    found = {}
    for entry in load("os_releases")["distributions"]:
        fields = {k: v for k, v in entry.items() if k not in ("also", "note")}
        fields["releases"], fields["tag_words"] = tuple(entry["releases"]), tuple(entry["tag_words"])
        found[entry["id"]] = Distribution(**fields)
    return found


@cache
def default_distribution() -> tuple[Distribution, str]:
    """The OS assumed when a workload states none, and why (with its source)."""
    data = load("os_releases")
    return distributions()[data["default_distribution"]], f"{data['default_reason']} ({data['default_source']})"


@cache
def image_platforms() -> dict[str, ImagePlatform]:
    """Image repositories whose OS we know, by repository."""
    return {
        e["repository"]: ImagePlatform(**{k: v for k, v in e.items() if k != "note"})
        for e in load("os_releases")["images"]
    }


@cache
def ami_patterns() -> tuple[AmiPattern, ...]:
    """AMI name / SSM path patterns, in the order they are tried."""
    return tuple(AmiPattern(**e) for e in load("os_releases")["amis"])


@dataclass(frozen=True)
class EksAmiMove:
    """An x86 EKS AMI type and its arm64 twin (None when there is none to move to)."""

    from_type: str
    to_type: str | None
    note: str
    source: str
    verified: str


@dataclass(frozen=True)
class AmiParameterMove:
    """A public SSM parameter family that names an AMI, and how its arm64 sibling is spelled."""

    pattern: str
    replacement: str
    note: str
    source: str
    verified: str


@dataclass(frozen=True)
class GravitonMoves:
    """What ``migrate --target graviton`` changes values to, beyond instance families."""

    eks_ami_types: dict[str, EksAmiMove]
    ami_parameters: tuple[AmiParameterMove, ...]
    ami_lookup: str

    def ami_parameter(self, name: str) -> tuple[str, AmiParameterMove] | None:
        """The arm64 sibling of an SSM parameter name that holds an x86 AMI id, and the rule used."""
        for move in self.ami_parameters:
            changed, count = re.subn(move.pattern, move.replacement, name)
            if count:
                return changed, move
        return None


@cache
def graviton_moves() -> GravitonMoves:
    data = load("graviton_moves")
    return GravitonMoves(
        {
            e["from"]: EksAmiMove(e["from"], e["to"], e["note"], e["source"], e["verified"])
            for e in data["eks_ami_types"]
        },
        tuple(AmiParameterMove(**entry) for entry in data["ami_parameters"]),
        data["ami_lookup"],
    )


@dataclass(frozen=True)
class SourcedNote:
    """A statement with where it comes from and when it was checked."""

    note: str
    source: str
    verified: str


@dataclass(frozen=True)
class FargateSpotPartition:
    """Fargate Spot in one AWS partition: the lowest platform version per CPU architecture it runs."""

    partition: str
    architectures: dict[str, str]
    note: str
    source: str
    verified: str


@dataclass(frozen=True)
class Draining:
    """How long a Spot interruption leaves, and the stop timeout and deregistration delay that fit in it."""

    notice_seconds: int
    stop_timeout_max: int
    stop_timeout_note: str
    stop_timeout_source: str
    deregistration_delay: int
    deregistration_delay_note: str
    deregistration_delay_source: str
    verified: str


@dataclass(frozen=True)
class FargateSpotKnowledge:
    """Where Fargate Spot applies (partitions, OS, EKS), the draining it needs and how the change rolls out."""

    partitions: dict[str, FargateSpotPartition]
    unlisted_partition: str
    windows: SourcedNote
    eks_fargate: SourcedNote
    draining: Draining
    rollout: dict[str, Any]


@cache
def fargate_spot() -> FargateSpotKnowledge:
    data = load("fargate_spot")
    return FargateSpotKnowledge(
        {p["partition"]: FargateSpotPartition(**p) for p in data["partitions"]},
        data["unlisted_partition"],
        SourcedNote(**data["windows"]),
        SourcedNote(**data["eks_fargate"]),
        Draining(**data["draining"]),
        dict(data["rollout"]),
    )


@dataclass(frozen=True)
class EcsEc2Spot:
    """What ``migrate --target ec2-spot`` writes (AMI parameters, instance policies, Spot draining user data) and
    the facts its fixes cite, each a `SourcedNote`.
    """

    ami_parameters: dict[str, str]
    ami: SourcedNote
    instance_policies: tuple[str, ...]
    policies: SourcedNote
    user_data: tuple[str, ...]
    draining: SourcedNote
    capacity_provider: SourcedNote
    auto_scaling_group: SourcedNote
    tag_source: str
    awsvpc: SourcedNote
    rollout: SourcedNote
    rollout_steps: tuple[str, ...]
    rollback: str

    def rollout_text(self) -> str:
        """The rollout in one paragraph (a fix's why): the note, numbered steps, the rollback and the source."""
        steps = " ".join(f"{n}. {step}" for n, step in enumerate(self.rollout_steps, start=1))
        return f"{self.rollout.note} {steps} Rollback: {self.rollback} ({self.rollout.source})."

    def policy_arns(self, partition: str) -> tuple[str, ...]:
        return tuple(arn.replace("{partition}", partition) for arn in self.instance_policies)


@cache
def ecs_ec2_spot() -> EcsEc2Spot:
    data = load("ecs_ec2_spot")

    def note(key: str) -> SourcedNote:
        entry = data[key]
        return SourcedNote(entry["note"], entry["source"], entry["verified"])

    return EcsEc2Spot(
        {arch: data["ami_parameters"][arch] for arch in ("x86_64", "arm64")},
        note("ami_parameters"),
        tuple(data["instance_policies"]["arns"]),
        note("instance_policies"),
        tuple(data["spot_draining"]["user_data"]),
        note("spot_draining"),
        note("capacity_provider"),
        note("auto_scaling_group"),
        data["auto_scaling_group"]["tag_source"],
        note("awsvpc"),
        note("rollout"),
        tuple(data["rollout"]["steps"]),
        data["rollout"]["rollback"],
    )
