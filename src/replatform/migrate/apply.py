"""From proposed fixes to verified file changes, and the all-or-nothing write.

Order: select (rules, components, safety) -> de-conflict edits per file -> splice the original bytes ->
re-scan a copy of the tree with the changes (the same discovery parsers re-parse every changed file; the
targeted findings must be gone and none may appear) -> validators -> offer. A fix that fails any step is
dropped with its reason, and the rest are checked again without it. Writing replaces every changed file
from temporary files, or none: a file that changed since it was read, is read-only or cannot be written
stops the whole write and restores what was already replaced.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from replatform.errors import MigrateError
from replatform.fsio import fs_path
from replatform.graph import Graph
from replatform.migrate.editors.text import splice
from replatform.migrate.targets import Proposal
from replatform.migrate.validate import Neighbours, Status, Validation, skipped, validate
from replatform.migrate.workspace import read_inside
from replatform.model import Applicability, Edit, Report, Severity

#: Rounds of "drop the failing fixes and check the rest again" before giving up on the remainder.
MAX_ROUNDS = 4
_PARSE_RULES = ("parse-error", "internal-error")

Scanner = Callable[[str], Report]


class Outcome(StrEnum):
    """What happened to one proposed fix."""

    APPLIED = "applied"  # verified and written (--apply)
    PLANNED = "planned"  # verified, shown as a diff (dry run)
    SKIPPED_UNSAFE = "needs --unsafe-fixes"
    MANUAL = "manual"
    NOT_SELECTED = "not selected"
    CONFLICT = "conflict"
    REJECTED = "rejected"  # did not re-parse, did not clear its finding, added one, or failed a validator


@dataclass(frozen=True)
class FixResult:
    proposal: Proposal
    outcome: Outcome
    detail: str = ""


@dataclass(frozen=True)
class FileChange:
    path: str
    before: bytes
    after: bytes
    new_file: bool = False


@dataclass(frozen=True)
class MigrateOptions:
    """What the user asked for."""

    rules: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    unsafe: bool = False
    validators: bool = True


@dataclass(frozen=True)
class Migration:
    """The outcome of planning (and maybe writing) one migration."""

    root: str
    target: str
    results: tuple[FixResult, ...]
    changes: tuple[FileChange, ...]
    validations: tuple[Validation, ...] = ()
    applied: bool = False

    def with_outcome(self, outcome: Outcome) -> tuple[FixResult, ...]:
        return tuple(r for r in self.results if r.outcome is outcome)

    @property
    def offered(self) -> tuple[FixResult, ...]:
        """Fixes whose edits are in ``changes``."""
        return tuple(r for r in self.results if r.outcome in (Outcome.PLANNED, Outcome.APPLIED))

    @property
    def remaining(self) -> tuple[FixResult, ...]:
        """Work left for a person: manual fixes, unsafe ones not asked for, conflicts and rejected ones."""
        left = (Outcome.MANUAL, Outcome.SKIPPED_UNSAFE, Outcome.CONFLICT, Outcome.REJECTED)
        return tuple(r for r in self.results if r.outcome in left)


# ---------------------------------------------------------------- selection


def _selected(proposal: Proposal, options: MigrateOptions) -> bool:
    fix = proposal.fix
    if options.rules and fix.rule_id not in options.rules:
        return False
    if options.components:
        names = {fix.component, fix.component.rsplit("#", 1)[-1], *(f.subject for f in proposal.findings)}
        return any(c in names for c in options.components)
    return True


def _triage(proposals: list[Proposal], options: MigrateOptions) -> tuple[list[Proposal], list[FixResult]]:
    candidates, settled = [], []
    for proposal in proposals:
        fix = proposal.fix
        if not _selected(proposal, options):
            settled.append(FixResult(proposal, Outcome.NOT_SELECTED))
        elif fix.applicability is Applicability.MANUAL or not fix.edits:
            settled.append(FixResult(proposal, Outcome.MANUAL, fix.why))
        elif fix.applicability is Applicability.UNSAFE and not options.unsafe:
            settled.append(FixResult(proposal, Outcome.SKIPPED_UNSAFE, fix.why))
        else:
            candidates.append(proposal)
    return candidates, settled


# ---------------------------------------------------------------- conflicts and splicing


def _overlaps(a: Edit, b: Edit) -> bool:
    """Two different edits of one file that touch the same bytes (or insert different text at one point)."""
    if a == b or a.path != b.path:
        return False
    if a.start_byte == a.end_byte == b.start_byte == b.end_byte:
        return not (_whole_lines(a) and _whole_lines(b))
    return a.start_byte < b.end_byte and b.start_byte < a.end_byte


def _whole_lines(edit: Edit) -> bool:
    return edit.replacement.endswith("\n")


def deconflict(proposals: list[Proposal]) -> tuple[list[Proposal], list[FixResult]]:
    """Keep fixes in order; a later fix whose edit overlaps a kept one is a conflict, never merged."""
    kept: list[Proposal] = []
    conflicts = []
    taken: dict[str, list[tuple[Edit, Proposal]]] = defaultdict(list)
    for proposal in proposals:
        clash = None
        for edit in proposal.fix.edits:
            for other, owner in taken[edit.path]:
                if _overlaps(edit, other):
                    clash = owner
                    break
            if clash is not None:
                break
        if clash is not None:
            where = f"{proposal.fix.edits[0].path}"
            conflicts.append(
                FixResult(
                    proposal,
                    Outcome.CONFLICT,
                    f"overlaps the edit of '{clash.fix.description}' in {where}; run migrate again after it is applied",
                )
            )
            continue
        kept.append(proposal)
        for edit in proposal.fix.edits:
            taken[edit.path].append((edit, proposal))
    return kept, conflicts


def _edits_by_file(proposals: Iterable[Proposal]) -> dict[str, list[Edit]]:
    by_file: dict[str, list[Edit]] = defaultdict(list)
    for proposal in proposals:
        for edit in proposal.fix.edits:
            if edit not in by_file[edit.path]:
                by_file[edit.path].append(edit)
    return by_file


def _changes(root: str, proposals: list[Proposal]) -> tuple[list[FileChange], dict[str, str]]:
    """Spliced files, and the paths that could not be read (with why)."""
    changes, unreadable = [], {}
    for path, edits in sorted(_edits_by_file(proposals).items()):
        if any(e.new_file for e in edits):
            if len(edits) != 1 or os.path.lexists(os.path.join(root, fs_path(path))):
                unreadable[path] = "a new file that already exists (or is created twice)"
                continue
            changes.append(FileChange(path, b"", edits[0].replacement.encode("utf-8"), new_file=True))
            continue
        try:
            before = read_inside(root, path)
        except OSError as exc:
            unreadable[path] = str(exc.strerror or exc)
            continue
        after = splice(before, edits)
        if after != before:
            changes.append(FileChange(path, before, after))
    return changes, unreadable


# ---------------------------------------------------------------- verification


def overlay(root: str, walked: tuple[str, ...], changes: list[FileChange], into: str) -> None:
    """Lay the scanned tree into ``into`` (hard links where possible) with the changed files written fresh."""
    changed = {c.path: c for c in changes}
    for path in sorted(set(walked) | set(changed)):
        target = os.path.join(into, fs_path(path))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if path in changed:
            with open(target, "wb") as handle:
                handle.write(changed[path].after)
            continue
        source = os.path.join(root, fs_path(path))
        try:
            os.link(source, target, follow_symlinks=False)
        except OSError:
            with contextlib.suppress(OSError):
                shutil.copy2(source, target, follow_symlinks=False)


def _neighbours(
    root: str, walked: tuple[str, ...], changes: list[FileChange], path: str
) -> tuple[Neighbours, Neighbours]:
    """The other files of ``path``'s folder before and after the changes, read when a validator asks."""
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    changed = {c.path: c for c in changes}

    def in_folder(candidate: str, suffixes: tuple[str, ...]) -> bool:
        parent = candidate.rsplit("/", 1)[0] if "/" in candidate else ""
        return parent == folder and candidate != path and candidate.endswith(suffixes)

    def original(suffixes: tuple[str, ...]) -> dict[str, bytes]:
        out = {}
        for other in walked:
            if in_folder(other, suffixes):
                with contextlib.suppress(OSError):
                    out[other] = read_inside(root, other)
        return out

    def changed_too(suffixes: tuple[str, ...]) -> dict[str, bytes]:
        out = original(suffixes)
        for other, change in changed.items():
            if in_folder(other, suffixes):
                out[other] = change.after
        return out

    return original, changed_too


