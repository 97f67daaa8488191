"""The cost model: monthly cost of each component now and on each target, from the snapshot's prices.

Every number carries its formula. Savings are always differences of priced
lines, never a constant. Where usage is unknown the line has no number and
says what it depends on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from replatform.discover import compute_vocabulary as v
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


def _spot_text(spot: bool, discount: float) -> str:
    return f" x (1 - {discount:.0%} Spot discount)" if spot else ""


def _fargate_lines(
    component: Component, shape: _Fargate, tasks: float | None, hours: float | None, snapshot: Snapshot, why: str
) -> list[CostLine]:
    prices = snapshot.data["fargate"]
    d = snapshot.spot_discount
    lines = []
    for target in TARGETS:
        arm = shape.arm or target in ("graviton", "graviton+spot")
        rate = prices["arm64" if arm else "x86_64"]
        per_hour = shape.vcpu * rate["vcpu_hour"] + shape.gb * rate["gb_hour"]
        spot = target in ("spot", "graviton+spot")
        resource = f"Fargate {'ARM64' if arm else 'X86_64'}{' Spot' if spot else ''}"
        shape_text = f"({shape.vcpu:g} vCPU x ${rate['vcpu_hour']} + {shape.gb:g} GB x ${rate['gb_hour']})"
        if tasks is None or hours is None:
            lines.append(
                _unknown_usage(component, target, f"${per_hour:.5f} per task-hour {shape_text}", resource, spot, why)
            )
            continue
        monthly = tasks * hours * per_hour * ((1 - d) if spot else 1)
        formula = f"{tasks:g} task(s) x {hours:g} h x {shape_text}" + _spot_text(spot, d)
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
) -> list[CostLine]:
    mapping = graviton_type(instance_type, strategy)
    d = snapshot.spot_discount
    lines = []
    for target in TARGETS:
        chosen = mapping.target if target in ("graviton", "graviton+spot") else instance_type
        spot = target in ("spot", "graviton+spot")
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
        monthly = count * hours * price * ((1 - d) if spot else 1)
        formula = f"{count:g} x {hours:g} h x ${price} ({chosen})" + _spot_text(spot, d)
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
    """Cost lines for every priceable component (services carry their task definition's cost)."""
    by_id = {c.id: c for c in report.components}
    by_name = {c.name: c for c in report.components}
    lines: list[CostLine] = []
    tasks_with_service: set[str] = set()
    for service in report.components:
        if service.kind is not ComponentKind.ECS_SERVICE:
            continue
        task = _task_of(service, by_id, by_name)
        if task is not None:
            tasks_with_service.add(task.id)
        shape = _fargate_shape(task) if task is not None else _fargate_shape(service)
        if shape is None:
            lines.append(_unpriced(service, "cpu or memory of its task definition is not a literal (or not linked)"))
            continue
        desired = _number(service.get(v.DESIRED_COUNT))
        tasks = usage.get(service, "tasks") or (desired if desired else None)
        hours = usage.get(service, "hours_per_month") or snapshot.hours
        why = "desired count is 0 or not a literal (scaled at run time): give tasks in the usage file"
        lines += _fargate_lines(service, shape, tasks, hours if tasks is not None else None, snapshot, why)
    for component in report.components:
        kind = component.kind
        if kind is ComponentKind.ECS_TASK_DEFINITION and component.id not in tasks_with_service:
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
            instance_type = _instance_type(component, by_name)
            if instance_type is None or "." not in instance_type:
                lines.append(_unpriced(component, "instance types are 'optimal' or not literal: AWS Batch picks them"))
                continue
            instances = usage.get(component, "instances")
            batch_hours = usage.get(component, "hours_per_month")
            batch_count = instances if instances is not None and batch_hours is not None else None
            why = "AWS Batch runs instances only while jobs run: give instances and hours_per_month in the usage file"
            lines += _ec2_lines(component, instance_type, batch_count, batch_hours or 0.0, snapshot, strategy, why)
        elif kind in (ComponentKind.EC2_INSTANCE, ComponentKind.AUTOSCALING_GROUP, ComponentKind.EKS_NODE_GROUP):
            instance_type = _instance_type(component, by_name)
            if instance_type is None:
                continue
            count: float | None
            if kind is ComponentKind.EC2_INSTANCE:
                count = _number(component.get(v.INSTANCE_COUNT)) or 1.0
            else:
                count = usage.get(component, "instances") or _number(component.get(v.DESIRED_COUNT)) or None
            ec2_hours: float = usage.get(component, "hours_per_month") or snapshot.hours
            why = "desired capacity is 0 or not a literal (scaled at run time): give instances in the usage file"
            lines += _ec2_lines(component, instance_type, count, ec2_hours, snapshot, strategy, why)
    return lines


def _unpriced(component: Component, why: str) -> CostLine:
    return CostLine(component.id, component.name, "current", None, "", "", False, f"not priced: {why}")


def _task_of(service: Component, by_id: dict[str, Component], by_name: dict[str, Component]) -> Component | None:
    reference = service.get(v.TASK_DEFINITION)
    text = reference.expression if isinstance(reference, Unknown) else reference
    if not isinstance(text, str):
        return None
    if text in by_id:
        return by_id[text]
    match = re.search(r"aws_ecs_task_definition\.([\w-]+)", text)
    if match:
        return by_name.get(f"aws_ecs_task_definition.{match.group(1)}")
    return None


def _instance_type(component: Component, by_name: dict[str, Component]) -> str | None:
    for name in (v.INSTANCE_TYPE, v.INSTANCE_TYPES):
        value = component.get(name)
        if isinstance(value, tuple):
            value = value[0] if value else None
        if isinstance(value, str):
            return value
    template = component.get("launch_template")
    text = template.expression if isinstance(template, Unknown) else template
    if isinstance(text, str):
        match = re.search(r"(aws_launch_template|aws_launch_configuration)\.([\w-]+)", text)
        if match and f"{match.group(1)}.{match.group(2)}" in by_name:
            return _instance_type(by_name[f"{match.group(1)}.{match.group(2)}"], by_name)
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
