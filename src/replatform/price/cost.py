"""The cost model: monthly cost of each component today and on each target, from the snapshot's prices.

Every number carries its formula. Today's cost follows how capacity is really
bought (from the resource graph, `replatform.graph`): a launch type, a capacity
provider strategy (Fargate, Fargate Spot, an ASG provider), a Spot market or an
ASG's on-demand percentage, and ``count``/``for_each`` copies. A service that
runs on EC2 capacity is priced through that capacity, once. Components that are
declared but not deployed are never priced.

Each component gets one line per target: priced, "depends on usage" (the unit
price and what is missing), or not applicable ("n/a" with the reason, e.g.
Lambda has no Spot). Totals add a target's own lines and nothing else; savings
compare only components priced both today and on the target
(`target_totals`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from replatform.discover import compute_vocabulary as v
from replatform.graph import FARGATE_PROVIDERS, Graph, Purchase
from replatform.model import AttributeValue, Component, ComponentKind, CostLine, LinkKind, Report, Unknown
from replatform.price import ec2_capacity
from replatform.price.ec2_capacity import Ec2Choice, NoFit, TaskShape
from replatform.price.mapping import graviton_type
from replatform.price.snapshot import Snapshot
from replatform.price.spot_advisor import Advisor, load_advisor
from replatform.price.usage import Usage, code_count

FARGATE_TARGETS = ("current", "graviton", "spot", "graviton+spot")
# ECS on EC2 for Fargate work: target -> (architecture, Spot)
EC2_TARGETS = {
    "ec2": ("x86_64", False),
    "ec2-spot": ("x86_64", True),
    "ec2-graviton": ("arm64", False),
    "ec2-graviton+spot": ("arm64", True),
}
TARGETS = (*FARGATE_TARGETS, *EC2_TARGETS)
NOT_ECS_CAPACITY = "the ec2 targets move Fargate tasks onto ECS capacity"


def _number(value: AttributeValue | None) -> float | None:
    if isinstance(value, bool) or value is None or isinstance(value, Unknown):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(vcpu|gb)?\s*$", value, re.IGNORECASE)
        if match:
            number = float(match.group(1))
            unit = (match.group(2) or "").lower()
            return number * 1024 if unit in ("vcpu", "gb") else number
    return None


@dataclass(frozen=True)
class _Fargate:
    vcpu: float
    gb: float
    arm: bool


@dataclass(frozen=True)
class EcsOnEc2:
    """An ECS-on-EC2 line's inputs: the task's needs on EC2 (and its declared size), how many tasks run for how
    many hours, and the instance type chosen for them (or why none fits).
    """

    needs: TaskShape
    declared: TaskShape
    source: str  # where the needs come from when the usage file overrides the task definition ("" otherwise)
    tasks: float | None
    hours: float | None
    choice: Ec2Choice | NoFit


def _fargate_shape(task: Component) -> _Fargate | None:
    cpu, memory = _number(task.get(v.CPU)), _number(task.get(v.MEMORY_MB))
    if cpu is None or memory is None:
        return None
    arch = task.get(v.ARCHITECTURE)
    return _Fargate(cpu / 1024, memory / 1024, isinstance(arch, str) and arch.upper() == "ARM64")


def not_applicable(component: Component, target: str, why: str) -> CostLine:
    """A target this component cannot take: shown as n/a, never counted."""
    return CostLine(component.id, component.name, target, None, "", "", False, f"n/a: {why}", applicable=False)


def _unpriced(component: Component, why: str) -> CostLine:
    return CostLine(component.id, component.name, "current", None, "", "", False, f"not priced: {why}")


def _spot_text(share: float, discount: float, label: str = "Spot discount") -> str:
    if share <= 0:
        return ""
    if share >= 1:
        return f" x (1 - {discount:.0%} {label})"
    return f" x (1 - {discount:.0%} {label} x {share:.0%} on Spot)"


def _share(target: str, share_now: float) -> float:
    """The Spot share on a target: today's for current/graviton, all for the Spot targets."""
    return 1.0 if target in ("spot", "graviton+spot") else share_now


def _spot_label(share: float) -> str:
    return "" if share <= 0 else (" Spot" if share >= 1 else f" ({share:.0%} Spot)")


def _copies(component: Component) -> tuple[float | None, str]:
    """How many copies ``count``/``for_each`` make (1 when not stated); None with the expression when not literal."""
    name = v.INSTANCE_COUNT if component.kind is ComponentKind.EC2_INSTANCE else "count"
    value = component.get(name)
    if value is None:
        return 1.0, ""
    if isinstance(value, Unknown):
        return None, f"{name} = {value.expression} is not a literal"
    number = _number(value)
    return (number, "") if number is not None else (None, f"{name} is not a number")


