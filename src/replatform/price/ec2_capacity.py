"""ECS on EC2 capacity for Fargate work: which instance type, how many, and what it costs per month.

The one formula behind the ``ec2`` / ``ec2-spot`` targets of the cost model and
behind the capacity ``migrate`` generates for a Fargate -> EC2 Spot move (so
the plan and the generated ASG agree):

1. **Fit.** A type fits a task when it has at least the task's vCPUs and, after
   the memory the ECS agent and the OS keep (max(256 MiB, 5 %) of the
   instance, see ``knowledge/ecs_on_ec2.json``), at least the task's memory.
   ``tasks_per_instance`` is how many copies fit side by side.
2. **Bin-packing.** ``instances = ceil(tasks / tasks_per_instance)``: tasks
   are packed onto as few instances as hold them, and the capacity provider
   runs instances only while their tasks run (managed scaling, target 100 %).
3. **Choice.** The candidate families (current-generation general-purpose,
   compute and memory families of the requested architecture) that fit, by
   ``instances x hourly price``; for Spot the hourly price is the on-demand
   price less the type's own advertised savings (Spot Instance Advisor),
   preferring types in the lowest interruption buckets.
4. **Cost.** ``monthly = instances x hours x hourly``.
5. **Break-even.** EC2 costs less than Fargate while an instance is busy more
   than ``hourly / (tasks_per_instance x Fargate price per task-hour)`` of the
   hours it runs.

For Spot, a diversified list of same-size types (same vCPUs, memory up to
twice the chosen type's, lowest interruption buckets first) is what an ASG's
mixed-instances policy should list.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from replatform import knowledge
from replatform.price.snapshot import Snapshot
from replatform.price.spot_advisor import Advisor, SpotFacts

ARCHITECTURES = ("x86_64", "arm64")


@cache
def assumptions() -> dict[str, Any]:
    """``knowledge/ecs_on_ec2.json``: reserve, candidate families, burstable credits, Spot preferences."""
    data: dict[str, Any] = knowledge.load("ecs_on_ec2")
    return data


def reserved_mib(memory_mib: int) -> int:
    """Memory the ECS agent, Docker and the OS keep on an instance (never placed to tasks)."""
    reserve = assumptions()["reserved_memory"]
    return max(int(reserve["minimum_mib"]), math.ceil(memory_mib * float(reserve["fraction"])))


@dataclass(frozen=True)
class TaskShape:
    """What one task reserves: vCPUs and MiB of memory."""

    vcpu: float
    memory_mib: int


@dataclass(frozen=True)
class Ec2Choice:
    """The instance type chosen for a task shape, how tasks pack onto it, and its hourly price."""

    instance_type: str
    architecture: str
    spot: bool
    vcpu: int
    memory_mib: int
    reserved_mib: int
    tasks_per_instance: int
    instances: int
    on_demand_hourly: float
    hourly: float  # what one instance costs per hour on this market (Spot: an estimate)
    spot_facts: SpotFacts | None = None
    default_discount: float | None = None  # the snapshot's assumed discount, when the advisor has no figure
    diversified: tuple[str, ...] = ()
    burstable_baseline: float | None = None  # share of each vCPU a T instance sustains without credits
    surplus_per_vcpu_hour: float | None = None

    @property
    def usable_mib(self) -> int:
        return self.memory_mib - self.reserved_mib

    def monthly(self, hours: float) -> float:
        """Cost of the instances for ``hours`` (the hours the tasks run)."""
        return self.instances * hours * self.hourly

    def placed(self, tasks: float | None) -> float:
        """Tasks per instance on average: all it holds, or fewer when there are fewer tasks."""
        if tasks is None:
            return float(self.tasks_per_instance)
        return min(float(self.tasks_per_instance), max(tasks, 1.0) / self.instances)

    def break_even(self, fargate_task_hour: float, tasks: float | None = None) -> float:
        """Share of its running hours an instance must be busy for EC2 to cost less than Fargate."""
        return self.hourly / (self.placed(tasks) * fargate_task_hour)

    def surplus_vcpu(self, task: TaskShape, tasks: float) -> float | None:
        """The vCPUs above the burstable baseline when every task keeps its whole vCPU reservation busy."""
        if self.burstable_baseline is None or self.surplus_per_vcpu_hour is None:
            return None
        return max(0.0, tasks * task.vcpu - self.instances * self.burstable_baseline * self.vcpu)

    def surplus_worst_case(self, task: TaskShape, tasks: float, hours: float) -> float | None:
        """Unlimited-mode credit charge if every task keeps its whole vCPU reservation busy (burstable types)."""
        over = self.surplus_vcpu(task, tasks)
        if over is None or self.surplus_per_vcpu_hour is None:
            return None
        return hours * over * self.surplus_per_vcpu_hour

    def price_text(self) -> str:
        """``$0.0208/h x (1 - 65 % advertised Spot savings, <5 % interruptions)`` or the on-demand price."""
        if not self.spot:
            return f"${self.on_demand_hourly:g}/h ({self.instance_type})"
        if self.spot_facts is not None:
            f = self.spot_facts
            return (
                f"${self.on_demand_hourly:g}/h ({self.instance_type}) x (1 - {f.savings}% advertised Spot savings, "
                f"{f.label} interruptions)"
            )
        return f"${self.on_demand_hourly:g}/h ({self.instance_type}) x (1 - {self.default_discount:.0%} assumed Spot discount)"


@dataclass(frozen=True)
class NoFit:
    """Why no instance type could be chosen."""

    reason: str


def fits(task: TaskShape, vcpu: int, memory_mib: int) -> int:
    """How many copies of ``task`` fit an instance (0: none)."""
    usable = memory_mib - reserved_mib(memory_mib)
    if task.vcpu <= 0 or task.memory_mib <= 0 or usable <= 0:
        return 0
    by_cpu = math.floor(vcpu / task.vcpu + 1e-9)
    by_memory = usable // task.memory_mib
    return int(min(by_cpu, by_memory))


def _burstable(instance_type: str) -> tuple[float | None, float | None]:
    data = assumptions()["burstable"]
    family, _, size = instance_type.partition(".")
    if family not in data["families"]:
        return None, None
    baseline = data["baseline_percent_per_vcpu"].get(size)
    surplus = data["surplus_per_vcpu_hour"].get(family)
    return (baseline / 100 if baseline is not None else None), surplus


@dataclass(frozen=True)
class _Option:
    instance_type: str
    vcpu: int
    memory_mib: int
    per_instance: int
    instances: int
    on_demand: float
    hourly: float
    facts: SpotFacts | None

    @property
    def bucket(self) -> int:
        return self.facts.bucket if self.facts is not None else 99


def _options(
    task: TaskShape, tasks: int, architecture: str, spot: bool, snapshot: Snapshot, advisor: Advisor, burstable: bool
) -> list[_Option]:
    families = set(assumptions()["candidate_families"][architecture])
    if not burstable:
        families -= set(assumptions()["burstable"]["families"])
    out = []
    for instance_type in advisor.types():
        if instance_type.split(".", 1)[0] not in families or "metal" in instance_type:
            continue
        specs = advisor.specs(instance_type)
        price = snapshot.ec2(instance_type)
        if specs is None or price is None:
            continue
        per_instance = fits(task, specs.vcpu, specs.memory_mib)
        if per_instance < 1:
            continue
        facts = advisor.facts(instance_type) if spot else None
        if spot and facts is not None and facts.savings > 0:
            hourly = price * (1 - facts.discount)
        elif spot:
            hourly = price * (1 - snapshot.spot_discount)
        else:
            hourly = price
        instances = math.ceil(tasks / per_instance)
        out.append(_Option(instance_type, specs.vcpu, specs.memory_mib, per_instance, instances, price, hourly, facts))
    return out


def choose(
    task: TaskShape,
    tasks: float,
    architecture: str,
    spot: bool,
    snapshot: Snapshot,
    advisor: Advisor,
    burstable: bool = True,
) -> Ec2Choice | NoFit:
    """The cheapest candidate type for ``tasks`` concurrent copies of ``task`` (Spot: lowest buckets first).

    ``burstable=False`` leaves out T families (their price assumes CPU use below a baseline).
    """
    count = max(1, math.ceil(tasks - 1e-9))
    options = _options(task, count, architecture, spot, snapshot, advisor, burstable)
    if not options:
        return NoFit(
            f"no {architecture} candidate type in the price snapshot fits {task.vcpu:g} vCPU and {task.memory_mib} MiB "
            "after the ECS agent's reserve"
        )
    pool = options
    if spot:
        with_facts = [o for o in options if o.facts is not None and o.facts.savings > 0]
        if with_facts:  # the preferred buckets, else the lowest bucket any fitting type has
            ceiling = max(int(assumptions()["spot"]["preferred_max_bucket"]), min(o.bucket for o in with_facts))
            pool = [o for o in with_facts if o.bucket <= ceiling]
    best = min(pool, key=lambda o: (round(o.instances * o.hourly, 6), o.bucket, o.memory_mib, o.instance_type))
    baseline, surplus = _burstable(best.instance_type)
    diversified = _diversify(best, options) if spot else ()
    return Ec2Choice(
        instance_type=best.instance_type,
        architecture=architecture,
        spot=spot,
        vcpu=best.vcpu,
        memory_mib=best.memory_mib,
        reserved_mib=reserved_mib(best.memory_mib),
        tasks_per_instance=best.per_instance,
        instances=best.instances,
        on_demand_hourly=best.on_demand,
        hourly=best.hourly,
        spot_facts=best.facts,
        default_discount=snapshot.spot_discount if spot and best.facts is None else None,
        diversified=diversified,
        burstable_baseline=baseline,
        surplus_per_vcpu_hour=surplus,
    )


def _diversify(best: _Option, options: list[_Option]) -> tuple[str, ...]:
    """Same-size types for a mixed-instances policy: the chosen type first, then the lowest buckets and prices."""
    settings = assumptions()["spot"]
    limit = int(settings["diversify_maximum"])

    def same_size(o: _Option, vcpu_span: int) -> bool:
        return (
            best.vcpu <= o.vcpu <= best.vcpu * vcpu_span
            and o.memory_mib <= 2 * best.memory_mib
            and o.per_instance >= best.per_instance
            and o.facts is not None
        )

    for span in (1, 2):
        others = sorted(
            (o for o in options if o.instance_type != best.instance_type and same_size(o, span)),
            key=lambda o: (o.bucket, round(o.hourly, 6), o.instance_type),
        )
        chosen = (best.instance_type, *(o.instance_type for o in others))[:limit]
        if len(chosen) >= int(settings["diversify_minimum"]):
            return chosen
    return chosen


def managed_instances_fee(snapshot: Snapshot, instance_type: str) -> float | None:
    """ECS Managed Instances' management fee per instance-hour, when the snapshot carries that table."""
    table = snapshot.data.get("ecs_managed_instances")
    if not isinstance(table, dict):
        return None
    fee = table.get("fee_per_hour", {}).get(instance_type)
    return float(fee) if fee is not None else None


def operations_note() -> str:
    """What the move costs in operations, in words (never a number we do not have)."""
    return str(assumptions()["operations"])
