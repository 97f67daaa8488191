"""x86 instance type -> Graviton instance type, by strategy, same size; never a guess."""

from __future__ import annotations

from dataclasses import dataclass

from replatform import knowledge

STRATEGIES = ("price_first", "performance_parity", "newest")


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
    if family not in known.families:
        return Mapping(
            instance_type, None, f"no Graviton mapping for the {family} family (GPU, storage or older families)"
        )
    if size in known.no_same_size or size.startswith("metal"):
        return Mapping(instance_type, None, f"{size}: {known.no_same_size_reason}")
    target_family = known.families[family].targets[strategy]
    return Mapping(instance_type, f"{prefix}{target_family}.{size}", f"{strategy.replace('_', ' ')} mapping")
