"""report.html: one self-contained page (inline CSS, JS and SVG; no network) for the people who decide.

``scan --format html`` shows the summary, the compute found and the findings;
``assess`` writes it next to MIGRATION-PLAN.md with the cost chart, the
phases, a card per component and the assumptions as well. Everything is read
from the report and plan data model, so what later stages add to them shows
up here.

Safety: every repository value is escaped (`markup.esc`), links are http(s)
or in-page anchors only, and a Content-Security-Policy allows nothing but the
page's own style and script (by hash): no network, and an injected
``<script>`` would not run even if escaping ever failed.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from replatform import __version__
from replatform.model import Report
from replatform.report.html import components, findings, overview
from replatform.report.html.markup import esc

if TYPE_CHECKING:
    from replatform.plan.run import Assessment


@cache
def _asset(name: str) -> str:
    return resources.files("replatform.report.html").joinpath(name).read_text(encoding="utf-8")


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _policy(style: str, script: str) -> str:
    return (
        f"default-src 'none'; style-src {_hash(style)}; script-src {_hash(script)}; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )


def render(report: Report, assessment: Assessment | None = None) -> str:
    """The whole page as one string (deterministic)."""
    style, script = _asset("report.css"), _asset("report.js")
    title = f"replatform report: {report.root}"
    subtitle = f"replatform {esc(__version__)} · {report.files_scanned} files read"
    body = [overview.summary(report, assessment)]
    if assessment is not None:
        body += [
            overview.cost_chart(assessment),
            overview.timeline(assessment),
            components.cards(report, assessment),
        ]
    else:
        body.append(components.inventory(report))
    body += [findings.table(report), findings.fixed(report), findings.rule_pages(report)]
    if assessment is not None:
        body.append(overview.assumptions(assessment))
    if report.errors:
        body.append(
            '<section aria-labelledby="errors-h"><h2 id="errors-h">Files that could not be read</h2><ul>'
            + "".join(f"<li><code>{esc(e.path)}</code>: {esc(e.message)}</li>" for e in report.errors)
            + "</ul></section>"
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{_policy(style, script)}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(title)}</title><style>{style}</style></head>\n"
        '<body><a class="skip" href="#main">Skip to the report</a>'
        f'<header class="page"><h1>{esc(title)}</h1><p>{subtitle}</p></header>\n'
        '<main id="main">\n' + "\n".join(part for part in body if part) + "\n</main>\n"
        f"<script>{script}</script></body></html>\n"
    )


class HtmlReporter:
    """``--format html``: the page for a scan, or for an assessment when given one."""

    def __init__(self, assessment: Assessment | None = None) -> None:
        self.assessment = assessment

    def render(self, report: Report, *, color: bool = False) -> str:
        return render(report, self.assessment)
