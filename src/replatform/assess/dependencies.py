"""Dependencies and runtimes against the knowledge base.

One finding per package and manifest directory: when both a manifest and its
lockfile name a package, the manifest (what people edit) carries the finding,
unless only the lockfile pins a version that is too old.
"""

from __future__ import annotations

from packaging.markers import InvalidMarker, Marker, UndefinedEnvironmentName

from replatform import knowledge
from replatform.assess import build_tools
from replatform.assess.context import Context
from replatform.assess.versions import is_older, lower_bound
from replatform.model import Component, ComponentKind, Confidence, Severity
from replatform.paths import directory_of
from replatform.registry import workload

_STATUS_RULES = {
    "unsupported": "dependency-unsupported-on-arm64",
    "manual_build": "dependency-needs-manual-build",
    "x86_only": "dependency-x86-only",
    "builds_from_source": "dependency-builds-from-source",
    "needs_configuration": "dependency-needs-configuration",
}
_ECOSYSTEM_NAMES = {"pypi": "Python", "npm": "npm", "maven": "Maven", "go": "Go", "nuget": "NuGet"}


def _text(component: Component, name: str) -> str | None:
    value = component.get(name)
    return value if isinstance(value, str) else None


def _python_versions(ctx: Context) -> dict[str, str | None]:
    """The Python each folder of requirements runs on (its workload's, as the registry stage judges it)."""
    return {d: t.python for d, t in workload.targets_by_directory(ctx.report).items()}


def _applies_on_target(dep: Component, python: str | None) -> bool:
    """Whether a requirement's environment markers hold on linux/aarch64 with the project's Python."""
    markers = _text(dep, "markers")
    if not markers:
        return True
    environment = {
        "platform_machine": "aarch64",
        "platform_system": "Linux",
        "sys_platform": "linux",
        "os_name": "posix",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
    }
    if python is not None:
        environment["python_version"] = ".".join(python.split(".")[:2])
        environment["python_full_version"] = python if python.count(".") >= 2 else f"{python}.0"
    elif "python" in markers:
        return True  # cannot tell without the project's Python version: keep it
    try:
        return bool(Marker(markers).evaluate(environment))
    except (InvalidMarker, UndefinedEnvironmentName, ValueError):
        return True


def check_dependencies(ctx: Context) -> None:
    facts = knowledge.packages()
    pythons = _python_versions(ctx)
    images = build_tools.build_images(ctx)
    seen: set[tuple[str, str, str, str]] = set()
    deps = ctx.components(ComponentKind.PACKAGE_DEPENDENCY)
    # Manifests first, so a lockfile entry for the same package adds nothing new.
    deps.sort(key=lambda c: (c.get("locked") is True, c.sort_key()))
    for dep in deps:
        ecosystem = _text(dep, "ecosystem") or ""
        fact = facts.get(knowledge.package_key(ecosystem, dep.name))
        if fact is None:
            continue
        if ecosystem == "pypi" and not _applies_on_target(dep, pythons.get(directory_of(dep.location.path))):
            continue  # its markers exclude linux/aarch64 with this project's Python: never installed there
        version, specifier = _text(dep, "version"), _text(dep, "specifier")
        place = (directory_of(dep.location.path), ecosystem, dep.name.lower())
        label = f"{dep.name} {version}" if version else dep.name
        references = tuple(r for r in (fact.details, fact.source) if r)
        if fact.status in _STATUS_RULES:
            rule = _STATUS_RULES[fact.status]
            if (*place, rule) in seen:
                continue
            seen.add((*place, rule))
            fix, note = _status_fix(fact, dep, images)
            message = f"{label}: {fact.reason}" + (f"; {note}" if note else "")
            ctx.emit(rule, dep.location, message, subject=dep.name, fix=fix, references=references)
            continue
        if fact.status == "ready":
            _ready(ctx, seen, place, dep, label, fact.reason, references)
            continue
        if fact.min_version is None:
            continue
        if version is not None:
            older = is_older(ecosystem, version, fact.min_version)
            if older is False:
                _ready(
                    ctx,
                    seen,
                    place,
                    dep,
                    label,
                    f"at or above {fact.min_version}, the first arm64-ready release",
                    references,
                )
                continue
            if older:
                key = (*place, "dependency-below-arm64-minimum")
                if key in seen:
                    continue
                seen.add(key)
                recommended = f" ({fact.recommended_version} or later recommended)" if fact.recommended_version else ""
                ctx.emit(
                    "dependency-below-arm64-minimum",
                    dep.location,
                    f"{dep.name} {version} is older than {fact.min_version}, the first {_ECOSYSTEM_NAMES.get(ecosystem, ecosystem)} "
                    f"release ready for arm64: {fact.reason}",
                    subject=dep.name,
                    fix=f"Upgrade {dep.name} to >= {fact.min_version}{recommended}.",
                    references=references,
                )
                continue
        bound = lower_bound(ecosystem, specifier) if specifier else None
        if bound is not None and is_older(ecosystem, bound, fact.min_version) is False:
            why = f"{specifier} admits only releases at or above {fact.min_version}, the first arm64-ready one"
            _ready(ctx, seen, place, dep, label, why, references)
            continue
        key = (*place, "dependency-version-unchecked")
        if key in seen or dep.get("locked") is True:
            continue
        seen.add(key)
        written = f" ({specifier})" if specifier else " (no version)"
        ctx.emit(
            "dependency-version-unchecked",
            dep.location,
            f"{dep.name}{written} may resolve to a release older than {fact.min_version}, the first ready for arm64",
            subject=dep.name,
            fix=f"Require {dep.name}>={fact.min_version} or pin a version at or above it.",
            references=references,
        )
    for dep in deps:
        if dep.get("has_install_script") is True and _text(dep, "ecosystem") == "npm":
            label = f"{dep.name} {_text(dep, 'version') or ''}".rstrip()
            ctx.emit(
                "npm-install-script",
                dep.location,
                f"{label} runs an install script (builds or downloads platform code at install time)",
                subject=dep.name,
                confidence=Confidence.HIGH,
                fix=f"Run without --offline: the npm registry then says whether {label} ships a linux-arm64 binary "
                "or compiles on arm64.",
            )


