"""The plan on infrastructure code we did not write, and how linking findings to components scales.

1. Corpora: template fixtures shipped in PyPI sdists (downloaded once into
   bench/.cache, nothing built or run). For each: components planned, readiness
   counts, Lambda functions blocked by a runtime without arm64, components "not
   assessed" (no linked code), and the seconds of the cost model and of the
   plan (linking included) next to discovery + assessment (`api.scan`).
2. Scaling: a synthetic report with C components in one IaC file and F
   findings spread over their folders; the plan's linking time for (C, F) and
   (4C, 4F). Linear linking gives a ratio near 4; the per-component scan of
   every finding that main had gives a ratio near 16 (measured in the same run
   with a reimplementation of that loop, so the two are compared on one machine).

    python bench/plan_corpus.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from discovery import fetch

from replatform import api
from replatform.graph import Graph
from replatform.model import (
    Component,
    ComponentKind,
    Finding,
    Link,
    LinkKind,
    Location,
    Report,
    Severity,
    TargetKind,
)
from replatform.plan.build import build_plan
from replatform.plan.linking import FindingIndex, linked_findings
from replatform.price.cost import cost_lines
from replatform.price.snapshot import load
from replatform.price.usage import Usage

CORPORA = [
    ("aws-sam-cli==1.170.0", "aws_sam_cli-1.170.0/samcli/lib/init/templates", "SAM CLI's init templates"),
    ("cfn-lint==1.58.0", "cfn_lint-1.58.0/test/fixtures/templates", "cfn-lint's template fixtures"),
    ("cfripper==1.22.1", "cfripper-1.22.1/tests/test_templates", "cfripper's test templates"),
]


def best(repeat: int, run: object) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times), result


def corpus_row(requirement: str, folder: str, what: str, repeat: int) -> str:
    root = fetch(requirement) / folder
    scan_s, report = best(1, lambda: api.scan(str(root)))
    assert isinstance(report, Report)
    snapshot = load("us-east-1")
    cost_s, costs = best(repeat, lambda: cost_lines(report, snapshot, Usage()))
    plan_s, plan = best(repeat, lambda: build_plan(str(root), report, costs))  # type: ignore[arg-type]
    items = plan.items  # type: ignore[union-attr]
    readiness = Counter(i.readiness for i in items)
    lambdas = [i for i in items if i.kind == "lambda_function"]
    runtime_blocked = sum(1 for i in lambdas if any(f.rule_id == "lambda-runtime-no-arm64" for f in i.changes))
    return (
        f"| {what} | {len([c for c in report.components if c.kind.value in ('lambda_function', 'ecs_service', 'ecs_task_definition', 'ec2_instance', 'autoscaling_group')])} "
        f"| {len(items)} | {readiness['ready']} | {readiness['needs work']} | {readiness['blocked']} | "
        f"{readiness['not assessed']} | {len(lambdas)} | {runtime_blocked} | {scan_s:.2f} | {cost_s:.3f} | {plan_s:.3f} |"
    )


def synthetic(components: int, findings: int) -> Report:
    """``components`` Lambda functions in one file, each with a code folder; ``findings`` spread over the folders."""
    comps, links, found = [], [], []
    for n in range(components):
        location = Location("template.yaml", 10 + 5 * n, 1, 14 + 5 * n, 1)
        comp = Component(ComponentKind.LAMBDA_FUNCTION, f"Fn{n}", location, ())
        comps.append(comp)
        links.append(Link(LinkKind.HAS_CODE, comp.id, f"src/fn{n}", location, "CodeUri", TargetKind.FOLDER))
    for n in range(findings):
        folder = f"src/fn{n % components}"
        severity = Severity.BLOCKER if n % 7 == 0 else Severity.WARNING
        found.append(
            Finding(
                "dependency-below-arm64-minimum",
                severity,
                "old",
                Location(f"{folder}/requirements.txt", n % 50 + 1),
                f"pkg{n}",
            )
        )
    return Report("synthetic", tuple(comps), tuple(found), links=tuple(links))


def link_all(report: Report) -> int:
    graph, index = Graph(report), FindingIndex(report.findings, report.components)
    return sum(len(linked_findings(graph, index, c)[0]) for c in report.components)


def link_all_per_component_scan(report: Report) -> int:
    """Main's way: for every component, every finding is tested against its folders."""
    graph, total = Graph(report), 0
    for component in report.components:
        folders = [f"{folder}/" for folder in graph.code_folders(component)]
        total += sum(1 for f in report.findings if any(f.location.path.startswith(p) for p in folders))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| corpus | compute components | planned | ready | needs work | blocked | not assessed | Lambdas | "
          "Lambdas blocked by runtime | scan s | cost s | plan s |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for requirement, folder, what in CORPORA:
        print(corpus_row(requirement, folder, what, args.repeat))
    print()
    print("| components | findings | linking s | per-component scan s |")
    print("|---:|---:|---:|---:|")
    for c, f in ((500, 5_000), (2_000, 20_000)):
        report = synthetic(c, f)
        linear_s, linked = best(args.repeat, lambda report=report: link_all(report))
        scan_s, scanned = best(1, lambda report=report: link_all_per_component_scan(report))
        assert linked == scanned, (linked, scanned)  # the same answer
        print(f"| {c:,} | {f:,} | {linear_s:.3f} | {scan_s:.3f} |")


if __name__ == "__main__":
    main()
