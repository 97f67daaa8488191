"""``replatform verify``: scan with the registries, then resolve every Python requirement set for arm64."""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from replatform import api
from replatform.assess.context import Context
from replatform.config import Config
from replatform.discover.software.python_manifests import valid_name
from replatform.fsio import read_in_root
from replatform.model import Component, ComponentKind, Finding, Report, Severity
from replatform.registry.pypi import default_index_url
from replatform.registry.stage import Indexes, RegistryOptions, indexes, targets_by_directory
from replatform.registry.target import Target
from replatform.report.escape import terminal
from replatform.verify import outcome
from replatform.verify.python import PythonVerification, uv_platform, verify_requirements, x86_64_control

if TYPE_CHECKING:
    from replatform.verify.emulate import ImportResult

#: package.json files larger than this are not read for emulation (the scan reports them).
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
#: What an emulated import failure is when the package imports a module it does not declare.
UNDECLARED = "a dependency the package does not declare (fails on x86_64 as well)"
_MISSING_MODULE = re.compile(r"ModuleNotFoundError: No module named '([^'.]+)")


@dataclass
class NodeVerification:
    """An npm project's dependencies required by the arm64 Node.js under emulation."""

    source: str
    node_major: str
    emulation: object = None  # emulate.ImportResult, or the reason it could not run
    not_verified: list[tuple[str, str]] = field(default_factory=list)  # (dependency, why)


@dataclass
class VerifyReport:
    """Per ecosystem: what resolves for arm64, what does not, and the fix."""

    root: str
    scan: Report
    python: list[PythonVerification] = field(default_factory=list)
    node: list[NodeVerification] = field(default_factory=list)
    emulate: bool = False

    def findings(self, *prefixes: str) -> list[Finding]:
        return [f for f in self.scan.findings if f.rule_id.startswith(prefixes)]

    @property
    def failed(self) -> bool:
        blockers = [f for f in self.findings("image-", "npm-no-arm64") if f.severity is Severity.BLOCKER]
        imports_failed = any(
            any(e is not None for e in getattr(p.emulation, "results", {}).values()) for p in self.python
        )
        requires_failed = any(
            any(e is not None for e in getattr(n.emulation, "results", {}).values()) for n in self.node
        )
        return bool(blockers) or imports_failed or requires_failed or any(p.failures or p.error for p in self.python)

    @property
    def incomplete(self) -> bool:
        """Something was not verified (network, a local reference, emulation that could not run): not a pass."""
        skipped = any(p.unverified or p.not_verified for p in self.python) or any(n.not_verified for n in self.node)
        checks: list[PythonVerification | NodeVerification] = [*self.python, *self.node]
        not_emulated = self.emulate and any(isinstance(c.emulation, str) for c in checks)
        return skipped or not_emulated


def rebuild_requirement(dep: Component) -> str:
    """One requirement line for uv, rebuilt from validated `packaging` objects, never from raw text.

    Name, extras, specifier and marker are each parsed on their own and
    re-serialised, then the line is parsed back and must say the same thing: a
    newline, an option (``-e``), a path or a URL cannot get through. Raises
    ``ValueError`` with the reason when the dependency cannot be rebuilt.
    """
    if not valid_name(dep.name):
        raise ValueError(f"not a package name: {dep.name!r}")
    requirement = Requirement(dep.name)
    extras = dep.get("extras")
    if isinstance(extras, tuple):
        if not all(isinstance(e, str) and valid_name(e) for e in extras):
            raise ValueError("invalid extras")
        requirement.extras = {str(e) for e in extras}
    version, specifier, markers = dep.get("version"), dep.get("specifier"), dep.get("markers")
    try:
        if isinstance(specifier, str):
            requirement.specifier = SpecifierSet(specifier)
        elif isinstance(version, str):
            requirement.specifier = SpecifierSet(f"=={version}")
        if isinstance(markers, str):
            requirement.marker = Marker(markers)
    except (InvalidSpecifier, InvalidMarker) as exc:
        raise ValueError(f"not a PEP 440/508 requirement ({exc})") from exc
    line = str(requirement)
    again = Requirement(line)
    if any(c in line for c in "\r\n") or again.url or str(again) != line or again.name != requirement.name:
        raise ValueError("does not survive a round trip through packaging")
    return line


