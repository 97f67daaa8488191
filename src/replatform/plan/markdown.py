"""MIGRATION-PLAN.md: what a team follows, with every number reproducible from the snapshot.

Sections with nothing to say are left out (no empty "Phases", no header-only
table). Each target's total is the sum of its own lines; the saving compares
the same components today. Every value that can come from the repository
(names, paths, messages, formulas quoting instance types) is escaped with
`report.escape.markdown`: no table breaks, raw HTML, code spans or links.
"""

from __future__ import annotations

import os
from collections import defaultdict

from replatform import knowledge
from replatform.model import CostLine, Finding, PlanItem, Report, Severity
from replatform.plan import spot_conditions
from replatform.plan.build import PER_BLOCKER, PER_WARNING, Plan, steps_for
from replatform.price.cost import EC2_TARGETS, TARGETS, TargetTotal, target_totals
from replatform.price.ec2_capacity import operations_note
from replatform.price.money import money
from replatform.price.snapshot import Snapshot
from replatform.price.spot_advisor import Advisor, load_advisor
from replatform.price.usage import Usage
from replatform.report.escape import markdown as md
from replatform.report.escape import markdown_code as code


def _names(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(md(n) for n in sorted(set(names)))


def _payback(plan: Plan) -> str:
    if plan.payback_months is None:
        return f"payback and ROI not computable: no component has a priced saving on {plan.target}"
    text = (
        f"payback {plan.payback_months:g} months over the {len(plan.priced_items)} priced component(s) "
        f"({plan.priced_effort_hours:g} h x ${plan.hourly_rate:g}/h = {money(plan.priced_effort_cost)} against "
        f"{money(plan.monthly_saving)} a month)"
    )
    if plan.roi_first_year is not None:
        text += f"; first-year ROI {plan.roi_first_year:.0%}"
    return text


def _summary(report: Report, plan: Plan, totals: dict[str, TargetTotal]) -> list[str]:
    today, chosen = totals["current"], totals[plan.target]
    components = {line.component for line in plan.costs}
    unpriced_today = [
        line.name for line in plan.costs if line.target == "current" and line.monthly is None and line.applicable
    ]
    out = [
        "## Summary",
        "",
        f"- Components with compute to move: {len(plan.items)}"
        + (f" (already on arm64: {_names(plan.already_arm64)})" if plan.already_arm64 else ""),
    ]
    if plan.not_deployed:
        out.append(
            "- Declared but not deployed (not priced, not planned): "
            + "; ".join(f"{md(name)}: {md(why)}" for name, why in sorted(plan.not_deployed.items()))
        )
    out.append(
        f"- Blockers found: {sum(1 for f in report.findings if f.severity is Severity.BLOCKER)}; "
        f"warnings: {sum(1 for f in report.findings if f.severity is Severity.WARNING)}"
    )
    if today.priced:
        out.append(
            f"- Priced monthly cost today: {money(today.monthly)} ({len(today.priced)} of {len(components)} priced "
            "component(s)" + (f"; not priced: {_names(unpriced_today)}" if unpriced_today else "") + ")"
        )
        out.append(
            f"- On the target ({md(plan.target)}): {money(chosen.monthly)} for {len(chosen.priced)} component(s) that "
            f"cost {money(chosen.today)} today -> saving {money(chosen.saving)} per month, "
            f"{money(round(chosen.saving * 12, 2))} per year"
        )
    else:
        out.append(
            "- Priced monthly cost today: nothing priced (every cost depends on usage or there is nothing to price)"
        )
    out.append(
        f"- Effort: {plan.effort_hours:g} h x ${plan.hourly_rate:g}/h = {money(plan.effort_cost)}; {_payback(plan)}"
    )
    return out


def _totals_table(totals: dict[str, TargetTotal]) -> list[str]:
    if not totals["current"].priced:
        return []
    out = [
        "",
        "| target | priced components | monthly on the target | the same components today | saving / month | n/a |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for target in TARGETS:
        total = totals[target]
        if not total.priced:  # nothing priced here: no $0.00 that reads like a price
            out.append(f"| {target} | 0 | - | - | - | {_names(total.not_applicable)} |")
            continue
        out.append(
            f"| {target} | {len(total.priced)} | {money(total.monthly)} | {money(total.today)} | "
            f"{money(total.saving)} | {_names(total.not_applicable)} |"
        )
    out += [
        "",
        "Each total is the sum of that target's own lines below; a component that cannot take a target is n/a there "
        "and is left out of both sides of the saving.",
    ]
    return out


def _item_notes(item: PlanItem) -> list[str]:
    notes = list(item.reasons) + list(item.spot_reasons)
    return [f"- **{md(item.name)}**: " + "; ".join(md(note) for note in notes)] if notes else []


def _change(finding: Finding) -> str:
    fix = f" — fix: {md(finding.fix.description)}" if finding.fix is not None else ""
    return f"  - {code(finding.location.short())} [{md(finding.rule_id)}] {md(finding.message)}{fix}"


def _phases(plan: Plan) -> list[str]:
    if not plan.items:
        return []
    out = ["", "## Phases"]
    by_phase: dict[int, list[PlanItem]] = defaultdict(list)
    for item in plan.items:
        by_phase[item.phase].append(item)
    for phase in sorted(by_phase):
        items = by_phase[phase]
        out += ["", f"### Phase {phase}: {plan.title(phase)}", ""]
        out += [
            "| component | kind | readiness | risk | effort | saving / month | Spot |",
            "|---|---|---|---|---:|---:|---|",
        ]
        for item in items:
            out.append(
                f"| {md(item.name)} | {md(item.kind)} | {md(item.readiness)} | {md(item.risk)} | {item.effort_hours:g} h | "
                f"{money(item.monthly_saving)} | {md(item.spot or 'n/a')} |"
            )
        out.append("")
        for item in items:
            out += _item_notes(item)
        changed = [item for item in items if item.changes]
        if changed:
            out += ["", "Changes (each finding linked to the component, worst first):", ""]
            for item in changed:
                out.append(f"- **{md(item.name)}**:")
                out += [_change(finding) for finding in item.changes]
        for heading, steps in steps_for(plan, phase):
            out += ["", f"Steps{f' ({heading})' if heading else ''}:", ""]
            out += [f"{n}. {step}" for n, step in enumerate(steps, start=1)]
    return out


def _ec2_options(plan: Plan, snapshot: Snapshot, root: str = "PATH") -> list[str]:
    """The ECS-on-EC2 targets in full: fit, bin-packing, break-even, Spot types, credits, operations."""
    lines = [line for line in plan.costs if line.target in EC2_TARGETS and line.applicable and line.details]
    if not lines:
        return []
    out = ["", "## ECS on EC2 (ec2, ec2-spot, ec2-graviton, ec2-graviton+spot)", ""]
    out.append(
        "Fargate services and tasks moved onto ECS capacity providers backed by EC2 Auto Scaling groups: the cheapest "
        "instance type that fits each task (x86 and Graviton, on-demand and Spot), from the same formula the "
        "migration uses (`replatform.price.ec2_capacity`)."
    )
    for line in lines:
        out += [
            "",
            f"**{md(line.name)}**, {md(line.target)}: {money(line.monthly)} = {md(line.formula or line.note)}",
            "",
        ]
        out += [f"- {md(detail)}" for detail in line.details]
    out += _ec2_spot_rollout(lines, root)
    if "ecs_managed_instances" not in snapshot.data:
        out += [
            "",
            "ECS Managed Instances (AWS provisions, patches and replaces the instances for a management fee on top of "
            "the EC2 price): not priced, the price snapshot has no management-fee table for it.",
        ]
    out += ["", f"Operations: {operations_note()}"]
    return out


def _ec2_spot_rollout(lines: list[CostLine], root: str) -> list[str]:
    """What ``migrate --target ec2-spot`` writes and how to roll it out (both capacity providers side by side)."""
    spot = [line for line in lines if line.target in ("ec2-spot", "ec2-graviton+spot") and line.monthly is not None]
    if not spot:
        return []
    facts = knowledge.ecs_ec2_spot()
    out = [
        "",
        f"### Moving to ECS on EC2 Spot ({code(f'replatform migrate {root} --target ec2-spot')})",
        "",
        "For a service declared in Terraform, CloudFormation or CDK (TypeScript, Python), written into the service's "
        "own file as one unsafe fix: a launch template (the ECS-optimized Amazon Linux 2023 "
        "AMI from its SSM parameter; user data joining the cluster with Spot draining on), an Auto Scaling group (all "
        "Spot, price-capacity-optimized over the same-size types above, from 0 instances, scale-in protection), a "
        "capacity provider (managed scaling, termination protection and draining), an instance role with "
        "AmazonEC2ContainerServiceforEC2Role and AmazonSSMManagedInstanceCore only, the task definition EC2-only "
        "(network mode kept) and the service's strategy on the new provider. The Spot figures above are estimates.",
        "",
        f"Rollout: {md(facts.rollout.note)}",
        "",
    ]
    out += [f"{n}. {md(step)}" for n, step in enumerate(facts.rollout_steps, start=1)]
    out += ["", f"Rollback: {md(facts.rollback)} Source: <{facts.rollout.source}> (checked {facts.rollout.verified})."]
    return out


def _cost_rows(costs: list[CostLine]) -> list[str]:
    out = [
        "",
        "## Costs by component",
        "",
        "| component | target | monthly | resource | how |",
        "|---|---|---:|---|---|",
    ]
    by_component: dict[str, list[CostLine]] = defaultdict(list)
    for line in costs:
        by_component[line.component].append(line)
    for lines in by_component.values():
        grouped: dict[str, list[str]] = defaultdict(list)
        for line in lines:
            if not line.applicable:
                grouped[line.note].append(line.target)
                continue
            how = line.formula or line.note
            if line.formula and line.note:
                how = f"{line.formula} ({line.note})"
            out.append(
                f"| {md(line.name)} | {md(line.target)} | {money(line.monthly)} | {md(line.resource)} | {md(how)} |"
            )
        for note, targets in grouped.items():
            out.append(
                f"| {md(lines[0].name)} | {md(', '.join(targets))} | n/a |  | {md(note.removeprefix('n/a: '))} |"
            )
    return out


def render(report: Report, plan: Plan, snapshot: Snapshot, usage: Usage, advisor: Advisor | None = None) -> str:
    """The whole plan as Markdown (deterministic)."""
    advisor = advisor or load_advisor(snapshot.region)
    totals = target_totals(plan.costs)
    spot_low, spot_high = snapshot.spot_band
    out = [
        f"# Migration plan: {md(report.root)}",
        "",
        f"Target: **{md(plan.target)}**. Prices: {snapshot.describe()}. Spot: {advisor.describe()}.",
        "Generated by replatform from the repository alone; every figure below can be recomputed by hand from the "
        "formulas shown.",
        "",
        *_summary(report, plan, totals),
        *_totals_table(totals),
    ]
    if plan.performance_factor and totals["current"].priced:
        out += [
            "",
            f"Performance-adjusted scenario (an assumption given with --performance-factor, not a measurement): if arm64 "
            f"does the same work {plan.performance_factor:g}x faster, time-billed arm64 costs divide by {plan.performance_factor:g}: "
            f"graviton {money(round(totals['graviton'].monthly / plan.performance_factor, 2))}, "
            f"graviton+spot {money(round(totals['graviton+spot'].monthly / plan.performance_factor, 2))} per month. "
            "The savings above do not include it.",
        ]
    if totals["current"].priced:
        out += [
            "",
            f"Spot figures are estimates, not prices: Fargate Spot at an assumed {snapshot.spot_discount:.0%} discount "
            f"(the band seen in practice is {spot_low:.0%}-{spot_high:.0%}); EC2 Spot at each type's advertised savings "
            f"in the Spot Instance Advisor data of {advisor.data['as_of']}, else the assumed {snapshot.spot_discount:.0%}.",
        ]
    out += _phases(plan)
    out += spot_conditions.markdown_section(report)
    out += _ec2_options(plan, snapshot, report.root)
    if plan.costs:
        out += _cost_rows(plan.costs)
    blockers = [f for f in report.findings if f.severity is Severity.BLOCKER]
    if blockers:
        out += ["", "## Blockers to fix first", ""]
        out += [
            f"- {code(f.location.short())} [{md(f.rule_id)}] {md(f.message)}"
            + (f" — fix: {md(f.fix.description)}" if f.fix else "")
            for f in blockers
        ]
    out += [
        "",
        "## Assumptions",
        "",
        f"- Always-on components run {snapshot.hours} hours a month; desired counts are read from the IaC.",
        "- Run-on-demand tasks, Lambda traffic and scaled-to-zero capacity are priced only from the usage file"
        + (
            f" ({md(os.path.basename(usage.source))})."
            if usage.source
            else " (none given: those lines show unit prices and 'depends on usage')."
        ),
        "- Lambda free tier is not deducted (it is per account, shared by all functions).",
        "- Fargate Spot on ARM64 is available for ECS only (platform version 1.4.0 or later); EKS on Fargate has neither ARM64 nor Spot.",
        "- AWS Batch compute environments are priced from the usage file (instances x hours) at their first instance type;"
        " 'optimal' instance types cannot be priced.",
        "- Graviton sizes are the same size in the family the mapping picks, with at least the vCPUs of the x86 type (less"
        " memory is said in the line); previous generations map across generations (the mapping note says why); sizes"
        " without a twin are not mapped.",
        f"- Effort heuristic: a base per kind, plus {PER_BLOCKER:g} h per blocker and {PER_WARNING:g} h per warning linked"
        " to the component; payback and ROI count only components with a priced saving.",
        "- Savings are price differences only. Performance claims are not counted:",
    ]
    out += [f'  - claim ({c["kind"]}): "{c["text"]}" <{c["source"]}>' for c in snapshot.data.get("claims", [])]
    return "\n".join(out) + "\n"


def cost_to_dict(line: CostLine) -> dict[str, object]:
    return {
        "component": line.component,
        "name": line.name,
        "target": line.target,
        "monthly": line.monthly,
        "formula": line.formula,
        "resource": line.resource,
        "estimate": line.estimate,
        "note": line.note,
        "applicable": line.applicable,
        "details": list(line.details),
    }