def _rescan_problems(
    report: Report, rescanned: Report, proposals: list[Proposal], changes: list[FileChange]
) -> dict[int, str]:
    """Fix index -> why the re-scan rejects it (did not re-parse, finding not gone, new finding)."""
    changed = {c.path for c in changes}
    before = {f.fingerprint for f in report.findings}
    after = {f.fingerprint: f for f in rescanned.findings}
    problems: dict[int, str] = {}
    touching: dict[str, list[int]] = defaultdict(list)
    graph = Graph(rescanned) if any(p.expects for p in proposals) else None
    for index, proposal in enumerate(proposals):
        for path in {e.path for e in proposal.fix.edits}:
            touching[path].append(index)
        for finding in proposal.findings:
            if finding.fingerprint in after:
                problems.setdefault(index, f"the re-scan still reports {finding.rule_id} at {finding.location.short()}")
        for expectation in proposal.expects:
            if graph is not None and not expectation.holds(graph):
                problems.setdefault(index, f"the re-scan does not show {expectation.description}")
    for fingerprint, finding in after.items():
        if fingerprint in before or (finding.severity is Severity.INFO and finding.rule_id not in _PARSE_RULES):
            continue  # an info finding (an arm64-ready verdict) is news, not a problem
        path = finding.location.path
        owners = touching.get(path) or (list(range(len(proposals))) if path not in changed else [])
        owners = [i for i in owners if finding.rule_id not in proposals[i].introduces]
        what = "does not parse" if finding.rule_id in _PARSE_RULES else "adds a finding"
        for index in owners:
            problems.setdefault(index, f"{what}: {finding.rule_id} at {finding.location.short()}: {finding.message}")
    return problems