def _sysroot_ok(check: PythonVerification) -> str | None:
    from replatform.verify import emulate

    if not check.resolved:
        return "nothing resolved for arm64, so nothing to import"
    python = check.target.python or emulate.SYSROOT_PYTHON
    if ".".join(python.split(".")[:2]) != emulate.SYSROOT_PYTHON:
        return f"the emulator's sysroot has CPython {emulate.SYSROOT_PYTHON}; the target is {check.target.python}"
    return None


def _emulate(check: PythonVerification, options: RegistryOptions, chosen: Indexes) -> None:
    """Install the resolved aarch64 wheels (from the indexes only) and import them in the sandbox."""
    from replatform.verify import emulate

    reason = _sysroot_ok(check)
    if reason is not None:
        check.emulation = reason
        return
    cache = options.cache_dir or Path(tempfile.gettempdir()) / "replatform"
    try:
        sysroot = emulate.build_sysroot(cache, offline=options.offline)
        with tempfile.TemporaryDirectory(prefix="replatform-wheels-") as work:
            target_dir = Path(work) / "site"
            target_dir.mkdir()
            capped = Target(
                check.target.python,
                check.target.libc,
                min(check.target.libc_version, emulate.SYSROOT_GLIBC, key=_glibc_key),
            )
            emulate.install_wheels(
                [f"{name}=={version}" for name, version in check.resolved],
                target_dir,
                platform=uv_platform(capped),
                index_url=chosen.primary or None,
                extra_index_urls=chosen.extras,
                find_links=options.find_links,
                offline=options.offline,
                cache_dir=str(options.cache_dir / "uv") if options.cache_dir is not None else None,
            )
            imported = emulate.import_modules(sysroot, [target_dir], emulate.top_level_modules(target_dir))

            def control() -> tuple[tuple[str, str], ...] | None:
                return x86_64_control(
                    check,
                    index_url=chosen.primary or None,
                    extra_index_urls=chosen.extras,
                    offline=options.offline,
                    cache_dir=str(options.cache_dir / "uv") if options.cache_dir is not None else None,
                )

            check.emulation = label_undeclared(imported, emulate.installed_names(target_dir), check.resolved, control)
    except emulate.EmulationError as exc:
        check.emulation = str(exc)


def label_undeclared(
    imported: ImportResult,
    installed: set[str],
    resolved: tuple[tuple[str, str], ...],
    control: Callable[[], tuple[tuple[str, str], ...] | None],
) -> ImportResult:
    """Mark the failures that are a dependency the package does not declare, which fail on x86_64 as well.

    A module failed with ``No module named 'x'`` for an ``x`` that nothing installed provides and that is not in
    the standard library, and the x86_64 control (``control``, run only then) resolves the same packages: ``x``
    is missing on x86_64 too, so the failure says nothing about arm64.
    """
    missing = set()
    for module, error in imported.results.items():
        match = _MISSING_MODULE.match(error or "")
        if match and match.group(1) not in installed and match.group(1) not in sys.stdlib_module_names:
            missing.add(module)
    if not missing:
        return imported
    same = control()
    if same is None or _names(same) != _names(resolved):
        return imported  # x86_64 resolves differently (markers) or not at all: no claim about it
    return replace(imported, undeclared=frozenset(missing))


def _names(packages: tuple[tuple[str, str], ...]) -> set[str]:
    return {name.lower().replace("_", "-") for name, _version in packages}