def _times(copies: float) -> str:
    return f"{copies:g} copies (count) x " if copies != 1 else ""


class Pricer:
    """Prices one report: the snapshot, the Spot advisor, the usage file and the graph."""

    def __init__(self, report: Report, snapshot: Snapshot, usage: Usage, strategy: str, advisor: Advisor) -> None:
        self.report = report
        self.snapshot = snapshot
        self.usage = usage
        self.strategy = strategy
        self.advisor = advisor
        self.graph = Graph(report)

    def always_on_hours(self, component: Component) -> float:
        """The usage file's hours (its own, else its default; ``null`` states none), else always on: a month."""
        hours = self.usage.value_or(component, "hours_per_month", None)
        return float(self.snapshot.hours) if hours is None else hours

    # ------------------------------------------------------------ dispatch

    def lines(self) -> list[CostLine]:
        out: list[CostLine] = []
        for component in self.report.components:
            if not component.deployed:
                continue
            out += self.component_lines(component)
        return out

    def component_lines(self, component: Component) -> list[CostLine]:
        kind = component.kind
        if kind is ComponentKind.ECS_SERVICE:
            return self.service(component)
        if kind is ComponentKind.ECS_TASK_DEFINITION and not self.graph.runs_a_service(component):
            return self.run_on_demand_task(component)
        if kind is ComponentKind.LAMBDA_FUNCTION:
            return self.lambda_function(component)
        if kind is ComponentKind.BATCH_COMPUTE_ENVIRONMENT:
            return self.batch(component)
        if kind in (ComponentKind.EC2_INSTANCE, ComponentKind.AUTOSCALING_GROUP, ComponentKind.EKS_NODE_GROUP):
            return self.instances(component)
        return []

    # ------------------------------------------------------------ Fargate

    def service(self, service: Component) -> list[CostLine]:
        """A service's cost as it is bought: Fargate (on demand and/or Spot), or through its EC2 capacity."""
        purchases = self.graph.purchases(service)
        how = bought_as(purchases)
        if purchases and all(p.resolved and not p.fargate for p in purchases):
            groups = sorted({p.capacity.name for p in purchases if p.capacity is not None})
            where = ", ".join(groups) if groups else "the cluster's instances (not linked)"
            why = f"runs on EC2 capacity ({how}): priced through {where}"
            return [replace(not_applicable(service, target, why), resource=f"ECS on EC2 ({how})") for target in TARGETS]
        if any(not p.resolved for p in purchases):
            unknown = ", ".join(p.provider for p in purchases if not p.resolved)
            return [_unpriced(service, f"how its capacity is bought is not known ({unknown})")]
        task = self.graph.task_of(service)
        shape = _fargate_shape(task) if task is not None else _fargate_shape(service)
        if shape is None:
            line = _unpriced(service, "cpu or memory of its task definition is not a literal (or not linked)")
            return [replace(line, resource=f"bought as {how}" if how else "")]
        copies, why_copies = _copies(service)
        if copies is None:
            return [_unpriced(service, why_copies)]
        tasks = self.service_tasks(service)
        hours = self.always_on_hours(service)
        on_ec2 = [p for p in purchases if not p.fargate]
        fargate_tasks = tasks
        if on_ec2:  # a strategy across Fargate and EC2 capacity: only the Fargate share is priced here
            placed = placement(purchases, tasks)
            if placed is None:
                return [
                    _unpriced(service, "its strategy mixes Fargate and EC2 capacity and the task count is not known")
                ]
            fargate_tasks = sum(n for provider, n in placed.items() if provider in FARGATE_PROVIDERS)
            purchases = [p for p in purchases if p.fargate]
        share = _fargate_spot_share(purchases, fargate_tasks)
        if share is None:
            return [
                _unpriced(
                    service,
                    "its capacity provider strategy mixes Fargate and Fargate Spot and the task count is not known",
                )
            ]
        why = "desired count is 0 or not a literal (scaled at run time): give tasks in the usage file"
        lines = self.fargate(service, shape, fargate_tasks, hours if tasks is not None else None, why, share, copies)
        if on_ec2:
            names = ", ".join(sorted({p.capacity.name for p in on_ec2 if p.capacity is not None})) or "its EC2 capacity"
            note = f"the Fargate share of {how}; the tasks on EC2 are priced through {names}"
            lines = [replace(line, note=f"{line.note}; {note}" if line.note else note) for line in lines]
        return lines

    def service_tasks(self, service: Component) -> float | None:
        """Tasks a service runs at a time: the usage file's, else its literal desired count (0 or unknown: None)."""
        return self.usage.value_or(service, "tasks", code_count(service)[0])

    def ecs_on_ec2(self, service: Component, target: str = "ec2-spot") -> EcsOnEc2 | str:
        """What the ``target`` line of a Fargate service is made from, or why there is none.

        The same inputs and the same `ec2_capacity.choose` call as the line itself: ``migrate --target ec2-spot``
        writes this choice (instance type, diversified types, instance count) into the IaC, so the diff and the
        plan agree.
        """
        task = self.graph.task_of(service)
        shape = _fargate_shape(task) if task is not None else _fargate_shape(service)
        if shape is None:
            return "cpu or memory of its task definition is not a literal (or not linked)"
        architecture, spot = EC2_TARGETS[target]
        needs, source = self.ec2_shape(service, shape)
        tasks = self.service_tasks(service)
        declared = TaskShape(shape.vcpu, round(shape.gb * 1024))
        choice = self.choose(needs, tasks, architecture, spot)
        return EcsOnEc2(needs, declared, source, tasks, self.always_on_hours(service), choice)

    def choose(
        self, needs: TaskShape, tasks: float | None, architecture: str, spot: bool, burstable: bool = True
    ) -> Ec2Choice | NoFit:
        """`ec2_capacity.choose` on this pricer's snapshot and Spot data (an unknown task count packs one task)."""
        return ec2_capacity.choose(needs, tasks or 1.0, architecture, spot, self.snapshot, self.advisor, burstable)

    def run_on_demand_task(self, task: Component) -> list[CostLine]:
        shape = _fargate_shape(task)
        if shape is None:
            return [_unpriced(task, "cpu or memory is not a literal")]
        copies, why_copies = _copies(task)
        if copies is None:
            return [_unpriced(task, why_copies)]
        tasks = self.usage.value_or(task, "tasks", 1.0)
        hours = self.usage.get(task, "hours_per_month") if self.usage.given(task, "hours_per_month") else None
        why = "a task run on demand: give hours_per_month in the usage file"
        return self.fargate(task, shape, tasks, hours, why, 0.0, copies)

    def fargate(
        self,
        component: Component,
        shape: _Fargate,
        tasks: float | None,
        hours: float | None,
        why: str,
        share_now: float,
        copies: float,
    ) -> list[CostLine]:
        prices = self.snapshot.data["fargate"]
        d = self.snapshot.spot_discount
        lines = []
        for target in FARGATE_TARGETS:
            arm = shape.arm or target in ("graviton", "graviton+spot")
            rate = prices["arm64" if arm else "x86_64"]
            per_hour = shape.vcpu * rate["vcpu_hour"] + shape.gb * rate["gb_hour"]
            share = _share(target, share_now)
            spot = share > 0
            resource = f"Fargate {'ARM64' if arm else 'X86_64'}{_spot_label(share)}"
            shape_text = f"({shape.vcpu:g} vCPU x ${rate['vcpu_hour']} + {shape.gb:g} GB x ${rate['gb_hour']})"
            if tasks is None or hours is None:
                lines.append(
                    CostLine(
                        component.id, component.name, target, None,
                        f"${per_hour:.5f} per task-hour {shape_text}", resource, spot, f"depends on usage: {why}",
                    )
                )  # fmt: skip
                continue
            monthly = copies * tasks * hours * per_hour * (1 - d * share)
            formula = f"{_times(copies)}{tasks:g} task(s) x {hours:g} h x {shape_text}" + _spot_text(
                share, d, "assumed Fargate Spot discount"
            )
            lines.append(CostLine(component.id, component.name, target, round(monthly, 2), formula, resource, spot))
        today = per_task_hour(shape, self.snapshot, share_now)
        lines += self.on_ec2(component, shape, tasks, hours, why, copies, today)
        return lines

    # ------------------------------------------------------------ ECS on EC2 (the ec2 targets)

    def ec2_shape(self, component: Component, shape: _Fargate) -> tuple[TaskShape, str]:
        """The task's needs on EC2: the usage file's task_vcpu/task_memory_mb, else the task definition's."""
        declared = TaskShape(shape.vcpu, round(shape.gb * 1024))
        vcpu = self.usage.get(component, "task_vcpu") if self.usage.given(component, "task_vcpu") else None
        memory = self.usage.get(component, "task_memory_mb") if self.usage.given(component, "task_memory_mb") else None
        if vcpu is None and memory is None:
            return declared, ""
        needs = TaskShape(vcpu or declared.vcpu, int(memory) if memory else declared.memory_mib)
        return needs, (
            f"task needs from the usage file ({needs.vcpu:g} vCPU, {needs.memory_mib} MiB); "
            f"the task definition reserves {declared.vcpu:g} vCPU, {declared.memory_mib} MiB (Fargate sizes come in steps)"
        )

    def on_ec2(
        self,
        component: Component,
        shape: _Fargate,
        tasks: float | None,
        hours: float | None,
        why: str,
        copies: float,
        fargate_task_hour: float,
    ) -> list[CostLine]:
        needs, source = self.ec2_shape(component, shape)
        lines = []
        for target, (architecture, spot) in EC2_TARGETS.items():
            if shape.arm and architecture == "x86_64":
                lines.append(not_applicable(component, target, "the task already runs ARM64 images"))
                continue
            choice = self.choose(needs, tasks, architecture, spot)
            if isinstance(choice, NoFit):
                lines.append(
                    CostLine(component.id, component.name, target, None, "", "", spot, f"not priced: {choice.reason}")
                )
                continue
            steady = None
            if choice.burstable_baseline is not None:
                other = self.choose(needs, tasks, architecture, spot, burstable=False)
                steady = other if isinstance(other, Ec2Choice) else None
            details = ec2_details(choice, needs, tasks, hours, fargate_task_hour, source, self.advisor, steady)
            details += self.managed_instances(choice, copies, hours)
            if source:
                details += self.as_declared(shape, tasks, hours, architecture, spot, copies)
            resource = f"ECS on EC2 {choice.instance_type}{' Spot' if spot else ''}"
            if tasks is None or hours is None:
                lines.append(
                    CostLine(
                        component.id, component.name, target, None, choice.price_text(), resource, spot,
                        f"depends on usage: {why}", details=details,
                    )
                )  # fmt: skip
                continue
            monthly = copies * choice.monthly(hours)
            formula = f"{_times(copies)}{choice.instances} instance(s) x {hours:g} h x {choice.price_text()}"
            lines.append(
                CostLine(
                    component.id, component.name, target, round(monthly, 2), formula, resource, spot,
                    details=details,
                )
            )  # fmt: skip
        return lines

    def as_declared(
        self, shape: _Fargate, tasks: float | None, hours: float | None, architecture: str, spot: bool, copies: float
    ) -> tuple[str, ...]:
        """What the task definition's own size would need, when the usage file says the task needs less."""
        declared = TaskShape(shape.vcpu, round(shape.gb * 1024))
        other = self.choose(declared, tasks, architecture, spot)
        if isinstance(other, NoFit):
            return (f"with the task definition's own size: {other.reason}",)
        cost = f" at ${copies * other.monthly(hours):,.2f} a month" if hours is not None and tasks is not None else ""
        return (
            f"with the task definition's own size ({declared.vcpu:g} vCPU, {declared.memory_mib} MiB) the choice "
            f"would be {other.instance_type}{cost}",
        )

    def managed_instances(self, choice: Ec2Choice, copies: float, hours: float | None) -> tuple[str, ...]:
        """An ECS Managed Instances line, labelled, only where the snapshot has its management fee for the type."""
        fee = ec2_capacity.managed_instances_fee(self.snapshot, choice.instance_type)
        if fee is None or choice.spot:
            return ()
        per_hour = choice.on_demand_hourly + fee
        text = (
            f"ECS Managed Instances (AWS provisions, patches and replaces the instances; EC2 price plus a management "
            f"fee): {_times(copies)}{choice.instances} instance(s) x {{hours}} h x (${choice.on_demand_hourly:g} + "
            f"${fee:g} fee) ({choice.instance_type})"
        )
        if hours is None:
            return (text.replace("{hours}", "the hours the tasks run") + ": depends on usage",)
        monthly = copies * choice.instances * hours * per_hour
        return (text.replace("{hours}", f"{hours:g}") + f" = ${monthly:,.2f}",)

    # ------------------------------------------------------------ EC2 capacity

    def instances(self, component: Component) -> list[CostLine]:
        instance_type = _instance_type(self.graph, component)
        if instance_type is None:
            return []
        copies, why_copies = _copies(component)
        if copies is None:
            return [_unpriced(component, why_copies)]
        count: float | None
        counted = ""  # how the count follows from the group's size, when no desired count is stated
        if component.kind is ComponentKind.EC2_INSTANCE:
            count = copies
        else:
            desired, counted = code_count(component)
            counted = "" if self.usage.given(component, "instances") else counted
            per_copy = self.usage.value_or(component, "instances", desired)
            count = per_copy * copies if per_copy is not None else None
        hours = self.always_on_hours(component)
        why = "desired capacity is 0 or not a literal (scaled at run time): give instances in the usage file"
        details: tuple[str, ...] = ()
        if count is None and component.kind is ComponentKind.AUTOSCALING_GROUP and copies == 1:
            derived = self.instances_for_tasks(component, instance_type)
            if isinstance(derived, str):
                why = f"{why} ({derived})" if derived else why
            else:
                count, hours, details = derived
                counted = ""
        share = _ec2_spot_share(self.graph, component)
        lines = self.ec2(component, instance_type, count, hours, why, share, counted)
        if details:
            lines = [replace(line, details=details) if line.monthly is not None else line for line in lines]
        return lines + [
            not_applicable(component, target, f"already EC2 capacity; {NOT_ECS_CAPACITY}") for target in EC2_TARGETS
        ]

    def instances_for_tasks(self, group: Component, instance_type: str) -> tuple[float, float, tuple[str, ...]] | str:
        """(instances, hours, how) for an ASG behind ECS capacity providers whose size ECS manages: the tasks its
        services place on it, packed as `ec2_capacity.fits` packs them (the formula of the ECS-on-EC2 targets), for
        the hours those services run. A reason ("" when no service buys it) when that cannot be said.
        """
        specs = self.advisor.specs(instance_type)
        if specs is None:
            return f"no vCPU/memory figures for {instance_type}"
        total, hours_seen, details = 0, set(), []
        for link in self.graph.into(group, LinkKind.SCALES):
            provider = self.graph.component(link.source)
            if provider is None:
                continue
            for buys in self.graph.into(provider, LinkKind.BUYS_CAPACITY):
                service = self.graph.component(buys.source)
                if service is None or not service.deployed or service.kind is not ComponentKind.ECS_SERVICE:
                    continue
                placed = placement(self.graph.purchases(service), self.service_tasks(service))
                task = self.graph.task_of(service)
                shape = _fargate_shape(task) if task is not None else None
                if placed is None or shape is None:
                    return f"the tasks {service.name} places on it are not known: give instances in the usage file"
                tasks = placed.get(provider.name, 0.0)
                needs, _source = self.ec2_shape(service, shape)
                per_instance = ec2_capacity.fits(needs, specs.vcpu, specs.memory_mib)
                if per_instance < 1:
                    return f"a task of {service.name} ({needs.vcpu:g} vCPU, {needs.memory_mib} MiB) does not fit {instance_type}"
                instances = math.ceil(tasks / per_instance - 1e-9)
                total += instances
                hours_seen.add(self.always_on_hours(service))
                details.append(
                    f"instances from the tasks ECS places on it (managed scaling): {tasks:g} task(s) of {service.name} "
                    f"({needs.vcpu:g} vCPU, {needs.memory_mib} MiB), {per_instance} per {instance_type} after the ECS "
                    f"agent's reserve ({ec2_capacity.reserved_mib(specs.memory_mib)} MiB) = {instances} instance(s)"
                )
        if not details:
            return ""
        if len(hours_seen) != 1 or None in hours_seen:
            return (
                "its services run for different or unknown hours: give instances and hours_per_month in the usage file"
            )
        hours = hours_seen.pop()
        assert hours is not None
        return float(total), hours, tuple(details)

    def batch(self, component: Component) -> list[CostLine]:
        instance_type = _instance_type(self.graph, component)
        if instance_type is None or "." not in instance_type:
            return [_unpriced(component, "instance types are 'optimal' or not literal: AWS Batch picks them")]
        instances = self.usage.get(component, "instances")
        hours = self.usage.get(component, "hours_per_month") if self.usage.given(component, "hours_per_month") else None
        count = instances if instances is not None and hours is not None else None
        why = "AWS Batch runs instances only while jobs run: give instances and hours_per_month in the usage file"
        share = 1.0 if self.graph.market(component) == "spot" else 0.0
        return self.ec2(component, instance_type, count, hours or 0.0, why, share) + [
            not_applicable(component, target, f"AWS Batch capacity; {NOT_ECS_CAPACITY}") for target in EC2_TARGETS
        ]

    def spot_discount(self, instance_type: str) -> tuple[float, str]:
        """The type's advertised Spot savings (Spot Instance Advisor), else the snapshot's assumed discount."""
        facts = self.advisor.facts(instance_type.removeprefix("ml."))
        if facts is not None and facts.savings > 0:
            return facts.discount, f"advertised Spot savings, {facts.label} interruptions"
        return self.snapshot.spot_discount, "assumed Spot discount"

    def ec2(
        self,
        component: Component,
        instance_type: str,
        count: float | None,
        hours: float,
        why: str,
        share_now: float,
        counted: str = "",
    ) -> list[CostLine]:
        mapping = graviton_type(instance_type, self.strategy)
        lines = []
        for target in FARGATE_TARGETS:
            chosen = mapping.target if target in ("graviton", "graviton+spot") else instance_type
            share = _share(target, share_now)
            spot = share > 0
            if chosen is None:
                lines.append(CostLine(component.id, component.name, target, None, "", "", spot, mapping.reason))
                continue
            price = self.snapshot.ec2(chosen.removeprefix("ml."))
            if price is None:
                note = f"no price for {chosen} in the snapshot"
                lines.append(CostLine(component.id, component.name, target, None, "", chosen, spot, note))
                continue
            discount, label = self.spot_discount(chosen)
            if count is None:
                unit = f"${price} per hour ({chosen})" + _spot_text(share, discount, label)
                lines.append(
                    CostLine(component.id, component.name, target, None, unit, chosen, spot, f"depends on usage: {why}")
                )
                continue
            monthly = count * hours * price * (1 - discount * share)
            formula = f"{count:g}{f' ({counted})' if counted else ''} x {hours:g} h x ${price} ({chosen})"
            formula += _spot_text(share, discount, label)
            note = (
                mapping.reason
                if target in ("graviton", "graviton+spot") and mapping.reason != "already Graviton"
                else ""
            )
            lines.append(CostLine(component.id, component.name, target, round(monthly, 2), formula, chosen, spot, note))
        return lines

    # ------------------------------------------------------------ Lambda

    def lambda_function(self, component: Component) -> list[CostLine]:
        prices = self.snapshot.data["lambda"]
        memory = _number(component.get(v.MEMORY_MB)) or 128.0  # AWS's default memory size
        arch = component.get(v.ARCHITECTURE)
        arm_now = isinstance(arch, str) and arch.lower() == "arm64"
        requests, duration = (
            self.usage.get(component, "requests_per_month"),
            self.usage.get(component, "avg_duration_ms"),
        )
        copies, why_copies = _copies(component)
        lines = []
        for target in ("current", "graviton"):
            arm = arm_now or target == "graviton"
            tiers = prices["arm64" if arm else "x86_64"]["tiers"]
            resource = f"Lambda {'arm64' if arm else 'x86_64'}"
            first = tiers[0]["per_gb_second"]
            unit = f"${first:.10f}".rstrip("0")
            if requests is None or duration is None or copies is None:
                why = why_copies if copies is None else "requests_per_month and avg_duration_ms"
                lines.append(
                    CostLine(
                        component.id, component.name, target, None,
                        f"{unit} per GB-second ({memory:g} MB) + ${prices['request_per_million']} per million requests",
                        resource, False, f"depends on usage: {why}",
                    )
                )  # fmt: skip
                continue
            gb_seconds = requests * (duration / 1000) * (memory / 1024)
            monthly = copies * (_lambda_cost(gb_seconds, tiers) + requests / 1_000_000 * prices["request_per_million"])
            formula = (
                f"{_times(copies)}{requests:g} requests x {duration:g} ms x {memory / 1024:g} GB = {gb_seconds:,.0f} GB-s at "
                f"{unit}/GB-s + {requests / 1_000_000:g} M requests x ${prices['request_per_million']}"
                " (free tier not deducted: it is per account)"
            )
            lines.append(CostLine(component.id, component.name, target, round(monthly, 2), formula, resource))
        lines += [not_applicable(component, t, "Lambda has no Spot capacity") for t in ("spot", "graviton+spot")]
        lines += [not_applicable(component, t, f"a Lambda function; {NOT_ECS_CAPACITY}") for t in EC2_TARGETS]
        return lines


