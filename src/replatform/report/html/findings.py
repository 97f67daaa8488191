"""The findings table (filterable and sortable by the page's script), fixed findings, and the rule pages."""

from __future__ import annotations

from replatform.assess.catalog import catalog
from replatform.model import Finding, Report, Severity
from replatform.report.html.markup import badge, esc, link

_SYMBOL = {Severity.BLOCKER: "\u2716", Severity.WARNING: "\u25b2", Severity.INFO: "\u2139"}


def _severity(finding: Finding) -> str:
    return badge(f"sev-{finding.severity.value}", f"{_SYMBOL[finding.severity]} {finding.severity.value}")


def _rule_link(rule_id: str) -> str:
    if rule_id in catalog():
        return f'<a href="#rule-{esc(rule_id)}">{esc(rule_id)}</a>'
    return esc(rule_id)


def _row(finding: Finding, with_state: bool) -> str:
    loc = finding.location
    state = finding.baseline.value if finding.baseline is not None else ""
    fix = f'<br><span class="fixtext">Fix: {esc(finding.fix.description)}</span>' if finding.fix is not None else ""
    state_cell = f'<td data-sort="{esc(state)}">{badge("state-" + state, state)}</td>' if with_state and state else ""
    return (
        f'<tr data-severity="{finding.severity.value}" data-rule="{esc(finding.rule_id)}" data-path="{esc(loc.path)}"'
        f' data-baseline="{esc(state)}" data-fingerprint="{esc(finding.fingerprint)}">'
        f'<td data-sort="{finding.severity.rank}">{_severity(finding)}</td>{state_cell}'
        f'<td class="rule">{_rule_link(finding.rule_id)}</td>'
        f'<td class="where" data-sort="{esc(loc.path)}\n{loc.line:09d}"><code>{esc(loc.short())}</code></td>'
        f'<td class="subject">{esc(finding.subject)}</td>'
        f'<td class="message">{esc(finding.message)}{fix}</td>'
        f'<td class="confidence">{esc(finding.confidence.value)}</td>'
        f'<td class="num" data-sort="{finding.count}">{finding.count}</td></tr>'
    )


def _options(values: list[str]) -> str:
    return "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in values)


def table(report: Report) -> str:
    """Every finding, worst first; the controls appear only when the script runs (the table works without it)."""
    with_state = report.baseline is not None
    rules = sorted({f.rule_id for f in report.findings})
    out = ['<section aria-labelledby="findings-h"><h2 id="findings-h">Findings</h2>']
    if not report.findings:
        out += ["<p>No findings.</p>", "</section>"]
        return "\n".join(out)
    state_filter = (
        '<label>baseline<select id="filter-baseline"><option value="">all</option>'
        + _options(["new", "unchanged"])
        + "</select></label>"
        if with_state
        else ""
    )
    out.append(
        '<div class="controls" id="findings-controls" hidden>'
        '<label>severity<select id="filter-severity"><option value="">all</option>'
        + _options([s.value for s in Severity])
        + '</select></label><label>rule<select id="filter-rule"><option value="">all</option>'
        + _options(rules)
        + "</select></label>"
        + state_filter
        + '<label>path contains<input id="filter-path" type="search" autocomplete="off"></label></div>'
    )
    out.append(f'<p id="findings-shown" aria-live="polite">{len(report.findings)} findings</p>')
    state_header = '<th scope="col" data-sort-type="text"><button type="button">baseline</button></th>'
    out.append(
        '<div class="scroll"><table id="findings" class="findings"><caption>Findings, worst first; choose a column heading to sort'
        "</caption><thead><tr>"
        '<th scope="col" data-sort-type="number" aria-sort="descending"><button type="button">severity</button></th>'
        + (state_header if with_state else "")
        + '<th scope="col" data-sort-type="text"><button type="button">rule</button></th>'
        '<th scope="col" data-sort-type="text"><button type="button">location</button></th>'
        '<th scope="col">subject</th><th scope="col">message and fix</th>'
        '<th scope="col" data-sort-type="text"><button type="button">confidence</button></th>'
        '<th scope="col" class="num" data-sort-type="number"><button type="button">count</button></th>'
        "</tr></thead><tbody>"
    )
    out += [_row(f, with_state) for f in report.findings]
    out += ["</tbody></table></div>", "</section>"]
    return "\n".join(out)


def fixed(report: Report) -> str:
    """The baseline's findings that this run no longer has."""
    if report.baseline is None or not report.baseline.fixed:
        return ""
    rows = "".join(
        f"<tr><td>{_severity(f)}</td><td>{_rule_link(f.rule_id)}</td><td><code>{esc(f.location.path)}</code></td>"
        f"<td>{esc(f.message)}</td></tr>"
        for f in report.baseline.fixed
    )
    return (
        '<section aria-labelledby="fixed-h"><h2 id="fixed-h">Fixed since the baseline</h2>'
        '<table id="fixed"><caption>In the baseline, gone now</caption><thead><tr><th scope="col">severity</th>'
        '<th scope="col">rule</th><th scope="col">path</th><th scope="col">message</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></section>"
    )


def rule_pages(report: Report) -> str:
    """The page of every rule the report uses (the text of docs/rules/<id>.md), so links work offline."""
    rules = catalog()
    used = sorted({f.rule_id for f in report.findings} & set(rules))
    if report.baseline is not None:
        used = sorted(set(used) | ({f.rule_id for f in report.baseline.fixed} & set(rules)))
    if not used:
        return ""
    out = ['<section aria-labelledby="rules-h"><h2 id="rules-h">Rules</h2>']
    for rule_id in used:
        rule = rules[rule_id]
        docs = rule.docs
        references = "".join(f"<li>{link(r)}</li>" for r in rule.references)
        out.append(
            f'<section class="rule-page" id="rule-{esc(rule.id)}" aria-labelledby="rule-{esc(rule.id)}-h">'
            f'<h3 id="rule-{esc(rule.id)}-h">{esc(rule.id)}: {esc(rule.title)}</h3>'
            f'<p class="note">severity {esc(rule.severity.value)} · confidence {esc(rule.confidence.value)} · '
            f"category {esc(rule.category)} · page <code>{esc(rule.help_uri)}</code></p>"
            f"<h4>What it detects</h4><p>{esc(docs.what)}</p><h4>{esc(rule.why_heading)}</h4><p>{esc(docs.why)}</p>"
            f"<h4>Example</h4><pre>{esc(docs.example)}</pre><h4>Fix</h4><p>{esc(docs.fix)}</p>"
            f"<h4>Fix safety</h4><p>{esc(docs.fix_safety)}</p>"
            + (f"<h4>References</h4><ul>{references}</ul>" if references else "")
            + "</section>"
        )
    out.append("</section>")
    return "\n".join(out)
