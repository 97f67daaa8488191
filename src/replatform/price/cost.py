"""The cost model: monthly cost of each component now and on each target, from the snapshot's prices.

Every number carries its formula. Savings are always differences of priced
lines, never a constant. Where usage is unknown the line has no number and
says what it depends on. Links come from the resource graph (`replatform.graph`):
a service's task definition, an ASG's launch template, how capacity is bought
today (Fargate Spot, an ASG capacity provider, a Spot market). Components that
are declared but not deployed are never priced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from replatform.discover import compute_vocabulary as v
from replatform.graph import Graph, Purchase
from replatform.model import AttributeValue, Component, ComponentKind, CostLine, Report, Unknown
from replatform.price.mapping import graviton_type
from replatform.price.snapshot import Snapshot
from replatform.price.usage import Usage

TARGETS = ("current", "graviton", "spot", "graviton+spot")


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


def _money(value: float) -> str:
    return f"${value:,.2f}"


@dataclass(frozen=True)
class _Fargate:
    vcpu: float
    gb: float
    arm: bool


def _fargate_shape(task: Component) -> _Fargate | None:
    cpu, memory = _number(task.get(v.CPU)), _number(task.get(v.MEMORY_MB))
    if cpu is None or memory is None:
        return None
    arch = task.get(v.ARCHITECTURE)
    return _Fargate(cpu / 1024, memory / 1024, isinstance(arch, str) and arch.upper() == "ARM64")


def _unknown_usage(component: Component, target: str, unit_price: str, resource: str, spot: bool, why: str) -> CostLine:
    """A line with the unit price and what the missing number depends on (never an invented amount)."""
    return CostLine(component.id, component.name, target, None, unit_price, resource, spot, f"depends on usage: {why}")


def _spot_text(share: float, discount: float) -> str:
    if share <= 0:
        return ""
    if share >= 1:
        return f" x (1 - {discount:.0%} Spot discount)"
    return f" x (1 - {discount:.0%} Spot discount x {share:.0%} on Spot)"


def _share(target: str, share_now: float) -> float:
    """The Spot share on a target: today's for current/graviton, all for the Spot targets."""
    return 1.0 if target in ("spot", "graviton+spot") else share_now


def _spot_label(share: float) -> str:
    return "" if share <= 0 else (" Spot" if share >= 1 else f" ({share:.0%} Spot)")


def _fargate_lines(
    component: Component,
    shape: _Fargate,
    tasks: float | None,
    hours: float | None,
    snapshot: Snapshot,
    why: str,
    share_now: float = 0.0,
) -> list[CostLine]:
    prices = snapshot.data["fargate"]
    d = snapshot.spot_discount
    lines = []
    for target in TARGETS:
        arm = shape.arm or target in ("graviton", "graviton+spot")
        rate = prices["arm64" if arm else "x86_64"]
        per_hour = shape.vcpu * rate["vcpu_hour"] + shape.gb * rate["gb_hour"]
        share = _share(target, share_now)
        spot = share > 0
        resource = f"Fargate {'ARM64' if arm else 'X86_64'}{_spot_label(share)}"
        shape_text = f"({shape.vcpu:g} vCPU x ${rate['vcpu_hour']} + {shape.gb:g} GB x ${rate['gb_hour']})"
        if tasks is None or hours is None:
            lines.append(
                _unknown_usage(component, target, f"${per_hour:.5f} per task-hour {shape_text}", resource, spot, why)
            )
            continue
        monthly = tasks * hours * per_hour * (1 - d * share)
        formula = f"{tasks:g} task(s) x {hours:g} h x {shape_text}" + _spot_text(share, d)
        lines.append(CostLine(component.id, component.name, target, round(monthly, 2), formula, resource, spot))
    return lines


def _ec2_lines(
    component: Component,
    instance_type: str,
    count: float | None,
    hours: float,
    snapshot: Snapshot,
    strategy: str,
    why: str,
    share_now: float = 0.0,
) -> list[CostLine]:
    mapping = graviton_type(instance_type, strategy)
    d = snapshot.spot_discount
    lines = []
    for target in TARGETS:
        chosen = mapping.target if target in ("graviton", "graviton+spot") else instance_type
        share = _share(target, share_now)
        spot = share > 0
        if chosen is None:
            lines.append(CostLine(component.id, component.name, target, None, "", "", spot, mapping.reason))
            continue
        price = snapshot.ec2(chosen.removeprefix("ml."))
        if price is None:
            lines.append(
                CostLine(
                    component.id,
                    component.name,
                    target,
                    None,
                    "",
                    chosen,
                    spot,
                    f"no price for {chosen} in the snapshot",
                )
            )
            continue
        if count is None:
            lines.append(_unknown_usage(component, target, f"${price} per hour ({chosen})", chosen, spot, why))
            continue
        monthly = count * hours * price * (1 - d * share)
        formula = f"{count:g} x {hours:g} h x ${price} ({chosen})" + _spot_text(share, d)
        lines.append(CostLine(component.id, component.name, target, round(monthly, 2), formula, chosen, spot))
    return lines


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


