"""``replatform verify``: scan with the registries, then resolve every Python requirement set for arm64."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from replatform import api
from replatform.assess.context import Context
from replatform.model import Component, ComponentKind, Finding, Report, Severity
from replatform.registry.pypi import default_index_url
from replatform.registry.stage import RegistryOptions, indexes, targets_by_directory
from replatform.registry.target import Target
from replatform.verify.python import PythonVerification, uv_platform, verify_requirements


@dataclass
class NodeVerification:
    """An npm project's dependencies required by the arm64 Node.js under emulation."""

    source: str
    node_major: str
    emulation: object = None  # emulate.ImportResult, or the reason it could not run


@dataclass
class VerifyReport:
    """Per ecosystem: what resolves for arm64, what does not, and the fix."""

    root: str
    scan: Report
    python: list[PythonVerification] = field(default_factory=list)
    node: list[NodeVerification] = field(default_factory=list)

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


def _requirement_line(dep: Component) -> str:
    version, specifier, markers = dep.get("version"), dep.get("specifier"), dep.get("markers")
    text = dep.name + (
        str(specifier) if isinstance(specifier, str) else (f"=={version}" if isinstance(version, str) else "")
    )
    return f"{text} ; {markers}" if isinstance(markers, str) else text


def _emulate(check: PythonVerification, options: RegistryOptions, index_url: str | None) -> None:
    from replatform.verify import emulate

    if not check.resolved:
        check.emulation = "nothing resolved for arm64, so nothing to import"
        return
    python = check.target.python or emulate.SYSROOT_PYTHON
    if ".".join(python.split(".")[:2]) != emulate.SYSROOT_PYTHON:
        check.emulation = (
            f"the emulator's sysroot has CPython {emulate.SYSROOT_PYTHON}; the target is {check.target.python}"
        )
        return
    cache = options.cache_dir or Path(tempfile.gettempdir()) / "replatform"
    try:
        sysroot = emulate.build_sysroot(cache)
        with tempfile.TemporaryDirectory(prefix="replatform-wheels-") as work:
            target_dir = Path(work)
            capped = Target(
                check.target.python,
                check.target.libc,
                min(check.target.libc_version, emulate.SYSROOT_GLIBC, key=_glibc_key),
            )
            emulate.install_wheels(
                [f"{name}=={version}" for name, version in check.resolved],
                target_dir,
                platform=uv_platform(capped),
                index_url=index_url,
                find_links=options.find_links,
            )
            check.emulation = emulate.import_modules(sysroot, [target_dir], emulate.top_level_modules(target_dir))
    except emulate.EmulationError as exc:
        check.emulation = str(exc)


def _emulate_node(root: str, scan: Report, options: RegistryOptions) -> list[NodeVerification]:
    import json

    from replatform.verify import emulate

    majors = {
        c.location.path.rpartition("/")[0]: str(c.get("version")).split(".")[0]
        for c in scan.components
        if c.kind is ComponentKind.RUNTIME and c.get("language") == "node"
    }
    out = []
    for path in sorted({c.location.path for c in scan.components if c.location.path.endswith("package.json")}):
        try:
            manifest = json.loads((Path(root) / path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        dependencies = manifest.get("dependencies") if isinstance(manifest, dict) else None
        if not isinstance(dependencies, dict) or not dependencies:
            continue
        directory = path.rpartition("/")[0]
        check = NodeVerification(path, majors.get(directory) or majors.get("") or "20")
        cache = options.cache_dir or Path(tempfile.gettempdir()) / "replatform"
        try:
            sysroot = emulate.build_sysroot(cache)
            node = emulate.node_binary(cache, check.node_major)
            with tempfile.TemporaryDirectory(prefix="replatform-node-") as work:
                emulate.install_node_modules({str(k): str(v) for k, v in dependencies.items()}, Path(work))
                check.emulation = emulate.require_modules(node, sysroot, Path(work), sorted(dependencies))
        except emulate.EmulationError as exc:
            check.emulation = str(exc)
        out.append(check)
    return out


def _glibc_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def verify(root: str, options: RegistryOptions, *, emulate: bool = False) -> VerifyReport:
    """Everything ``scan`` does with the registries, plus arm64 resolution of each requirements file."""
    scan = api.scan(root, registry=options)
    result = VerifyReport(root, scan)
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
        primary, extras = indexes(ctx, path, default or "", options)
        target = targets[path.rpartition("/")[0]]
        cache = str(options.cache_dir / "uv") if options.cache_dir is not None else None
        result.python.append(
            verify_requirements(
                path,
                [_requirement_line(d) for d in deps],
                target,
                index_url=primary or None,
                extra_index_urls=extras,
                offline=options.offline,
                cache_dir=cache,
                known_failures=known_by_file.get(path, {}),
            )
        )
        if emulate:
            _emulate(result.python[-1], options, primary or None)
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
    failed = {m: e for m, e in results.items() if e is not None}
    caveats = "; ".join(getattr(emulation, "caveats", ()))
    lines = [f"  {title}: {len(results) - len(failed)} of {len(results)} {noun} ({caveats})"]
    return lines + [f"  {failure} {module}: {error}" for module, error in sorted(failed.items())]


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
        out += _emulation_lines(check.emulation, "emulated aarch64 imports", "modules imported", "IMPORT FAILED")
    for node_check in report.node:
        out.append("")
        out.append(f"Node  {node_check.source}  (arm64 Node.js {node_check.node_major} under emulation)")
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
    if report.failed:
        verdict = "something does not install or run on linux/arm64"
    elif any(p.unverified for p in report.python):
        verdict = "nothing failed, but some sets could not be verified (see NOT VERIFIED)"
    else:
        verdict = "everything checked installs on linux/arm64"
    out.append(f"verdict: {verdict}")
    return "\n".join(out) + "\n"