def _problems(
    root: str, report: Report, proposals: list[Proposal], scanner: Scanner | None, options: MigrateOptions
) -> tuple[dict[int, str], list[FileChange], list[Validation]]:
    """Check one set of fixes together: fix index -> why it fails, the changes, the validator verdicts."""
    changes, unreadable = _changes(root, proposals)
    problems: dict[int, str] = {}
    for index, proposal in enumerate(proposals):
        for edit in proposal.fix.edits:
            if edit.path in unreadable:
                problems[index] = f"{edit.path}: {unreadable[edit.path]}"
    if scanner is not None and changes and not problems:
        with tempfile.TemporaryDirectory(prefix="replatform-migrate-") as scratch:
            overlay(root, report.walked, changes, scratch)
            rescanned = scanner(scratch)
        problems.update(_rescan_problems(report, rescanned, proposals, changes))
    validations: list[Validation] = []
    if not options.validators:
        validations = [v for c in changes for v in skipped(c.path, c.after, "skipped (--no-validators)")]
    elif not problems:
        for change in changes:
            before, after = _neighbours(root, report.walked, changes, change.path)
            for validation in validate(change.path, change.before, change.after, before, after):
                validations.append(validation)
                if validation.status is Status.FAILED:
                    for index, proposal in enumerate(proposals):
                        if any(e.path == change.path for e in proposal.fix.edits):
                            problems.setdefault(index, f"{validation.validator} on {change.path}: {validation.detail}")
    return problems, changes, validations


def without_unmet_needs(
    proposals: list[Proposal], outcome: Outcome = Outcome.REJECTED
) -> tuple[list[Proposal], list[FixResult]]:
    """Drop every proposal that needs a fix not among ``proposals`` (and, in turn, what needs those)."""
    kept, dropped = list(proposals), list[FixResult]()
    while True:
        offered = {id(p.fix) for p in kept}
        unmet = {
            id(p): next(need for need in p.needs if id(need) not in offered)
            for p in kept
            if any(id(need) not in offered for need in p.needs)
        }
        if not unmet:
            return kept, dropped
        dropped += [
            FixResult(p, outcome, f"needs '{unmet[id(p)].description}', which is not offered")
            for p in kept
            if id(p) in unmet
        ]
        kept = [p for p in kept if id(p) not in unmet]


def verify(
    root: str,
    report: Report,
    proposals: list[Proposal],
    scanner: Scanner | None,
    options: MigrateOptions,
) -> tuple[list[Proposal], list[FixResult], list[FileChange], list[Validation]]:
    """Drop fixes until the rest re-parse, clear their findings, add none and pass the validators.

    When a problem implicates several fixes (they edit the same file), each is checked alone and only
    those that fail alone are dropped; if none does, the problem is their combination and all go.
    """
    rejected: list[FixResult] = []
    for _round in range(MAX_ROUNDS):
        problems, changes, validations = _problems(root, report, proposals, scanner, options)
        if not problems:
            return proposals, rejected, changes, validations
        if len(problems) > 1:
            alone = {i: _problems(root, report, [proposals[i]], scanner, options)[0].get(0) for i in problems}
            failing = {i: why for i, why in alone.items() if why}
            if failing:
                problems = failing
        rejected += [FixResult(proposals[i], Outcome.REJECTED, why) for i, why in sorted(problems.items())]
        proposals, dependents = without_unmet_needs([p for i, p in enumerate(proposals) if i not in problems])
        rejected += dependents
        if not proposals:
            return [], rejected, [], []
    rejected += [
        FixResult(p, Outcome.REJECTED, "still failing after several rounds of dropping fixes") for p in proposals
    ]
    return [], rejected, [], []