def _node_dependencies(root: str, path: str) -> dict[str, str]:
    try:
        manifest = json.loads(read_in_root(root, path, MAX_MANIFEST_BYTES).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    dependencies = manifest.get("dependencies") if isinstance(manifest, dict) else None
    if not isinstance(dependencies, dict):
        return {}
    return {str(k): str(v) for k, v in dependencies.items()}


def _emulate_node(root: str, scan: Report, options: RegistryOptions) -> list[NodeVerification]:
    from replatform.verify import emulate

    majors = {
        c.location.path.rpartition("/")[0]: str(c.get("version")).split(".")[0]
        for c in scan.components
        if c.kind is ComponentKind.RUNTIME and c.get("language") == "node"
    }
    out = []
    for path in sorted({c.location.path for c in scan.components if c.location.path.endswith("package.json")}):
        dependencies = _node_dependencies(root, path)
        if not dependencies:
            continue
        directory = path.rpartition("/")[0]
        major = majors.get(directory) or majors.get("") or "20"
        check = NodeVerification(path, major if major.isdigit() else "20")
        registry = {n: v for n, v in dependencies.items() if emulate.registry_spec(n, v)}
        check.not_verified = [
            (name, f"local or direct reference ({spec[:80]})")
            for name, spec in sorted(dependencies.items())
            if name not in registry
        ]
        out.append(check)
        if not registry:
            check.emulation = "no registry dependency to require"
            continue
        cache = options.cache_dir or Path(tempfile.gettempdir()) / "replatform"
        try:
            sysroot = emulate.build_sysroot(cache, offline=options.offline)
            node = emulate.node_binary(cache, check.node_major, offline=options.offline)
            with tempfile.TemporaryDirectory(prefix="replatform-node-") as work:
                emulate.install_node_modules(registry, Path(work), offline=options.offline)
                check.emulation = emulate.require_modules(node, sysroot, Path(work), sorted(registry))
        except emulate.EmulationError as exc:
            check.emulation = str(exc)
    return out


def _glibc_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _requirement_lines(deps: list[Component]) -> tuple[list[str], list[tuple[str, str]]]:
    """(uv input lines, dependencies left out with the reason) for one requirements set."""
    lines, skipped = [], []
    for dep in deps:
        reference = dep.get("direct_reference")
        if reference is not None:
            skipped.append((dep.name, f"local or direct reference ({str(reference)[:120]})"))
            continue
        try:
            lines.append(rebuild_requirement(dep))
        except ValueError as exc:
            skipped.append((dep.name, str(exc)))
    return lines, skipped


def verify(root: str, options: RegistryOptions, *, emulate: bool = False, config: Config | None = None) -> VerifyReport:
    """Everything ``scan`` does with the registries, plus arm64 resolution of each requirements file.

    Nothing from the repository is run: uv gets requirement lines rebuilt from
    validated objects (local and direct references are reported, never
    resolved), indexes named inside the repository must be https, and
    ``emulate`` imports only packages downloaded from the indexes, in a sandbox.
    """
    scan = api.scan(root, registry=options, config=config)
    result = VerifyReport(root, scan, emulate=emulate)
    ctx = Context(root, scan)
    targets = targets_by_directory(scan, options)
    groups: dict[str, list[Component]] = {}
    for dep in scan.components:
        if (
            dep.kind is ComponentKind.PACKAGE_DEPENDENCY
            and dep.get("ecosystem") == "pypi"
            and dep.get("locked") is not True
        ):
            groups.setdefault(dep.location.path, []).append(dep)
    default = options.index_url or default_index_url()
    registry_says = {
        "pypi-sdist-only": "only an sdist for the target: pip would compile it on arm64 (registry)",
        "pypi-no-arm64-artifact": "no wheel or sdist for the target (registry)",
        "pypi-version-not-found": "version not found on the index (registry)",
    }
    known_by_file: dict[str, dict[str, str]] = {}
    for finding in scan.findings:
        if finding.rule_id in registry_says:
            known_by_file.setdefault(finding.location.path, {})[finding.subject.lower()] = registry_says[
                finding.rule_id
            ]
    for path, deps in sorted(groups.items()):
        chosen = indexes(ctx, path, default or "", options)
        target = targets[path.rpartition("/")[0]]
        cache = str(options.cache_dir / "uv") if options.cache_dir is not None else None
        lines, skipped = _requirement_lines(deps)
        check = verify_requirements(
            path,
            lines,
            target,
            index_url=chosen.primary or None,
            extra_index_urls=chosen.extras,
            offline=options.offline,
            cache_dir=cache,
            known_failures=known_by_file.get(path, {}),
        )
        check.not_verified = skipped
        result.python.append(check)
        if emulate:
            _emulate(check, options, chosen)
    if emulate:
        result.node = _emulate_node(root, scan, options)
    return result


def _emulation_lines(emulation: object, title: str, noun: str, failure: str) -> list[str]:
    """The lines for one emulated run: the count, the caveats, then each failure."""
    if isinstance(emulation, str):
        return [f"  EMULATION not run: {emulation}"]
    if emulation is None:
        return []
    results: dict[str, str | None] = getattr(emulation, "results", {})
    undeclared: frozenset[str] = getattr(emulation, "undeclared", frozenset())
    failed = {m: e for m, e in results.items() if e is not None}
    caveats = "; ".join(getattr(emulation, "caveats", ()))
    lines = [f"  {title}: {len(results) - len(failed)} of {len(results)} {noun} ({caveats})"]
    return lines + [
        f"  UNDECLARED DEPENDENCY {module}: {error}: {UNDECLARED}"
        if module in undeclared
        else f"  {failure} {module}: {error}"
        for module, error in sorted(failed.items())
    ]


def render_text(report: VerifyReport) -> str:
    """The terminal view of a verification."""
    fixes = {
        (f.location.path, f.subject.lower()): f.fix.description for f in report.findings("pypi-") if f.fix is not None
    }
    out = [f"replatform verify {report.root}"]
    for check in report.python:
        out.append("")
        out.append(f"Python  {check.source}  ({check.target.describe()}; target from {check.target.origin})")
        if check.resolved:
            shown = ", ".join(f"{n}=={v}" for n, v in check.resolved[:12])
            more = f", ... ({len(check.resolved)} in all)" if len(check.resolved) > 12 else ""
            label = "resolved for arm64" if not check.failures else "the rest resolves for arm64"
            out.append(f"  {label}: {shown}{more}")
        for package, why in check.failures:
            out.append(f"  FAIL {package}: {why}")
            if (check.source, package) in fixes:
                out.append(f"       fix: {fixes[check.source, package]}")
        if check.error:
            out.append(f"  ERROR {check.error}")
        if check.unverified:
            out.append(f"  NOT VERIFIED {check.unverified}")
        out += [f"  NOT VERIFIED {name}: {why}" for name, why in check.not_verified]
        out += _emulation_lines(check.emulation, "emulated aarch64 imports", "modules imported", "IMPORT FAILED")
    for node_check in report.node:
        out.append("")
        out.append(f"Node  {node_check.source}  (arm64 Node.js {node_check.node_major} under emulation)")
        out += [f"  NOT VERIFIED {name}: {why}" for name, why in node_check.not_verified]
        out += _emulation_lines(node_check.emulation, "emulated arm64 require()", "packages loaded", "REQUIRE FAILED")
    images = report.findings("image-")
    if images:
        out.append("")
        out.append("Container images")
        out.extend(f"  {f.severity.value.upper():7} {f.location.short()}  {f.message}" for f in images)
    npm = report.findings("npm-no-arm64", "npm-install-script", "dependency-builds-from-source")
    if npm:
        out.append("")
        out.append("Node")
        out.extend(f"  {f.severity.value.upper():7} {f.location.short()}  {f.message}" for f in npm)
    out.append("")
    out += outcome.verdict_lines(outcome.tally(report))
    return "\n".join(terminal(line) for line in out) + "\n"  # no control character from a name reaches the terminal
