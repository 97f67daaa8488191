"""Rust (Cargo.toml, Cargo.lock), .NET project files and Ruby's Gemfile.lock."""

from __future__ import annotations

import re

from replatform.discover.result import ParseResult
from replatform.discover.software.packages import add_dependency
from replatform.discover.software.runtime_pins import add_runtime
from replatform.discover.source import SourceFile
from replatform.discover.toml_safe import load_toml
from replatform.discover.xml_safe import parse_xml, source_line
from replatform.model import Attribute, ComponentKind


def parse_rust(source: SourceFile) -> ParseResult:
    """Cargo.toml dependency tables and ``rust-version``; Cargo.lock packages."""
    result = ParseResult()
    data = load_toml(source, result)
    if data is None:
        return result
    if source.name == "Cargo.lock":
        line = 1
        packages = data.get("package", [])
        for package in packages if isinstance(packages, list) else []:
            if not isinstance(package, dict) or "name" not in package:
                continue
            found = source.find_line(f'name = "{package["name"]}"', line) or line
            line = found
            add_dependency(
                result,
                "crates.io",
                str(package["name"]),
                source.location_of_line(found),
                version=str(package.get("version", "")) or None,
                extra=[Attribute("locked", True, None)],
            )
        return result
    for table, scope in (("dependencies", None), ("dev-dependencies", "dev"), ("build-dependencies", "build")):
        deps = data.get(table, {})
        start = source.find_line(f"[{table}]") or 1
        for name, spec in deps.items() if isinstance(deps, dict) else []:
            version = spec.get("version") if isinstance(spec, dict) else spec
            line = source.find_line(f"{name} ", start) or source.find_line(f"{name}=", start) or start
            add_dependency(
                result,
                "crates.io",
                name,
                source.location_of_line(line),
                specifier=version if isinstance(version, str) else None,
                scope=scope,
            )
    package = data.get("package", {})
    if isinstance(package, dict) and isinstance(package.get("rust-version"), str):
        line = source.find_line("rust-version") or 1
        add_runtime(result, "rust", package["rust-version"], source.location_of_line(line), "Cargo.toml rust-version")
    return result


def parse_dotnet(source: SourceFile) -> ParseResult:
    """PackageReference items, TargetFramework(s) and RuntimeIdentifier(s)."""
    result = ParseResult()
    root = parse_xml(source, result)
    if root is None:
        return result
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.split("}", 1)[-1]
        location = source.location_of_line(source_line(element))
        if tag == "PackageReference" and element.get("Include"):
            version = element.get("Version")
            if version is None:
                child = next((c for c in element if isinstance(c.tag, str) and c.tag.endswith("Version")), None)
                version = child.text.strip() if child is not None and child.text else None
            add_dependency(result, "nuget", str(element.get("Include")), location, version=version)
        elif tag in ("TargetFramework", "TargetFrameworks") and element.text:
            for framework in element.text.split(";"):
                match = re.match(r"^net(?:coreapp)?(\d+\.\d+)", framework.strip())
                if match:
                    add_runtime(result, "dotnet", match.group(1), location, f"{source.name} {tag}")
        elif tag in ("RuntimeIdentifier", "RuntimeIdentifiers") and element.text:
            rids = tuple(r.strip() for r in element.text.split(";") if r.strip())
            result.add(
                ComponentKind.RUNTIME,
                f"dotnet rids {';'.join(rids)}",
                location,
                [Attribute("language", "dotnet", None), Attribute("runtime_identifiers", rids, location)],
            )
    return result


_GEM = re.compile(r"^    ([A-Za-z0-9_.\-]+) \(([^)]+)\)$")


def parse_gemfile_lock(source: SourceFile) -> ParseResult:
    """Gems pinned under ``GEM/specs`` and the ``RUBY VERSION`` section."""
    result = ParseResult()
    section = ""
    for number, raw in enumerate(source.lines, start=1):
        line = raw.rstrip("\r")
        if line and not line.startswith(" "):
            section = line.strip()
            continue
        if section in ("GEM", "GIT", "PATH"):
            match = _GEM.match(line)
            if match:
                version = match.group(2)
                platform = version.split("-", 1)[1] if "-" in version else None
                add_dependency(
                    result,
                    "rubygems",
                    match.group(1),
                    source.location_of_line(number),
                    version=version.split("-", 1)[0],
                    extra=[Attribute("platform", platform, None)] if platform else None,
                )
        elif section == "RUBY VERSION":
            match = re.search(r"ruby (\d+\.\d+(?:\.\d+)?)", line)
            if match:
                add_runtime(result, "ruby", match.group(1), source.location_of_line(number), "Gemfile.lock")
    return result
