"""x86 instance type -> Graviton instance type, by strategy, same size; never a guess.

The family table (``knowledge/instances.json``) says which Graviton family an
x86 family maps to and, for previous generations, why the mapping crosses
generations. The size is kept; the target must exist and have at least the
source's vCPUs (from the Spot Instance Advisor's instance specs), else there is
no mapping and the reason says so; a target with less memory is mapped with
that caveat in the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from replatform import knowledge
from replatform.price.spot_advisor import load_advisor

STRATEGIES = ("price_first", "performance_parity", "newest")
MEMORY_TOLERANCE = 0.98  # 7.5 GiB vs 8 GiB sizes of the same class count as the same memory


@dataclass(frozen=True)
class Mapping:
    """The Graviton counterpart of an x86 type, or why there is none."""

    source: str
    target: str | None
    reason: str


def graviton_type(instance_type: str, strategy: str = "performance_parity") -> Mapping:
    """Same size in the Graviton family the strategy picks; ``target`` None with a reason when impossible."""
    prefix = "ml." if instance_type.startswith("ml.") else ""
    family, _, size = instance_type.removeprefix("ml.").partition(".")
    known = knowledge.instances()
    if family in known.graviton_families:
        return Mapping(instance_type, instance_type, "already Graviton")
    if family in known.unmapped:
        return Mapping(instance_type, None, f"no Graviton mapping for the {family} family: {known.unmapped[family]}")
    if family not in known.families:
        return Mapping(instance_type, None, f"no Graviton mapping for the {family} family (not in the mapping table)")
    if size in known.no_same_size or size.startswith("metal"):
        return Mapping(instance_type, None, f"{size}: {known.no_same_size_reason}")
    entry = known.families[family]
    target_family = entry.targets[strategy]
    target = f"{target_family}.{size}"
    unfit, caveat = _compare(f"{family}.{size}", target)
    if unfit:
        return Mapping(instance_type, None, unfit)
    reason = f"{strategy.replace('_', ' ')} mapping" + (f"; {entry.note}" if entry.note else "") + caveat
    return Mapping(instance_type, f"{prefix}{target}", reason)


def _compare(source: str, target: str) -> tuple[str, str]:
    """(why ``target`` cannot stand in for ``source``: no such size or fewer vCPUs, a memory caveat), "" when none."""
    advisor = load_advisor()
    wanted, offered = advisor.specs(source), advisor.specs(target)
    family = target.split(".", 1)[0]
    family_known = any(t.startswith(f"{family}.") for t in advisor.types())
    if offered is None:
        missing = f"{family} has no {target.split('.', 1)[1]} size: choose the target size by hand"
        return (missing if family_known else ""), ""
    if wanted is None:
        return "", ""
    if offered.vcpu < wanted.vcpu:
        return (
            f"{target} ({offered.vcpu} vCPU, {offered.memory_gib:g} GiB) has fewer vCPUs than {source} "
            f"({wanted.vcpu} vCPU, {wanted.memory_gib:g} GiB): choose a larger Graviton size by hand"
        ), ""
    if offered.memory_gib < wanted.memory_gib * MEMORY_TOLERANCE:
        return "", (
            f"; {target} has less memory ({offered.memory_gib:g} GiB against {wanted.memory_gib:g} GiB): "
            "check the workload's memory use first"
        )
    return "", ""