def per_task_hour(shape: _Fargate, snapshot: Snapshot, share: float) -> float:
    """What one Fargate task-hour costs on this shape today (with its Spot share)."""
    rate = snapshot.data["fargate"]["arm64" if shape.arm else "x86_64"]
    return float((shape.vcpu * rate["vcpu_hour"] + shape.gb * rate["gb_hour"]) * (1 - snapshot.spot_discount * share))


def ec2_details(
    choice: Ec2Choice,
    needs: TaskShape,
    tasks: float | None,
    hours: float | None,
    fargate_task_hour: float,
    source: str,
    advisor: Advisor,
    steady: Ec2Choice | None = None,
) -> tuple[str, ...]:
    """The sentences that make an ECS-on-EC2 line reviewable: fit, bin-packing, break-even, Spot, credits."""
    out = [
        f"fit: {choice.instance_type} has {choice.vcpu} vCPU and {choice.memory_mib} MiB; the ECS agent and the OS keep "
        f"{choice.reserved_mib} MiB (max(256 MiB, 5 %)), leaving {choice.usable_mib} MiB for tasks of "
        f"{needs.vcpu:g} vCPU / {needs.memory_mib} MiB: {choice.tasks_per_instance} per instance",
    ]
    if source:
        out.append(source)
    concurrent = f"{tasks:g} task(s) at a time" if tasks is not None else "the tasks"
    out.append(
        f"bin-packing: {concurrent} on {choice.instances} instance(s); the capacity provider runs instances only "
        "while tasks run (managed scaling, target capacity 100 %)"
    )
    share = choice.break_even(fargate_task_hour, tasks)
    verdict = (
        "never cheaper than Fargate today"
        if share >= 1
        else f"cheaper than Fargate today while busy more than {share:.0%} of the hours it runs"
    )
    out.append(
        f"break-even: ${choice.hourly:.5f}/h / ({choice.placed(tasks):g} task(s) x ${fargate_task_hour:.5f} per "
        f"Fargate task-hour today) = {share:.0%}: an instance is {verdict}"
    )
    if choice.spot and choice.spot_facts is not None:
        out.append(
            f"Spot: {choice.spot_facts.savings}% advertised savings, interruptions {choice.spot_facts.label} "
            f"({advisor.describe()}; an estimate)"
        )
    if choice.diversified:
        out.append(
            f"mixed-instances policy ({len(choice.diversified)} same-size types, lowest interruption buckets first; "
            f"allocation strategy price-capacity-optimized), each with its interruption bucket: "
            + ", ".join(f"{t} ({_bucket(advisor, t)})" for t in choice.diversified)
        )
    over = choice.surplus_vcpu(needs, tasks or 1.0)
    if over is not None and choice.burstable_baseline is not None and choice.surplus_per_vcpu_hour is not None:
        text = f"burstable: {choice.instance_type} sustains {choice.burstable_baseline:.0%} of each vCPU without CPU credits"
        if over > 0 and hours is not None:
            text += (
                f"; if the tasks keep all {needs.vcpu * (tasks or 1.0):g} vCPU busy for {hours:g} h, unlimited mode adds "
                f"{over:g} vCPU x {hours:g} h x ${choice.surplus_per_vcpu_hour} = "
                f"${over * hours * choice.surplus_per_vcpu_hour:,.2f} (depends on CPU use; not in the total)"
            )
        if steady is not None:
            text += f"; the cheapest type without CPU credits is {steady.instance_type}" + (
                f" at ${steady.monthly(hours):,.2f} a month" if hours is not None else ""
            )
        out.append(text)
    return tuple(out)