def _status_fix(
    fact: knowledge.PackageFact, dep: Component, images: dict[str, build_tools.BuildImage]
) -> tuple[str | None, str]:
    """(fix, note) for a package the knowledge base marks by status; a fix that cannot name what to do is omitted."""
    alternative = fact.alternative
    if fact.status == "builds_from_source":
        needed = build_tools.NODE_GYP if fact.ecosystem == "npm" else build_tools.C_TOOLCHAIN
        return build_tools.compile_fix(images, directory_of(dep.location.path), needed, dep.name, alternative)
    if fact.status == "needs_configuration" and alternative:
        return f"{alternative[0].upper()}{alternative[1:]}.", ""
    if fact.status == "manual_build":
        where = f": {fact.details}" if fact.details else ""
        return (
            f"Build {dep.name}'s native library for aarch64 and package it in a multi-arch jar{where}."
            if where
            else None
        ), ""
    return (f"Replace {dep.name} with {alternative}." if alternative else None), ""


def _ready(
    ctx: Context,
    seen: set[tuple[str, str, str, str]],
    place: tuple[str, str, str],
    dep: Component,
    label: str,
    why: str,
    references: tuple[str, ...],
) -> None:
    key = (*place, "dependency-arm64-ready")
    if key in seen:
        return
    seen.add(key)
    ctx.emit(
        "dependency-arm64-ready",
        dep.location,
        f"{label} is ready for arm64: {why}",
        subject=dep.name,
        references=references,
    )


# Sources that state which versions a project supports (a library's range, an MSRV), not what will run it.
_SUPPORT_DECLARATIONS = frozenset(
    {"requires-python", "python_requires", "package.json engines", "Cargo.toml rust-version"}
)


def running_version(language: str, version: str, source: str | None) -> tuple[str, str] | None:
    """The version that will run, and how it was read; None when the source only states a supported range.

    A line (``python:3.7-alpine``, ``python:3``, Lambda ``python3.7``, ``.python-version`` 3.7) runs the
    newest release of that line, taken from a sourced table; a full version is taken as written.
    """
    if source in _SUPPORT_DECLARATIONS:
        return None
    release = knowledge.runtime_releases(language).line_for(version)
    if release is not None:
        return release.latest, f"{language} {version} runs the newest {version}.x release, {release.latest}"
    return version, ""


def check_runtimes(ctx: Context) -> None:
    facts = knowledge.runtimes()
    for runtime in ctx.components(ComponentKind.RUNTIME):
        if _text(runtime, "source") == "lambda runtime":
            continue  # Lambda runtimes are judged by their arm64 support (assess.iac), not a language minimum
        language, written = _text(runtime, "language"), _text(runtime, "version")
        if language is None or written is None or language not in facts:
            continue
        origin = _text(runtime, "source")
        running = running_version(language, written, origin)
        if running is None:
            continue  # requires-python >= 3.6 says what the project supports, not what runs it
        version, resolved = running
        fact = facts[language]
        references = tuple(r for r in (fact.details, fact.source) if r)
        from_where = f"from {origin or runtime.location.path}" + (f"; {resolved}" if resolved else "")
        if fact.min_version and is_older(language, version, fact.min_version):
            works = fact.min_reason != "compatibility"
            ctx.emit(
                "runtime-below-arm64-minimum",
                runtime.location,
                f"{language} {version} ({from_where}) is older than {fact.min_version}, the minimum for arm64"
                + (f" ({fact.min_reason}: it runs, but)" if works else "")
                + f": {fact.reason}",
                subject=f"{language} {written}",
                fix=f"Upgrade {language} to >= {fact.min_version}"
                + (f" ({fact.recommended_version} or later recommended)." if fact.recommended_version else "."),
                references=references,
                severity=Severity.WARNING if works else None,
            )
        elif fact.recommended_version and is_older(language, version, fact.recommended_version):
            ctx.emit(
                "runtime-below-recommended",
                runtime.location,
                f"{language} {version} ({from_where}) works on arm64; {fact.recommended_version} or later is "
                f"recommended: {fact.reason}",
                subject=f"{language} {written}",
                fix=f"Plan an upgrade to {language} {fact.recommended_version} or later.",
                references=references,
            )
