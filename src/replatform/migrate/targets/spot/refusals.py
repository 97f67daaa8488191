"""Where Fargate Spot does not apply, each with the reason and the AWS source it rests on.

Windows containers, EKS Fargate profiles, a platform version below the one Fargate Spot needs for the task's
CPU architecture, and an architecture Fargate Spot does not run in the price data's region (partition).
The facts are data (``knowledge/fargate_spot.json``), each with its source and the date it was checked.
"""

from __future__ import annotations

from replatform import knowledge
from replatform.discover import compute_vocabulary as v
from replatform.migrate.targets.capacity.service import ServiceView
from replatform.model import Component
from replatform.price.spot import STATEFUL_IMAGES


def partition(region: str) -> str:
    """The AWS partition a region belongs to."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    if region.startswith("us-iso-"):
        return "aws-iso"
    return "aws"


def _cited(note: str, source: str, verified: str) -> str:
    return f"{note} ({source}, checked {verified})"


def _version(text: str) -> tuple[int, ...] | None:
    parts = text.strip().split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) and parts else None


def architecture(task: Component | None) -> str:
    """The task's CPU architecture as ECS spells it (X86_64 unless stated)."""
    value = task.get(v.ARCHITECTURE) if task is not None else None
    value = value if isinstance(value, str) else (task.get("implicit_architecture") if task is not None else None)
    text = str(value).upper() if isinstance(value, str) else "X86_64"
    return "ARM64" if text in ("ARM64", "ARM_64", "AARCH64") else "X86_64"


def refusal(view: ServiceView, region: str) -> str:
    """Why this service cannot move to Fargate Spot (an empty string when it can)."""
    facts = knowledge.fargate_spot()
    task = view.task
    family = task.get(v.OS_FAMILY) if task is not None else None
    if isinstance(family, str) and family.upper().startswith("WINDOWS"):
        return f"its task runs Windows ({family}): " + _cited(
            facts.windows.note, facts.windows.source, facts.windows.verified
        )
    arch = architecture(task)
    where = facts.partitions.get(partition(region))
    if where is None:
        return f"the price data's region is {region} (partition {partition(region)}): {facts.unlisted_partition}"
    if arch not in where.architectures:
        return f"its task is {arch} and, in {region}, " + _cited(where.note, where.source, where.verified)
    stated = view.service.get(v.PLATFORM_VERSION)
    needed = where.architectures[arch]
    if isinstance(stated, str) and stated.upper() != "LATEST":
        have, need = _version(stated), _version(needed)
        if have is not None and need is not None and have < need:
            return (
                f"it pins platform version {stated}; Fargate Spot needs {needed} or later for {arch} tasks: raise "
                f"platform_version to {needed} (or LATEST) first ({where.source}, checked {where.verified})"
            )
    for container in view.containers:
        image = container.get(v.IMAGE)
        if isinstance(image, str) and STATEFUL_IMAGES.search(image):
            return f"it runs a stateful image ({image}): an interruption loses or corrupts its state"
    return ""


def eks_fargate_refusal(profile: Component) -> str:
    facts = knowledge.fargate_spot().eks_fargate
    return f"EKS Fargate profile {profile.name}: " + _cited(facts.note, facts.source, facts.verified)
