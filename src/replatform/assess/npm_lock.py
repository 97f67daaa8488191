"""npm lockfiles: platform-specific optional packages with no linux-arm64 variant.

Packages such as esbuild, sharp or @swc/core ship their native code as
optional dependencies restricted by ``os``/``cpu``/``libc``; npm silently
skips the ones that do not match, so a lockfile without a linux-arm64 variant
installs fine on arm64 and fails at run time. This reads the lockfile only.
"""

from __future__ import annotations

from dataclasses import dataclass

from replatform.assess.context import Context
from replatform.discover.source import SourceFile
from replatform.discover.tree import JsonParseError, Node, load_json
from replatform.model import ComponentKind, Location
from replatform.paths import directory_of, nearest
from replatform.registry.platforms import of_image


@dataclass(frozen=True)
class MissingVariant:
    """A package whose platform packages leave out linux-arm64 for the target's libc."""

    name: str
    version: str
    location: Location
    variants: tuple[str, ...]


def _strings(node: Node | None) -> tuple[str, ...]:
    if node is None:
        return ()
    return tuple(str(item.scalar) for item in node.elements() if item.scalar is not None)


def _allows(values: tuple[str, ...], wanted: str) -> bool:
    """Npm's os/cpu/libc semantics: empty allows all; ``!x`` excludes; otherwise a list of allowed."""
    if not values:
        return True
    if f"!{wanted}" in values:
        return False
    positives = [v for v in values if not v.startswith("!")]
    return not positives or wanted in positives


def missing_arm64(source: SourceFile, libc: str) -> list[MissingVariant]:
    """Packages in a package-lock v2/v3 with platform packages but none for linux/arm64 + ``libc``."""
    try:
        root = load_json(source)
    except JsonParseError:
        return []
    packages = root.get("packages")
    if packages is None or not isinstance(packages.value, dict):
        return []
    entries = dict(packages.items())
    out = []
    for path, entry in sorted(entries.items()):
        optional = entry.get("optionalDependencies")
        if optional is None or not isinstance(optional.value, dict):
            continue
        prefix = path + "/node_modules/" if path else "node_modules/"
        variants: list[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = []
        for name, _spec in optional.items():
            child = entries.get(prefix + name) or entries.get(f"node_modules/{name}")
            if child is None:
                continue
            os_values, cpu_values, libc_values = (_strings(child.get(k)) for k in ("os", "cpu", "libc"))
            if os_values or cpu_values:
                variants.append((name, os_values, cpu_values, libc_values))
        if len(variants) < 2:
            continue  # not a platform-split package
        if any(_allows(o, "linux") and _allows(c, "arm64") and _allows(lc, libc) for _, o, c, lc in variants):
            continue
        version_node = entry.get("version")
        labels = tuple(
            sorted(
                f"{'/'.join(o) or 'any'}-{'/'.join(c) or 'any'}" + (f"-{'/'.join(lc)}" if lc else "")
                for _, o, c, lc in variants
            )
        )
        name = path.rsplit("node_modules/", 1)[-1]
        out.append(MissingVariant(name, version_node.text() or "" if version_node else "", entry.location, labels))
    return out


def _libc_by_directory(ctx: Context) -> dict[str, str]:
    libcs: dict[str, str] = {}
    for stage in ctx.components(ComponentKind.DOCKERFILE_STAGE):
        base = stage.get("base")
        if isinstance(base, str):
            found = of_image(base)
            if found is not None and found.distribution is not None:
                libcs[directory_of(stage.location.path)] = found.distribution.libc  # the last stage runs
    return libcs


def check_npm_platform_packages(ctx: Context) -> None:
    libcs = _libc_by_directory(ctx)
    locks = sorted(
        {
            c.location.path
            for c in ctx.components(ComponentKind.PACKAGE_DEPENDENCY)
            if c.location.path.endswith(("package-lock.json", "npm-shrinkwrap.json"))
        }
    )
    for path in locks:
        source = ctx.read(path)
        if source is None:
            continue
        libc = nearest(libcs, directory_of(path)) or "glibc"
        for missing in missing_arm64(source, libc):
            ctx.emit(
                "npm-no-arm64-variant",
                missing.location,
                f"{missing.name} {missing.version} ships platform packages for {', '.join(missing.variants)} "
                f"and none for linux/arm64 ({libc}): npm will skip them silently on Graviton",
                subject=missing.name,
                fix=f"Upgrade {missing.name} past {missing.version} to a release that lists a "
                f"{'linuxmusl-arm64' if libc == 'musl' else 'linux-arm64'} platform package, then regenerate "
                f"{path.rsplit('/', 1)[-1]} with npm install.",
            )
