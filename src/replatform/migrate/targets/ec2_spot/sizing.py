"""What the generated capacity is, decided once from the cost lines' own formula.

`ecs_on_ec2` in ``price/cost.py`` is the same call the ``ec2-spot`` cost target makes (same snapshot, Spot
advisor data and usage file), so the instance types written into the IaC and the plan's figure agree. Every
format's generator reads a `Sizing`; none chooses on its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from replatform.config import load_config
from replatform.discover import compute_vocabulary as v
from replatform.migrate.targets.spot.refusals import architecture
from replatform.model import Component, CostLine, Report
from replatform.price.cost import EcsOnEc2, Pricer
from replatform.price.ec2_capacity import Ec2Choice, NoFit
from replatform.price.snapshot import load as load_snapshot
from replatform.price.spot_advisor import Advisor, load_advisor
from replatform.price.usage import Usage, load_usage, load_usage_in_root

#: Instances the group may grow to when nothing says how many tasks run at most.
DEFAULT_MAX_INSTANCES = 3


@dataclass(frozen=True)
class Sizing:
    """The instance types (the chosen one first), the CPU architecture, the group's maximum and the priced line."""

    instance_type: str
    types: tuple[str, ...]
    architecture: str  # x86_64 | arm64 (the AMI parameter's key)
    target: str  # the cost target it is priced as: ec2-spot, or ec2-graviton+spot for an ARM64 task
    max_instances: int
    max_why: str
    inputs: EcsOnEc2
    choice: Ec2Choice
    line: CostLine | None
    buckets: tuple[str, ...]

    @property
    def cpu_units(self) -> int:
        return round(self.inputs.needs.vcpu * 1024)

    @property
    def memory_mib(self) -> int:
        return self.inputs.needs.memory_mib

    def reservations(self) -> list[tuple[str, int, int]]:
        """(``cpu`` | ``memory``, what the task should reserve, what it declares) where the usage file says the task
        needs less than its Fargate size: on EC2 it reserves that, not a Fargate step.
        """
        if not self.inputs.source:
            return []
        declared = self.inputs.declared
        pairs = (("cpu", self.cpu_units, round(declared.vcpu * 1024)), ("memory", self.memory_mib, declared.memory_mib))
        return [pair for pair in pairs if pair[1] != pair[2]]

    def cost_text(self) -> str:
        """The plan's figure with its formula and the interruption bucket of each type (an estimate)."""
        types = ", ".join(self.buckets)
        if self.line is None or self.line.monthly is None:
            note = self.line.note if self.line is not None else "no price line"
            return f"Cost: depends on usage ({note}). Types, each with its interruption bucket: {types}."
        return (
            f"Cost (an estimate: Spot prices move; the same formula as the {self.target} line of the plan): "
            f"${self.line.monthly:,.2f} a month = {self.line.formula}. Types, each with its interruption bucket "
            f"(Spot Instance Advisor data): {types}."
        )


def pricer(report: Report, root: str, region: str) -> Pricer:
    """The pricer `assess` would build for this repository (its own usage file, the bundled price data)."""
    named = load_config(root).usage
    usage: Usage = load_usage_in_root(root, named) if named else load_usage(None)
    snapshot = load_snapshot(region)
    advisor: Advisor = load_advisor(snapshot.region)
    return Pricer(report, snapshot, usage, "performance_parity", advisor)


def size(pricer_: Pricer, service: Component, task: Component | None) -> Sizing | str:
    """The capacity for ``service``, or why none can be chosen."""
    arm = architecture(task) == "ARM64"
    target = "ec2-graviton+spot" if arm else "ec2-spot"
    inputs = pricer_.ecs_on_ec2(service, target)
    if isinstance(inputs, str):
        return inputs
    if isinstance(inputs.choice, NoFit):
        return f"no instance type fits its tasks: {inputs.choice.reason}"
    choice = inputs.choice
    types = choice.diversified or (choice.instance_type,)
    if choice.instance_type not in types:
        types = (choice.instance_type, *types)
    most, why = _max_instances(service, choice, inputs.tasks)
    line = next((ln for ln in pricer_.service(service) if ln.target == target), None)
    buckets = tuple(f"{t} ({_bucket(pricer_.advisor, t)})" for t in types)
    return Sizing(
        choice.instance_type,
        types,
        "arm64" if arm else "x86_64",
        target,
        most,
        why,
        inputs,
        choice,
        line,
        buckets,
    )


def _bucket(advisor: Advisor, instance_type: str) -> str:
    facts = advisor.facts(instance_type)
    return f"{facts.label} interruptions" if facts is not None else "no Spot Instance Advisor figure"


def _max_instances(service: Component, choice: Ec2Choice, tasks: float | None) -> tuple[int, str]:
    """Enough instances for the most tasks the service runs: its scaling maximum, else its task count.

    Sized for steady state, as seed 001 did (0-3); the reason says what a rolling deployment needs on top.
    """
    most = service.get(v.SCALING_MAX)
    if isinstance(most, int) and not isinstance(most, bool) and most > 0:
        count = math.ceil(most / choice.tasks_per_instance)
        return count, (
            f"its scaling maximum of {most} task(s), {choice.tasks_per_instance} per {choice.instance_type}: "
            f"{count} instance(s){_deployment_room(most, choice)}"
        )
    if tasks:
        count = max(1, math.ceil(tasks / choice.tasks_per_instance))
        return count, (
            f"{tasks:g} task(s), {choice.tasks_per_instance} per {choice.instance_type}: {count} instance(s)"
            f"{_deployment_room(tasks, choice)}"
        )
    return DEFAULT_MAX_INSTANCES, f"no task count or scaling maximum is known: {DEFAULT_MAX_INSTANCES}, change it"


def _deployment_room(tasks: float, choice: Ec2Choice) -> str:
    """What a rolling deployment at ECS's default maximum of 200 % needs: the new tasks start before the old stop."""
    during = math.ceil(2 * tasks / choice.tasks_per_instance)
    return (
        f"; a rolling deployment (maximum percent 200 by default) starts the new tasks before it stops the old "
        f"ones and can need {during} instance(s): raise the maximum for deployments, or let a worker's old tasks "
        "stop first (minimum healthy percent 0)"
    )
