"""Targets: each turns a scanned report (findings + inventory) into proposed `Fix`es for one destination.

A target is a function ``(report, options, workspace) -> list[Proposal]``, registered here and only here:
add a line to `TARGETS` (``module:function``) and ``replatform migrate --target NAME`` offers it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from replatform.errors import UsageError
from replatform.graph import Graph
from replatform.migrate.workspace import Workspace
from replatform.model import Finding, Fix, Location, Report


@dataclass(frozen=True)
class TargetOptions:
    """What the user chose for the move: the x86 -> Graviton instance mapping strategy, the region the
    price data is for (where a Spot move must be available, and where a SageMaker job runs); for sagemaker,
    the training script and where the generated files go.
    """

    strategy: str = "performance_parity"
    region: str = "us-east-1"
    entry: str | None = None
    output_dir: str = "sagemaker"


@dataclass(frozen=True)
class Expectation:
    """What the re-scan of the changed tree must show for a fix to count as done, beyond its findings being
    gone (a service buying FARGATE_SPOT, a cluster with the provider associated): checked on the resource
    graph of the re-scan, so the edit is proven to mean what the fix says.
    """

    description: str
    holds: Callable[[Graph], bool]


@dataclass(frozen=True)
class Proposal:
    """A fix a target proposes, the findings it answers (none for a change no rule asked for), what the
    re-scan must show once it is made, and the fixes it depends on.
    """

    fix: Fix
    findings: tuple[Finding, ...] = field(default=())
    expects: tuple[Expectation, ...] = field(default=())
    #: Where to point a reader when no finding does (the service a Spot move is about).
    where: Location | None = None
    #: Rules whose new findings in the files it edits are the point of the change, said in its text (new x86 EC2
    #: capacity is a Graviton candidate): the re-scan does not hold them against it.
    introduces: tuple[str, ...] = field(default=())
    #: Fixes this one is useless or harmful without (the same objects the target proposes): when one of them
    #: is not offered (rejected, not selected, in conflict), neither is this one.
    needs: tuple[Fix, ...] = field(default=())


Target = Callable[[Report, TargetOptions, Workspace], list[Proposal]]

#: Every target, by the name ``--target`` takes: ``module:function`` (imported on first use).
TARGETS: dict[str, str] = {
    "graviton": "replatform.migrate.targets.graviton:propose",
    "sagemaker": "replatform.migrate.targets.sagemaker:propose",
    "spot": "replatform.migrate.targets.spot:propose",
    "ec2-spot": "replatform.migrate.targets.ec2_spot:propose",
}


def get(name: str) -> Target:
    """The target called ``name`` (a `UsageError` listing the known ones otherwise)."""
    if name not in TARGETS:
        raise UsageError(f"unknown migration target {name!r}; known: {', '.join(sorted(TARGETS))}")
    module, function = TARGETS[name].split(":")
    target: Target = getattr(importlib.import_module(module), function)
    return target