def _bucket(advisor: Advisor, instance_type: str) -> str:
    facts = advisor.facts(instance_type)
    return f"{facts.label} interruptions" if facts is not None else "no Spot Instance Advisor figure"


def _lambda_cost(gb_seconds: float, tiers: list[dict[str, float | None]]) -> float:
    cost, floor = 0.0, 0.0
    for tier in tiers:
        ceiling = tier["up_to_gb_seconds"]
        amount = min(gb_seconds, ceiling) - floor if ceiling is not None else gb_seconds - floor
        if amount > 0:
            cost += amount * float(tier["per_gb_second"] or 0)
        if ceiling is None or gb_seconds <= ceiling:
            break
        floor = float(ceiling)
    return cost


def cost_lines(
    report: Report,
    snapshot: Snapshot,
    usage: Usage,
    strategy: str = "performance_parity",
    advisor: Advisor | None = None,
) -> list[CostLine]:
    """One line per deployed, priceable component and target (services carry their task definition's cost)."""
    return Pricer(report, snapshot, usage, strategy, advisor or load_advisor(snapshot.region)).lines()


def _ec2_spot_share(graph: Graph, component: Component) -> float:
    """The share of instances bought as Spot today (market, or the ASG's on-demand percentage)."""
    market = graph.market(component)
    if market == "spot":
        return 1.0
    percentage = _number(component.get(v.ON_DEMAND_PERCENTAGE))
    if market == "mixed" and percentage is not None:
        return max(0.0, min(1.0, (100 - percentage) / 100))
    return 0.0