def _lambda_lines(component: Component, usage: Usage, snapshot: Snapshot) -> list[CostLine]:
    prices = snapshot.data["lambda"]
    memory = _number(component.get(v.MEMORY_MB)) or 128.0  # AWS's default memory size
    arch = component.get(v.ARCHITECTURE)
    arm_now = isinstance(arch, str) and arch.lower() == "arm64"
    requests, duration = usage.get(component, "requests_per_month"), usage.get(component, "avg_duration_ms")
    lines = []
    for target in ("current", "graviton"):
        arm = arm_now or target == "graviton"
        tiers = prices["arm64" if arm else "x86_64"]["tiers"]
        resource = f"Lambda {'arm64' if arm else 'x86_64'}"
        first = tiers[0]["per_gb_second"]
        if requests is None or duration is None:
            lines.append(
                CostLine(
                    component.id,
                    component.name,
                    target,
                    None,
                    f"${first:.10f}".rstrip("0")
                    + f" per GB-second ({memory:g} MB) + ${prices['request_per_million']} per million requests",
                    resource,
                    False,
                    "depends on usage: requests_per_month and avg_duration_ms",
                )
            )
            continue
        gb_seconds = requests * (duration / 1000) * (memory / 1024)
        monthly = _lambda_cost(gb_seconds, tiers) + requests / 1_000_000 * prices["request_per_million"]
        formula = (
            f"{requests:g} requests x {duration:g} ms x {memory / 1024:g} GB = {gb_seconds:,.0f} GB-s at "
            + f"${first:.10f}".rstrip("0")
            + "/GB-s"
            f" + {requests / 1_000_000:g} M requests x ${prices['request_per_million']} (free tier not deducted: it is per account)"
        )
        lines.append(CostLine(component.id, component.name, target, round(monthly, 2), formula, resource))
    return lines


def cost_lines(
    report: Report, snapshot: Snapshot, usage: Usage, strategy: str = "performance_parity"
) -> list[CostLine]:
    """Cost lines for every deployed, priceable component (services carry their task definition's cost)."""
    graph = Graph(report)
    lines: list[CostLine] = []
    for component in report.components:
        if not component.deployed:
            continue
        kind = component.kind
        if kind is ComponentKind.ECS_SERVICE:
            lines += _service_lines(graph, component, snapshot, usage)
        elif kind is ComponentKind.ECS_TASK_DEFINITION and not graph.runs_a_service(component):
            shape = _fargate_shape(component)
            if shape is None:
                lines.append(_unpriced(component, "cpu or memory is not a literal"))
                continue
            task_count: float = usage.get(component, "tasks") or 1.0
            run_hours = usage.get(component, "hours_per_month")
            lines += _fargate_lines(
                component,
                shape,
                task_count,
                run_hours,
                snapshot,
                "a task run on demand: give hours_per_month in the usage file",
            )
        elif kind is ComponentKind.LAMBDA_FUNCTION:
            lines += _lambda_lines(component, usage, snapshot)
        elif kind is ComponentKind.BATCH_COMPUTE_ENVIRONMENT:
            instance_type = _instance_type(graph, component)
            if instance_type is None or "." not in instance_type:
                lines.append(_unpriced(component, "instance types are 'optimal' or not literal: AWS Batch picks them"))
                continue
            instances = usage.get(component, "instances")
            batch_hours = usage.get(component, "hours_per_month")
            batch_count = instances if instances is not None and batch_hours is not None else None
            why = "AWS Batch runs instances only while jobs run: give instances and hours_per_month in the usage file"
            share = 1.0 if graph.market(component) == "spot" else 0.0
            lines += _ec2_lines(
                component, instance_type, batch_count, batch_hours or 0.0, snapshot, strategy, why, share
            )
        elif kind in (ComponentKind.EC2_INSTANCE, ComponentKind.AUTOSCALING_GROUP, ComponentKind.EKS_NODE_GROUP):
            instance_type = _instance_type(graph, component)
            if instance_type is None:
                continue
            count: float | None
            if kind is ComponentKind.EC2_INSTANCE:
                count = _number(component.get(v.INSTANCE_COUNT)) or 1.0
            else:
                count = usage.get(component, "instances") or _number(component.get(v.DESIRED_COUNT)) or None
            ec2_hours: float = usage.get(component, "hours_per_month") or snapshot.hours
            why = "desired capacity is 0 or not a literal (scaled at run time): give instances in the usage file"
            lines += _ec2_lines(
                component, instance_type, count, ec2_hours, snapshot, strategy, why, _ec2_spot_share(graph, component)
            )
    return lines


