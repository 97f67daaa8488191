"""Generate docs/rules/*.md (and docs/rules/README.md) from knowledge/rules.json.

python tools/gen_rule_docs.py          # write
python tools/gen_rule_docs.py --check  # exit 1 when the committed pages are stale
"""

from __future__ import annotations

import sys
from pathlib import Path

from replatform.assess.catalog import Rule, catalog

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"


def page(rule: Rule) -> str:
    references = "\n".join(f"- <{r}>" for r in rule.references) or "- (none)"
    return (
        f"# {rule.id}: {rule.title}\n\n"
        f"Severity: **{rule.severity.value}** · Confidence: **{rule.confidence.value}** · Category: {rule.category}\n\n"
        f"## What it detects\n\n{rule.docs.what}\n\n"
        f"## {rule.why_heading}\n\n{rule.docs.why}\n\n"
        f"## Example\n\n```\n{rule.docs.example}\n```\n\n"
        f"## Fix\n\n{rule.docs.fix}\n\n"
        f"## Fix safety\n\n{rule.docs.fix_safety}\n\n"
        f"## References\n\n{references}\n\n"
        f"Suppress one occurrence with a comment on its line or the line above: "
        f"`replatform: ignore[{rule.id}] <reason>`.\n"
    )


def index(rules: list[Rule]) -> str:
    rows = "\n".join(
        f"| [{r.id}]({r.id}.md) | {r.title} | {r.severity.value} | {r.confidence.value} | {r.category} |" for r in rules
    )
    return (
        "# Rules\n\nGenerated from `src/replatform/knowledge/rules.json` by `tools/gen_rule_docs.py`; do not edit by hand.\n\n"
        "| rule | title | severity | confidence | category |\n|---|---|---|---|---|\n" + rows + "\n"
    )


def expected() -> dict[Path, str]:
    rules = sorted(catalog().values(), key=lambda r: r.id)
    pages = {DOCS / f"{r.id}.md": page(r) for r in rules}
    pages[DOCS / "README.md"] = index(rules)
    return pages


def main() -> int:
    pages = expected()
    if "--check" in sys.argv:
        stale = [p.name for p, text in pages.items() if not p.exists() or p.read_text() != text]
        extra = [p.name for p in DOCS.glob("*.md") if p not in pages]
        if stale or extra:
            print(f"stale rule docs: {', '.join(sorted(stale + extra))}; run python tools/gen_rule_docs.py")
            return 1
        return 0
    DOCS.mkdir(parents=True, exist_ok=True)
    for old in DOCS.glob("*.md"):
        if old not in pages:
            old.unlink()
    for path, text in pages.items():
        path.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
