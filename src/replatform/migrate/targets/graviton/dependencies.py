"""Dependencies below their first arm64-ready version -> that version, written where the pin is.

The version comes from the knowledge base entry the finding was made from, or from the registry verdict
(``first arm64-ready version``). Safe within the same major version (0.x: the same minor), unsafe across
majors; unsafe too when a lockfile or go.sum must be regenerated for the change to take effect.
"""

from __future__ import annotations

import posixpath
import re

from packaging.version import InvalidVersion, Version

from replatform import knowledge
from replatform.migrate.editors.manifests import replace_maven_version, replace_version
from replatform.migrate.targets.graviton.context import Context, make_fix
from replatform.model import Applicability, Component, ComponentKind, Finding, Fix
from replatform.registry.stage import FIRST_READY_LABEL
from replatform.registry.target import line_of

#: How a registry finding's fix says its version was chosen for the workload's Python (`registry.stage`).
_REGISTRY_CHOSE = "the first release with an aarch64 wheel for"

_LOCKFILES = {
    "npm": ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"),
    "pypi": ("poetry.lock", "Pipfile.lock", "uv.lock"),
    "go": ("go.sum",),
    "cargo": ("Cargo.lock",),
}


def first_ready(finding: Finding, dependency: Component) -> str | None:
    """The first arm64-ready version the finding is about (registry verdict first, then the knowledge base)."""
    registry = re.search(re.escape(FIRST_READY_LABEL) + r"\s*([^\s;)\]]+)", finding.message)
    if registry is not None:
        return registry.group(1)
    ecosystem = dependency.get("ecosystem")
    fact = knowledge.packages().get(knowledge.package_key(str(ecosystem), dependency.name))
    return fact.min_version if fact is not None else None


def _major(version: str) -> tuple[int, ...] | None:
    try:
        release = Version(version.lstrip("v")).release
    except InvalidVersion:
        return None
    return release[:2] if release and release[0] == 0 else release[:1]


def fix_dependency(ctx: Context, finding: Finding, dependency: Component | None) -> Fix:
    rule, path = finding.rule_id, finding.location.path
    description = f"Upgrade {finding.subject} to its first arm64-ready version"
    if dependency is None:
        return make_fix(
            rule, path, description, [], Applicability.MANUAL, "The dependency was not found in the inventory."
        )
    old = dependency.get("version")
    new = first_ready(finding, dependency)
    if not isinstance(old, str) or new is None:
        return make_fix(
            rule,
            dependency,
            description,
            [],
            Applicability.MANUAL,
            "No pinned version or no arm64-ready version to move to.",
        )
    description = f"Upgrade {dependency.name} {old} -> {new} (first arm64-ready version)"
    buffer = ctx.ws.buffer(dependency.location.path)
    where = dependency.attribute("version")
    span = where.location if where is not None and where.location is not None else dependency.location
    edit = replace_version(buffer, span.start_byte, span.end_byte, dependency.name, old, new) if buffer else None
    if edit is None and buffer is not None and dependency.get("ecosystem") == "maven":
        edit = replace_maven_version(buffer, dependency.name, old, new)
    if edit is None:
        why = f"Needs a person: the version {old} is not written in one place we can find from {dependency.location.short()}."
        return make_fix(rule, dependency, description, [], Applicability.MANUAL, why)
    old_major, new_major = _major(old), _major(new)
    lockfile = _lockfile(ctx, dependency)
    if old_major is None or old_major != new_major:
        applicability = Applicability.UNSAFE
        why = f"Unsafe: {old} -> {new} crosses a major version, so the package's API may have changed."
    else:
        applicability = Applicability.SAFE
        why = f"Safe: {old} -> {new} stays within major version {'.'.join(map(str, new_major or ()))}."
    unchecked = _unchecked_for_python(ctx, finding, dependency, new)
    if unchecked:
        applicability = Applicability.UNSAFE
        why = why.replace("Safe: ", "", 1) if why.startswith("Safe: ") else why
        why = f"Unsafe: {unchecked} " + why.removeprefix("Unsafe: ")
    if lockfile:
        applicability = Applicability.UNSAFE
        why += f" {lockfile} must be regenerated for the new version to be installed."
    return make_fix(rule, dependency, description, [edit], applicability, why)


def _unchecked_for_python(ctx: Context, finding: Finding, dependency: Component, new: str) -> str:
    """Why ``new`` is not known to install for the workload's Python ("" when the registry chose it for that
    Python: its first release with an aarch64 wheel for the target).

    The knowledge base's minimum is the first release with any aarch64 support, which predates newer Pythons
    (numpy 1.19.0 has no cp311 wheel); offline nothing says which Pythons a release has wheels for.
    """
    if dependency.get("ecosystem") != "pypi":
        return ""
    if finding.fix is not None and _REGISTRY_CHOSE in finding.fix.description:
        return ""
    target = ctx.python_target(posixpath.dirname(dependency.location.path))
    version = target.python if target is not None else None
    python = f"CPython {line_of(version)}" if version else "the workload's Python (not known)"
    return (
        f"{new} is the knowledge base's first arm64-ready release, not checked against {python}: an old release "
        "may publish no wheel for it (run migrate online to pick the first release with an aarch64 wheel for it)."
    )


def _lockfile(ctx: Context, dependency: Component) -> str | None:
    ecosystem = str(dependency.get("ecosystem"))
    folder = posixpath.dirname(dependency.location.path)
    for name in _LOCKFILES.get(ecosystem, ()):
        candidate = posixpath.join(folder, name) if folder else name
        if candidate != dependency.location.path and ctx.ws.exists(candidate):
            return candidate
    return None


def dependency_of(ctx: Context, finding: Finding) -> Component | None:
    kinds = (ComponentKind.PACKAGE_DEPENDENCY,)
    for component in ctx.graph.declared(finding.location.path, finding.subject, kinds):
        if component.location.line == finding.location.line:
            return component
    return None