def plan(
    root: str,
    report: Report,
    target: str,
    proposals: list[Proposal],
    options: MigrateOptions,
    scanner: Scanner | None,
) -> Migration:
    """Select, de-conflict and verify: the changes ``--apply`` would write."""
    candidates, settled = _triage(proposals, options)
    kept, conflicts = deconflict(candidates)
    kept, unmet = without_unmet_needs(kept)
    verified, rejected, changes, validations = verify(root, report, kept, scanner, options)
    rejected += unmet
    planned = [FixResult(p, Outcome.PLANNED) for p in verified]
    order = {id(p): i for i, p in enumerate(proposals)}
    results = sorted([*planned, *settled, *conflicts, *rejected], key=lambda r: order[id(r.proposal)])
    return Migration(root, target, tuple(results), tuple(changes), tuple(validations))


# ---------------------------------------------------------------- writing


def write(migration: Migration) -> Migration:
    """Write every change or none; returns the migration marked applied."""
    root = migration.root
    staged: list[tuple[FileChange, str, str]] = []  # change, temp path, final path
    try:
        for change in migration.changes:
            final = os.path.join(os.path.realpath(root), fs_path(change.path))
            _check_unchanged(root, change, final)
            directory = os.path.dirname(final)
            if change.new_file:
                os.makedirs(directory, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=directory, prefix=".replatform-")
            staged.append((change, temp, final))
            with os.fdopen(fd, "wb") as handle:
                handle.write(change.after)
                handle.flush()
                os.fsync(handle.fileno())
            if not change.new_file:
                shutil.copymode(final, temp)
    except (OSError, MigrateError) as exc:
        _discard(staged)
        raise MigrateError(f"nothing was written: {exc}") from exc
    replaced: list[FileChange] = []
    try:
        for change, temp, final in staged:
            os.replace(temp, final)
            replaced.append(change)
    except OSError as exc:
        _restore(root, replaced)
        _discard([s for s in staged if s[0] not in replaced])
        raise MigrateError(f"nothing was written (restored {len(replaced)} file(s)): {exc}") from exc
    results = tuple(
        replace(r, outcome=Outcome.APPLIED) if r.outcome is Outcome.PLANNED else r for r in migration.results
    )
    return replace(migration, results=results, applied=True)


def _check_unchanged(root: str, change: FileChange, final: str) -> None:
    if change.new_file:
        if os.path.lexists(final):
            raise MigrateError(f"{change.path} exists now; it did not when the migration was planned")
        return
    current = read_inside(root, change.path)
    if current != change.before:
        raise MigrateError(f"{change.path} changed since it was read; run migrate again")
    mode = os.lstat(final).st_mode
    if not mode & stat.S_IWUSR:
        raise MigrateError(f"{change.path} is read-only")


def _discard(staged: list[tuple[FileChange, str, str]]) -> None:
    for _change, temp, _final in staged:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def _restore(root: str, replaced: list[FileChange]) -> None:
    for change in replaced:
        final = os.path.join(os.path.realpath(root), fs_path(change.path))
        with contextlib.suppress(OSError):
            if change.new_file:
                os.unlink(final)
                continue
            fd, temp = tempfile.mkstemp(dir=os.path.dirname(final), prefix=".replatform-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(change.before)
            shutil.copymode(final, temp)
            os.replace(temp, final)


def attach_fixes(report: Report, migration: Migration) -> Report:
    """The findings of ``report`` carrying the verified fixes (with edits) that answer them."""
    by_fingerprint = {f.fingerprint: r.proposal.fix for r in migration.offered for f in r.proposal.findings}
    findings = tuple(
        replace(f, fix=by_fingerprint[f.fingerprint]) if f.fingerprint in by_fingerprint else f for f in report.findings
    )
    return replace(report, findings=findings)
