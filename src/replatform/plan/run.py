"""``replatform assess``: discovery + assessment + registries + cost + plan, written to a report folder."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from replatform import api
from replatform.config import Config, load_config
from replatform.errors import UsageError
from replatform.fsio import write_report_folder
from replatform.migrate import summary as fix_summary
from replatform.migrate.apply import Migration
from replatform.model import CostLine, Finding, Report
from replatform.plan.build import Plan, build_plan
from replatform.plan.markdown import cost_to_dict, render
from replatform.plan.training import training_section
from replatform.price.cost import TARGETS, cost_lines, target_totals, totals
from replatform.price.money import money
from replatform.price.sagemaker import (
    TrainingPrices,
    graviton_offered_for_training,
    load_training_prices,
    training_cost_lines,
)
from replatform.price.snapshot import Snapshot, load
from replatform.price.spot_advisor import Advisor, load_advisor
from replatform.price.usage import Usage, load_usage, load_usage_in_root, validate_against
from replatform.registry.stage import RegistryOptions
from replatform.report.escape import terminal
from replatform.report.html import render as render_html
from replatform.report.json_report import report_to_dict
from replatform.report.sarif import SarifReporter


@dataclass
class Assessment:
    """Everything the main job produces."""

    report: Report
    plan: Plan
    snapshot: Snapshot
    usage: Usage
    advisor: Advisor | None = None
    #: What ``replatform migrate`` would do (verified dry run, unsafe fixes included and labelled).
    fixes: Migration | None = None
    #: EC2 training hosts vs SageMaker training jobs (empty when the repository has no training host).
    training: list[CostLine] = field(default_factory=list)
    training_prices: TrainingPrices | None = None

    def to_dict(self) -> dict[str, object]:
        data = report_to_dict(self.report)
        data["costs"] = {
            "region": self.snapshot.region,
            "estimated_region": self.snapshot.estimated,
            "snapshot_date": self.snapshot.data["snapshot_date"],
            "totals": totals(self.plan.costs),
            "by_target": {
                target: {
                    "monthly": total.monthly,
                    "priced": list(total.priced),
                    "today": total.today,
                    "saving": total.saving,
                    "not_applicable": list(total.not_applicable),
                    "unpriced": list(total.unpriced),
                }
                for target, total in target_totals(self.plan.costs).items()
            },
            "spot_advisor": self.advisor.data["as_of"] if self.advisor is not None else None,
            "lines": [cost_to_dict(line) for line in self.plan.costs],
        }
        if self.fixes is not None:
            data["fixes"] = fix_summary.to_dict(self.fixes, self.report.root)
        data["plan"] = {
            "target": self.plan.target,
            "hourly_rate": self.plan.hourly_rate,
            "effort_hours": self.plan.effort_hours,
            "monthly_saving": self.plan.monthly_saving,
            "annual_saving": self.plan.annual_saving,
            "payback_months": self.plan.payback_months,
            "items": [
                {
                    "component": i.component,
                    "name": i.name,
                    "kind": i.kind,
                    "phase": i.phase,
                    "readiness": i.readiness,
                    "risk": i.risk,
                    "reasons": list(i.reasons),
                    "effort_hours": i.effort_hours,
                    "monthly_saving": i.monthly_saving,
                    "spot": i.spot,
                    "spot_reasons": list(i.spot_reasons),
                    "changes": [_change(f) for f in i.changes],
                }
                for i in self.plan.items
            ],
        }
        if self.training and self.training_prices is not None:
            data["training_costs"] = {
                "snapshot": self.training_prices.describe(),
                "region": self.training_prices.region,
                "graviton_offered": graviton_offered_for_training(),
                "lines": [cost_to_dict(line) for line in self.training],
            }
        return data


def _change(finding: Finding) -> dict[str, object]:
    return {
        "rule_id": finding.rule_id,
        "severity": finding.severity.value,
        "path": finding.location.path,
        "line": finding.location.line,
        "message": finding.message,
        "fix": finding.fix.description if finding.fix is not None else None,
    }


def assess_project(
    root: str,
    *,
    region: str = "us-east-1",
    usage_file: str | None = None,
    target: str = "graviton",
    hourly_rate: float = 100.0,
    strategy: str = "performance_parity",
    registry: RegistryOptions | None = None,
    prices_dir: Path | None = None,
    performance_factor: float | None = None,
    parameters: tuple[tuple[str, str], ...] = (),
    var_files: tuple[str, ...] | list[str] = (),
    config: Config | None = None,
) -> Assessment:
    if not hourly_rate > 0:
        raise UsageError(f"--hourly-rate must be more than 0 (got {hourly_rate:g})")
    if performance_factor is not None and not performance_factor > 0:
        raise UsageError(f"--performance-factor must be more than 0 (got {performance_factor:g})")
    if target not in TARGETS:
        raise UsageError(f"--target must be one of {', '.join(TARGETS)}")
    if usage_file is not None:
        usage = load_usage(usage_file)
    else:  # the repository may name its own usage file (.replatform.toml: usage = "..."), read inside the root
        named = (config if config is not None else load_config(root)).usage
        usage = load_usage_in_root(root, named) if named else load_usage(None)
    report = api.scan(root, registry=registry, parameters=parameters, var_files=var_files, config=config)
    validate_against(usage, report)
    snapshot = load(region, prices_dir)
    advisor = load_advisor(region, prices_dir)
    costs = cost_lines(report, snapshot, usage, strategy, advisor)
    plan = build_plan(root, report, costs, hourly_rate=hourly_rate, target=target)
    plan.performance_factor = performance_factor
    fixes = api.migrate(root, unsafe=True, report=report)
    training_prices = load_training_prices(region, prices_dir)
    training = training_cost_lines(report, usage, snapshot, training_prices)
    return Assessment(report, plan, snapshot, usage, advisor, fixes, training, training_prices)


def write_folder(assessment: Assessment, folder: str, *, sarif_include_ready: bool = False) -> list[str]:
    """MIGRATION-PLAN.md, report.json, findings.sarif and report.html; returns the paths written.

    Atomic and never through a symlink (`fsio.write_report_folder`); the folder
    is marked so the next scan of a tree that contains it skips it.
    """
    plan_text = render(assessment.report, assessment.plan, assessment.snapshot, assessment.usage, assessment.advisor)
    if assessment.training and assessment.training_prices is not None:
        scripts = sorted(
            {f.location.path for f in assessment.report.findings if f.rule_id == "sagemaker-training-script"}
        )
        plan_text += training_section(
            assessment.training,
            assessment.training_prices,
            assessment.usage,
            assessment.report.root,
            tuple(scripts),
        )
    contents = {
        "MIGRATION-PLAN.md": plan_text
        + (f"\n{fix_summary.markdown(assessment.fixes, assessment.report.root)}" if assessment.fixes else ""),
        "report.json": json.dumps(assessment.to_dict(), indent=2, sort_keys=True) + "\n",
        "findings.sarif": SarifReporter(include_ready=sarif_include_ready).render(
            api.with_fixes(assessment.report, assessment.fixes) if assessment.fixes else assessment.report
        ),
        "report.html": render_html(assessment.report, assessment),
    }
    return write_report_folder(folder, contents)


def summary(assessment: Assessment, paths: list[str]) -> str:
    """The terminal summary: components, blockers, cost and saving by target, phases."""
    report, plan = assessment.report, assessment.plan
    by_target = target_totals(plan.costs)
    blockers = sum(1 for f in report.findings if f.severity.value == "blocker")
    lines = [
        f"replatform assess {report.root}: {len(report.components)} components, {len(plan.items)} to move, {blockers} blocker(s)",
        f"prices: {assessment.snapshot.describe()}",
        "",
    ]
    if by_target["current"].priced:
        lines.append(
            "monthly cost by target (each the sum of its own lines; saving against the same components today):"
        )
        for target in TARGETS:
            total = by_target[target]
            na = f"   n/a: {', '.join(total.not_applicable)}" if total.not_applicable else ""
            if not total.priced:
                lines.append(f"  {target:<18} {total.nothing_priced()}{na}")
                continue
            lines.append(
                f"  {target:<18} {money(total.monthly, 11)}   saving {money(total.saving, 10)}/month "
                f"({len(total.priced)} priced){na}"
            )
    else:
        lines.append(
            "monthly cost: nothing priced (every cost depends on usage: replatform usage init writes a usage file)"
        )
    lines.append("")
    for phase in sorted({i.phase for i in plan.items}):
        names = ", ".join(f"{i.name} ({i.readiness})" for i in plan.items if i.phase == phase)
        lines.append(f"phase {phase} - {plan.title(phase)}: {names}")
    lines.append("")
    payback = f"payback {plan.payback_months:g} months" if plan.payback_months is not None else "payback not computable"
    lines.append(f"effort {plan.effort_hours:g} h, saving {money(plan.annual_saving)}/year on {plan.target}, {payback}")
    if assessment.fixes is not None:
        lines.append(fix_summary.one_line(assessment.fixes, report.root))
    lines.append("wrote: " + ", ".join(paths))
    return "\n".join(terminal(line) for line in lines) + "\n"  # names come from the repository