def placement(purchases: list[Purchase], tasks: float | None) -> dict[str, float] | None:
    """Tasks per capacity provider of a strategy: each ``base`` first, the rest by weight (None: count unknown)."""
    if len(purchases) == 1:
        return {purchases[0].provider: tasks} if tasks is not None else None
    if tasks is None:
        return None
    placed = {p.provider: float(min(p.base, tasks)) for p in purchases}
    rest = max(0.0, tasks - sum(placed.values()))
    weights = sum(p.weight for p in purchases)
    if weights > 0:
        for p in purchases:
            placed[p.provider] += rest * p.weight / weights
    return placed


def _fargate_spot_share(purchases: list[Purchase], tasks: float | None) -> float | None:
    """Share of a service's tasks on FARGATE_SPOT from its strategy (base first, then weights); None if unknown."""
    if not purchases:
        return 0.0
    if any(p.market == "unknown" for p in purchases):
        return None
    spot = [p for p in purchases if p.market == "spot"]
    if len(spot) == len(purchases):
        return 1.0
    if not spot:
        return 0.0
    placed = placement(purchases, tasks)
    if placed is None:
        return None
    return sum(placed[p.provider] for p in spot) / tasks if tasks else 0.0


def bought_as(purchases: list[Purchase]) -> str:
    """How a service's capacity is bought, in words (``FARGATE_SPOT (weight 1)``)."""
    parts = []
    for p in purchases:
        detail = ", ".join(f"{k} {val}" for k, val in (("base", p.base), ("weight", p.weight)) if k == "weight" or val)
        through = f" -> {p.capacity.name} ({p.market.replace('_', '-')})" if p.capacity is not None else ""
        parts.append(f"{p.provider}{through}" + (f" ({detail})" if len(purchases) > 1 or p.base else ""))
    return " + ".join(parts)


