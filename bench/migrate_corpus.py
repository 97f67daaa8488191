"""``replatform migrate`` over real template corpora: the ones ``iac_corpus.py`` measures discovery on.

The sdists (downloaded once into bench/.cache, nothing built or run) ship CloudFormation and SAM templates
written by many hands: good ones, deliberately bad ones, quick starts. Each template is copied alone into
a scratch folder and migrated there with unsafe fixes included (every fix with edits is verified:
re-parsed, re-scanned, cfn-lint before/after), then applied, then migrated again to check the second run
finds nothing. Prints the counts for bench/README.md.

    python bench/migrate_corpus.py [REQUIREMENT ...]     # default: every corpus of iac_corpus.CORPORA
    python bench/migrate_corpus.py --target spot         # Fargate -> Fargate Spot on the same templates
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from discovery import fetch
from iac_corpus import CORPORA, IAC_SUFFIXES

from replatform import api
from replatform.migrate.apply import Outcome
from replatform.migrate.validate import Status
from replatform.model import Applicability


def templates(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in IAC_SUFFIXES)


def migrate_one(
    template: Path, base: Path, counts: Counter[str], problems: list[str], target: str = "graviton"
) -> None:
    relative = template.relative_to(base).as_posix()
    with tempfile.TemporaryDirectory(prefix="replatform-corpus-") as scratch:
        root = Path(scratch)
        (root / template.name).write_bytes(template.read_bytes())
        migration = api.migrate(str(root), unsafe=True, target=target)
        counts["ECS services"] += sum(1 for c in api.inventory(str(root)).components if c.kind.value == "ecs_service")
        counts["templates"] += 1
        if not migration.results:
            return
        counts["templates with fixes"] += 1
        for result in migration.results:
            fix = result.proposal.fix
            counts[f"outcome {result.outcome.value}"] += 1
            if result.outcome is Outcome.MANUAL:
                counts[f"manual {fix.rule_id}"] += 1
                if target != "graviton":
                    counts[f"manual: {fix.why.split(':', 2)[1].strip()[:60] if ':' in fix.why else fix.why[:60]}"] += 1
            if result.outcome is Outcome.PLANNED:
                counts[f"offered {fix.applicability.value}"] += 1
                counts[f"rule {fix.rule_id}"] += 1
            if result.outcome is Outcome.REJECTED:
                problems.append(f"rejected {relative}: {fix.rule_id}: {result.detail}")
            if result.outcome is Outcome.CONFLICT:
                problems.append(f"conflict {relative}: {fix.rule_id}: {result.detail}")
        for validation in migration.validations:
            counts[f"{validation.validator} {validation.status.value}"] += 1
            if validation.status is not Status.PASSED:
                problems.append(f"validator {relative}: {validation.status.value}: {validation.detail}")
        if not migration.changes:
            return
        counts["templates changed"] += 1
        applied = api.migrate(str(root), unsafe=True, apply=True, target=target)
        counts["fixes applied"] += len(applied.offered)
        again = api.migrate(str(root), unsafe=True, target=target)
        if again.changes:
            problems.append(f"not idempotent {relative}: {[c.path for c in again.changes]}")
        counts["second run with changes"] += bool(again.changes)
        leftover = [r for r in again.results if r.proposal.fix.applicability is not Applicability.MANUAL]
        counts["second run with fixes left"] += bool(leftover)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("requirements", nargs="*", help="corpora by requirement (default: all of iac_corpus.CORPORA)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N templates of each (a quick look)")
    parser.add_argument("--target", default="graviton", help="the migrate target (default graviton; spot too)")
    args = parser.parse_args()
    failed = False
    for requirement, folder, what in CORPORA:
        if args.requirements and requirement not in args.requirements:
            continue
        tree = fetch(requirement)
        found = templates(tree / folder)
        if args.limit:
            found = found[: args.limit]
        counts: Counter[str] = Counter()
        problems: list[str] = []
        start = time.perf_counter()
        for template in found:
            migrate_one(template, tree, counts, problems, args.target)
        print(f"{requirement} ({what}): {len(found)} files in {time.perf_counter() - start:.1f} s")
        for key in sorted(counts):
            print(f"  {key}: {counts[key]}")
        for line in problems:
            print(f"  {line}")
        failed |= any(p.startswith(("not idempotent", "validator", "rejected")) for p in problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
