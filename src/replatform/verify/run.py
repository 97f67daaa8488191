"""``replatform verify``: scan with the registries, then resolve every Python requirement set for arm64."""

from __future__ import annotations

from dataclasses import dataclass, field

from replatform import api
from replatform.assess.context import Context
from replatform.model import Component, ComponentKind, Finding, Report, Severity
from replatform.registry.pypi import default_index_url
from replatform.registry.stage import RegistryOptions, indexes, targets_by_directory
from replatform.verify.python import PythonVerification, verify_requirements


@dataclass
class VerifyReport:
    """Per ecosystem: what resolves for arm64, what does not, and the fix."""

    root: str
    scan: Report
    python: list[PythonVerification] = field(default_factory=list)

    def findings(self, *prefixes: str) -> list[Finding]:
        return [f for f in self.scan.findings if f.rule_id.startswith(prefixes)]

    @property
    def failed(self) -> bool:
        blockers = [f for f in self.findings("image-", "npm-no-arm64") if f.severity is Severity.BLOCKER]
        return bool(blockers) or any(p.failures or p.error for p in self.python)


def _requirement_line(dep: Component) -> str:
    version, specifier, markers = dep.get("version"), dep.get("specifier"), dep.get("markers")
    text = dep.name + (
        str(specifier) if isinstance(specifier, str) else (f"=={version}" if isinstance(version, str) else "")
    )
    return f"{text} ; {markers}" if isinstance(markers, str) else text


def verify(root: str, options: RegistryOptions) -> VerifyReport:
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
    return result


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