def _instance_type(graph: Graph, component: Component) -> str | None:
    """The (first) literal instance type, the component's own or its launch template's."""
    for value in graph.instance_types(component):
        if isinstance(value, str):
            return value
    return None


# ---------------------------------------------------------------- totals


@dataclass(frozen=True)
class TargetTotal:
    """One target's total and how it compares with today, over the same components."""

    target: str
    monthly: float  # the sum of this target's priced lines: nothing else is added
    priced: tuple[str, ...]  # names of the components priced on this target
    today: float  # today's cost of the components priced both today and on this target
    saving: float  # today - their cost on this target
    not_applicable: tuple[str, ...] = ()  # names of the components that cannot take this target
    unpriced: tuple[str, ...] = ()  # names of the components whose cost here depends on usage

    def nothing_priced(self) -> str:
        """What a target with no priced line shows instead of a total (a $0.00 would read like a price)."""
        if self.unpriced:
            return f"nothing priced (depends on usage: {', '.join(self.unpriced)})"
        return "not applicable" if self.not_applicable else "nothing to price"


def target_totals(lines: list[CostLine]) -> dict[str, TargetTotal]:
    """Per target: the sum of its own lines, and the saving against today over components priced on both."""
    today: dict[str, float] = {}
    for line in lines:
        if line.target == "current" and line.monthly is not None:
            today[line.component] = line.monthly
    out = {}
    for target in TARGETS:
        own = [line for line in lines if line.target == target]
        priced = [line for line in own if line.monthly is not None]
        both = [line for line in priced if line.component in today]
        monthly = round(sum(line.monthly or 0.0 for line in priced), 2)
        before = round(sum(today[line.component] for line in both), 2)
        after = round(sum(line.monthly or 0.0 for line in both), 2)
        out[target] = TargetTotal(
            target,
            monthly,
            tuple(line.name for line in priced),
            before,
            round(before - after, 2),
            tuple(sorted({line.name for line in own if not line.applicable})),
            tuple(sorted({line.name for line in own if line.applicable and line.monthly is None})),
        )
    return out


def totals(lines: list[CostLine]) -> dict[str, float]:
    """Monthly total per target: exactly the sum of that target's priced lines."""
    return {target: total.monthly for target, total in target_totals(lines).items()}