def _ec2_spot_share(graph: Graph, component: Component) -> float:
    """The share of instances bought as Spot today (market, or the ASG's on-demand percentage)."""
    market = graph.market(component)
    if market == "spot":
        return 1.0
    percentage = _number(component.get(v.ON_DEMAND_PERCENTAGE))
    if market == "mixed" and percentage is not None:
        return max(0.0, min(1.0, (100 - percentage) / 100))
    return 0.0


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
    if tasks is None:
        return None
    placed = {p.provider: float(min(p.base, tasks)) for p in purchases}
    rest = max(0.0, tasks - sum(placed.values()))
    weights = sum(p.weight for p in purchases)
    if weights > 0:
        for p in purchases:
            placed[p.provider] += rest * p.weight / weights
    return sum(placed[p.provider] for p in spot) / tasks if tasks else 0.0


def bought_as(purchases: list[Purchase]) -> str:
    """How a service's capacity is bought, in words (``FARGATE_SPOT (weight 1)``)."""
    parts = []
    for p in purchases:
        detail = ", ".join(f"{k} {val}" for k, val in (("base", p.base), ("weight", p.weight)) if k == "weight" or val)
        through = f" -> {p.capacity.name} ({p.market.replace('_', '-')})" if p.capacity is not None else ""
        parts.append(f"{p.provider}{through}" + (f" ({detail})" if len(purchases) > 1 or p.base else ""))
    return " + ".join(parts)


def _service_lines(graph: Graph, service: Component, snapshot: Snapshot, usage: Usage) -> list[CostLine]:
    """A service's cost as it is bought: Fargate (on demand and/or Spot), or through its EC2 capacity."""
    purchases = graph.purchases(service)
    how = bought_as(purchases)
    if purchases and all(p.resolved and not p.fargate for p in purchases):
        groups = sorted({p.capacity.name for p in purchases if p.capacity is not None})
        where = f": priced through {', '.join(groups)}" if groups else ": priced through the cluster's instances"
        return [
            CostLine(
                service.id,
                service.name,
                "current",
                None,
                "",
                f"ECS on EC2 ({how})",
                False,
                f"runs on EC2 capacity{where}",
            )
        ]
    if any(not p.resolved for p in purchases):
        unknown = ", ".join(p.provider for p in purchases if not p.resolved)
        return [_unpriced(service, f"how its capacity is bought is not known ({unknown})")]
    task = graph.task_of(service)
    shape = _fargate_shape(task) if task is not None else _fargate_shape(service)
    if shape is None:
        line = _unpriced(service, "cpu or memory of its task definition is not a literal (or not linked)")
        return [replace(line, resource=f"bought as {how}" if how else "")]
    desired = _number(service.get(v.DESIRED_COUNT))
    tasks = usage.get(service, "tasks") or (desired if desired else None)
    hours = usage.get(service, "hours_per_month") or snapshot.hours
    share = _fargate_spot_share(purchases, tasks)
    if share is None:
        return [
            _unpriced(
                service, "its capacity provider strategy mixes Fargate and Fargate Spot and the task count is not known"
            )
        ]
    why = "desired count is 0 or not a literal (scaled at run time): give tasks in the usage file"
    return _fargate_lines(service, shape, tasks, hours if tasks is not None else None, snapshot, why, share)


def _unpriced(component: Component, why: str) -> CostLine:
    return CostLine(component.id, component.name, "current", None, "", "", False, f"not priced: {why}")


def _instance_type(graph: Graph, component: Component) -> str | None:
    """The (first) literal instance type, the component's own or its launch template's."""
    for value in graph.instance_types(component):
        if isinstance(value, str):
            return value
    return None


def totals(lines: list[CostLine]) -> dict[str, float]:
    """Monthly totals per target over the components priced on every target."""
    by_component: dict[str, dict[str, float | None]] = {}
    for line in lines:
        by_component.setdefault(line.component, {})[line.target] = line.monthly
    out = dict.fromkeys(TARGETS, 0.0)
    for targets in by_component.values():
        current = targets.get("current")
        if current is None:
            continue
        for target in TARGETS:
            value = targets.get(target)
            out[target] += value if value is not None else current  # no option there: it stays as it is
    return {k: round(v, 2) for k, v in out.items()}
