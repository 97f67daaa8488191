"""The top of the HTML report: summary tiles, the cost chart, the phases timeline, the assumptions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from replatform.model import Report, Severity
from replatform.price.cost import TARGETS, TargetTotal, target_totals
from replatform.report.baseline import counts
from replatform.report.html.markup import esc, link, money

if TYPE_CHECKING:
    from replatform.plan.run import Assessment

_LABELS = {target: ("today" if target == "current" else target) for target in TARGETS}


def _tile(label: str, value: str, ident: str, extra: str = "") -> str:
    return (
        f'<li class="tile {extra}"><span class="label">{esc(label)}</span>'
        f'<span class="value" id="{ident}">{value}</span></li>'
    )


def summary(report: Report, assessment: Assessment | None) -> str:
    """Counts that matter first: components, blockers, and (assess) the saving per target."""
    by = {s: sum(1 for f in report.findings if f.severity is s) for s in Severity}
    tiles = [
        _tile("components found", str(len(report.components)), "count-components"),
        _tile("blockers", str(by[Severity.BLOCKER]), "count-blocker", "blocker" if by[Severity.BLOCKER] else ""),
        _tile("warnings", str(by[Severity.WARNING]), "count-warning"),
        _tile("info", str(by[Severity.INFO]), "count-info"),
    ]
    if assessment is not None:
        plan = assessment.plan
        by_target = target_totals(plan.costs)
        tiles.insert(1, _tile("components to move", str(len(plan.items)), "count-plan-items"))
        if by_target["current"].priced:
            tiles.append(_tile("cost today / month", money(by_target["current"].monthly), "summary-current"))
            for target in TARGETS[1:]:
                total = by_target[target]
                saving = money(total.saving) if total.priced else esc(total.nothing_priced())
                tiles.append(_tile(f"saving on {target} / month", saving, f"summary-saving-{_slug(target)}"))
        else:
            tiles.append(_tile("cost today / month", "not priced", "summary-current"))
        tiles.append(_tile("effort", f"{plan.effort_hours:g} h", "summary-effort"))
        payback = f"{plan.payback_months:g} months" if plan.payback_months is not None else "no priced saving"
        tiles.append(_tile(f"payback on {plan.target}", esc(payback), "summary-payback"))
    out = [
        '<section aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>',
        '<ul class="tiles">',
        *tiles,
        "</ul>",
    ]
    if report.baseline is not None:
        numbers = counts(report)
        out.append(
            f'<p id="baseline-summary">Compared with the baseline <code>{esc(report.baseline.source)}</code>: '
            f'<strong class="state-new">{numbers["new"]} new</strong>, {numbers["unchanged"]} unchanged, '
            f"{numbers['fixed']} fixed. <code>--fail-on</code> counts the new findings only.</p>"
        )
    if assessment is not None:
        plan = assessment.plan
        out.append(
            f'<p class="note">Plan target: <strong>{esc(plan.target)}</strong>; effort {plan.effort_hours:g} h at '
            f"${plan.hourly_rate:g}/h; saving {money(plan.annual_saving)} per year. Prices: "
            f"{esc(assessment.snapshot.describe())}. Spot figures are estimates (an assumed discount band), not prices.</p>"
        )
        if plan.already_arm64:
            out.append(f'<p class="note">Already on arm64: {esc(", ".join(sorted(plan.already_arm64)))}.</p>')
    out.append("</section>")
    return "\n".join(out)


def _slug(target: str) -> str:
    return target.replace("+", "-")


def cost_chart(assessment: Assessment) -> str:
    """Monthly cost today next to each target, as SVG bars with their numbers written beside them, and as a table."""
    by_target = target_totals(assessment.plan.costs)
    out = ['<section aria-labelledby="costs-h"><h2 id="costs-h">Cost per month: today and on each target</h2>']
    if not by_target["current"].priced:
        out += [
            '<p id="costs-unknown">No component has a known cost: there is no compute to price, or every cost line '
            "depends on usage (<code>replatform usage init</code> writes a usage file to fill in).</p>",
            "</section>",
        ]
        return "\n".join(out)
    out += [
        _bars(by_target),
        '<table id="cost-totals"><caption>Each total is the sum of that target\'s own lines; the saving compares the '
        "same components today (a component that cannot take a target is n/a there)</caption>",
        '<thead><tr><th scope="col">target</th><th scope="col" class="num">monthly</th>'
        '<th scope="col" class="num">annual</th><th scope="col" class="num">the same components today</th>'
        '<th scope="col" class="num">saving / month</th><th scope="col">n/a</th></tr></thead><tbody>',
    ]
    for target in TARGETS:
        total = by_target[target]
        estimate = " (estimate)" if "spot" in target else ""
        saving = "" if target == "current" else money(total.saving)
        head = f'<tr data-target="{esc(target)}"><th scope="row">{esc(_LABELS[target])}{estimate}</th>'
        tail = f"<td>{esc(', '.join(total.not_applicable))}</td></tr>"
        if not total.priced:  # no $0.00 that reads like a price
            out.append(f'{head}<td id="total-{_slug(target)}" colspan="4">{esc(total.nothing_priced())}</td>{tail}')
            continue
        out.append(
            f'{head}<td class="num" id="total-{_slug(target)}">{money(total.monthly)}</td>'
            f'<td class="num">{money(round(total.monthly * 12, 2))}</td><td class="num">{money(total.today)}</td>'
            f'<td class="num">{saving}</td>{tail}'
        )
    out += ["</tbody></table>", "</section>"]
    return "\n".join(out)


def _bars(by_target: dict[str, TargetTotal]) -> str:
    width, label_w, bar_w, row = 760, 120, 400, 64
    targets = [t for t in TARGETS[1:] if by_target[t].priced]
    scale = bar_w / max([by_target[t].today for t in targets] + [by_target[t].monthly for t in TARGETS] + [1e-9])
    parts = []
    for n, target in enumerate(targets):
        y = 8 + n * row
        total = by_target[target]
        estimate = ", an estimate" if "spot" in target else ""
        for offset, (name, value, colour) in enumerate(
            (("today", total.today, "#6e7781"), (target, total.monthly, "#1a7f37"))
        ):
            top = y + offset * 24
            length = max(round(value * scale, 1), 1.0)
            parts.append(
                f'<text x="{label_w - 8}" y="{top + 15}" text-anchor="end">{esc(name)}</text>'
                f'<rect x="{label_w}" y="{top + 2}" width="{length}" height="18" fill="{colour}"/>'
                f'<text x="{label_w + length + 6}" y="{top + 15}">{money(value)}'
                f"{esc(f' (saves {money(total.saving)}{estimate})') if offset else ''}</text>"
            )
    height = 8 + max(1, len(targets)) * row
    described = "; ".join(
        f"{target}: {money(by_target[target].monthly)} against {money(by_target[target].today)} today"
        for target in targets
    )
    return (
        f'<figure><svg role="img" aria-labelledby="chart-title chart-desc" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-title">Monthly cost today against each target</title>'
        f'<desc id="chart-desc">{esc(described)}</desc>{"".join(parts)}</svg>'
        "<figcaption>Grey: the same components today. Green: on the target. Each bar is labelled with its amount; "
        "the table below has the same numbers.</figcaption></figure>"
    )


def timeline(assessment: Assessment) -> str:
    """The phases in order, as a bar per phase over cumulative effort hours and as an ordered list."""
    plan = assessment.plan
    phases = sorted({i.phase for i in plan.items})
    out = ['<section aria-labelledby="phases-h"><h2 id="phases-h">Phases</h2>']
    if not phases:
        out += ["<p>No component with compute to move.</p>", "</section>"]
        return "\n".join(out)
    effort = {p: sum(i.effort_hours for i in plan.items if i.phase == p) for p in phases}
    total = sum(effort.values()) or 1.0
    width, label_w, bar_w, row = 760, 120, 560, 30
    parts, start = [], 0.0
    for n, phase in enumerate(phases):
        x = label_w + start / total * bar_w
        length = max(effort[phase] / total * bar_w, 2.0)
        y = 6 + n * row
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">phase {phase}</text>'
            f'<rect x="{x:.1f}" y="{y + 2}" width="{length:.1f}" height="18" fill="#0d2a45"/>'
            f'<text x="{x + length + 6:.1f}" y="{y + 15}">{effort[phase]:g} h</text>'
        )
        start += effort[phase]
    height = 12 + len(phases) * row
    out.append(
        f'<figure><svg role="img" aria-labelledby="timeline-title" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="timeline-title">Phases in order, each as long as its estimated effort</title>{"".join(parts)}</svg>'
        "<figcaption>One phase after the other; bar length is the estimated effort in hours, not calendar time."
        "</figcaption></figure>"
    )
    out.append('<ol class="timeline">')
    for phase in phases:
        items = [i for i in plan.items if i.phase == phase]
        saving = sum(i.monthly_saving or 0.0 for i in items)
        out.append(
            f'<li id="phase-{phase}"><h3>Phase {phase}: {esc(plan.title(phase))}</h3>'
            f'<p class="note">{len(items)} component(s), {effort[phase]:g} h, saving {money(round(saving, 2))}/month</p>'
            "<ul>"
            + "".join(
                f'<li>{esc(i.name)} <span class="{esc(_css(i.readiness))}">({esc(i.readiness)})</span></li>'
                for i in items
            )
            + "</ul></li>"
        )
    out += ["</ol>", "</section>"]
    return "\n".join(out)


def _css(readiness: str) -> str:
    return readiness.replace(" ", "-")


def assumptions(assessment: Assessment) -> str:
    """Where the numbers come from, and what they assume (the same facts MIGRATION-PLAN.md states)."""
    snapshot = assessment.snapshot
    low, high = snapshot.spot_band
    claims = snapshot.data.get("claims", [])
    items = [
        f"Prices: {esc(snapshot.describe())}.",
        f"Always-on components run {snapshot.hours} hours a month; counts come from the IaC.",
        f"Spot figures assume {snapshot.spot_discount:.0%} off on-demand (seen {low:.0%}-{high:.0%}): an estimate.",
        "Savings are price differences only; performance claims below are not counted.",
    ]
    items += [f"Claim ({esc(c['kind'])}): &ldquo;{esc(c['text'])}&rdquo; {link(c['source'], 'source')}" for c in claims]
    return (
        '<section aria-labelledby="assumptions-h"><h2 id="assumptions-h">Assumptions and sources</h2><ul>'
        + "".join(f"<li>{item}</li>" for item in items)
        + "</ul></section>"
    )
