"""Per-component cards (assess) and the compute inventory (scan)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from replatform.model import AttributeValue, Component, ComponentKind, Finding, Fix, PlanItem, Report, Unknown
from replatform.price.cost import TARGETS
from replatform.report.html.markup import badge, esc, money

if TYPE_CHECKING:
    from replatform.plan.run import Assessment

#: The kinds that are compute (what is priced and moved); the rest is software inside it.
COMPUTE = tuple(ComponentKind)[: list(ComponentKind).index(ComponentKind.K8S_WORKLOAD) + 1]
_INVENTORY_ATTRIBUTES = (
    "architecture",
    "runtime",
    "instance_type",
    "instance_types",
    "cpu",
    "memory_mb",
    "launch_type",
)


def _value(value: AttributeValue) -> str:
    if isinstance(value, Unknown):
        return f"unknown ({value.expression})"
    if isinstance(value, tuple):
        return ", ".join(_value(v) for v in value)
    return str(value)


def related_findings(report: Report, component: Component | None, item: PlanItem) -> list[Finding]:
    """The plan's change list for this component (linked in the plan stage), plus findings whose fix names it."""
    changes = list(item.changes)
    seen = {id(f) for f in changes}
    named = [
        f for f in report.findings if f.fix is not None and f.fix.component == item.component and id(f) not in seen
    ]
    return changes + named


def _fix(fix: Fix) -> str:
    why = f" {esc(fix.why)}" if fix.why else ""
    out = [f'<div class="fix">{badge("applicability", "fix: " + fix.applicability.value)} {esc(fix.description)}{why}']
    for edit in fix.edits:
        action = "create" if edit.new_file else f"replace bytes {edit.start_byte}-{edit.end_byte} of"
        out.append(
            f'<p class="note">{action} <code>{esc(edit.path)}</code> with:</p><pre class="edit">{esc(edit.replacement)}</pre>'
        )
    out.append("</div>")
    return "".join(out)


def _changes(findings: list[Finding], item: PlanItem) -> str:
    entries = []
    for f in findings:
        fix = _fix(f.fix) if f.fix is not None else ""
        entries.append(
            f"<li>{badge('sev-' + f.severity.value, f.severity.value)} <code>{esc(f.location.short())}</code> "
            f'<a href="#rule-{esc(f.rule_id)}">{esc(f.rule_id)}</a>: {esc(f.message)}{fix}</li>'
        )
    entries += [
        f"<li>Spot: {esc(r.removeprefix('change: '))}</li>" for r in item.spot_reasons if r.startswith("change:")
    ]
    if not entries:
        return "<h4>Changes</h4><p>None found in this component's own definition.</p>"
    return '<h4>Changes</h4><ul class="changes">' + "".join(entries) + "</ul>"


def _costs(assessment: Assessment, item: PlanItem, ident: str) -> str:
    lines = {line.target: line for line in assessment.plan.costs if line.component == item.component}
    if not lines:
        return "<p>Not priced.</p>"
    rows = []
    for target in TARGETS:
        line = lines.get(target)
        if line is None or not line.applicable:
            continue
        how = line.formula + (f" ({line.note})" if line.note and line.formula else line.note)
        estimate = '<br><span class="note">estimate</span>' if line.estimate else ""
        rows.append(
            f'<tr><th scope="row">{esc(target)}{estimate}</th><td class="num">{money(line.monthly)}</td>'
            f'<td>{esc(line.resource)}<br><span class="note">{esc(how)}</span></td></tr>'
        )
    return (
        f'<table id="{ident}-costs"><caption>Monthly cost per target</caption><thead><tr><th scope="col">target</th>'
        '<th scope="col" class="num">monthly</th><th scope="col">priced as</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table>"
    )


def cards(report: Report, assessment: Assessment) -> str:
    """One card per planned component: readiness, risk, effort, saving, Spot verdict, costs and changes."""
    by_id = {c.id: c for c in report.components}
    out = [
        '<section aria-labelledby="components-h"><h2 id="components-h">Components to move</h2>',
    ]
    if not assessment.plan.items:
        out += ["<p>No component with compute to move.</p>", "</section>"]
        return "\n".join(out)
    out.append('<div class="cards">')
    for n, item in enumerate(assessment.plan.items, start=1):
        ident = f"component-{n}"
        component = by_id.get(item.component)
        where = f" · <code>{esc(component.location.short())}</code>" if component is not None else ""
        spot = [r for r in item.spot_reasons if not r.startswith("change:")]
        out.append(
            f'<article class="card" id="{ident}" data-component="{esc(item.component)}" aria-labelledby="{ident}-h">'
            f'<h3 id="{ident}-h">{esc(item.name)}</h3><p class="note">{esc(item.kind)}{where}</p><dl>'
            f"<dt>phase</dt><dd>{item.phase}: {esc(assessment.plan.title(item.phase))}</dd>"
            f'<dt>readiness</dt><dd class="{esc(item.readiness.replace(" ", "-"))}" data-field="readiness">'
            f"{esc(item.readiness)}</dd>"
            f'<dt>risk</dt><dd data-field="risk">{esc(item.risk)}</dd>'
            f'<dt>effort</dt><dd data-field="effort">{item.effort_hours:g} h</dd>'
            f'<dt>saving / month on {esc(item.target)}</dt><dd data-field="saving">{money(item.monthly_saving)}</dd>'
            f'<dt>Spot</dt><dd data-field="spot">{esc(item.spot or "n/a")}</dd></dl>'
            + (
                "<h4>Why</h4><ul>" + "".join(f"<li>{esc(r)}</li>" for r in item.reasons) + "</ul>"
                if item.reasons
                else ""
            )
            + ("<h4>Spot verdict</h4><ul>" + "".join(f"<li>{esc(r)}</li>" for r in spot) + "</ul>" if spot else "")
            + _costs(assessment, item, ident)
            + _changes(related_findings(report, component, item), item)
            + "</article>"
        )
    out += ["</div>", "</section>"]
    return "\n".join(out)


def inventory(report: Report) -> str:
    """The compute found (scan has no plan): kind, name, place and the attributes that decide the move."""
    compute = [c for c in report.components if c.kind in COMPUTE]
    out = ['<section aria-labelledby="inventory-h"><h2 id="inventory-h">Compute found</h2>']
    if not compute:
        out += ["<p>No compute resources found.</p>", "</section>"]
        return "\n".join(out)
    out.append(
        '<table id="inventory"><caption>Compute resources (the JSON report has every attribute)</caption><thead><tr>'
        '<th scope="col">kind</th><th scope="col">name</th><th scope="col">where</th><th scope="col">attributes</th>'
        "</tr></thead><tbody>"
    )
    for c in compute:
        shown = "; ".join(f"{a.name}={_value(a.value)}" for a in c.attributes if a.name in _INVENTORY_ATTRIBUTES)
        out.append(
            f"<tr><td>{esc(c.kind.value)}</td><td>{esc(c.name)}</td><td><code>{esc(c.location.short())}</code></td>"
            f"<td>{esc(shown)}</td></tr>"
        )
    out += ["</tbody></table>", "</section>"]
    return "\n".join(out)
