"""Maven POMs and Gradle build scripts -> Maven artifacts and the Java runtime.

POMs are read with lxml with entity resolution, DTD loading and network
access turned off (scanned files are untrusted). ``${property}`` references
resolve through the POM's own properties, its parent's version and
``dependencyManagement``; what stays unresolved is `Unknown`.
Gradle scripts are not executed: string coordinates and ``group:/name:/version:``
maps are read from the text.
"""

from __future__ import annotations

import re

from lxml import etree

from replatform.discover.result import ParseResult
from replatform.discover.software.packages import add_dependency
from replatform.discover.software.runtime_pins import add_runtime
from replatform.discover.source import SourceFile
from replatform.discover.xml_safe import parse_xml, source_line
from replatform.model import Attribute, Unknown

ECOSYSTEM = "maven"
_PROPERTY = re.compile(r"\$\{([^}]+)\}")
_JAVA_PROPERTIES = ("maven.compiler.release", "maven.compiler.source", "maven.compiler.target", "java.version")


def _local(tag: object) -> str:
    return tag.split("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element: etree._Element, name: str) -> etree._Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _child_text(element: etree._Element | None, name: str) -> str | None:
    if element is None:
        return None
    child = _child(element, name)
    if child is None or child.text is None:
        return None
    return child.text.strip()


def _resolve(text: str | None, properties: dict[str, str], depth: int = 0) -> str | Unknown | None:
    if text is None:
        return None
    unresolved = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unresolved
        value = properties.get(match.group(1))
        if value is None:
            unresolved = True
            return match.group(0)
        return value

    resolved = _PROPERTY.sub(replace, text)
    if unresolved:
        return Unknown(text)
    if "${" in resolved and depth < 5:
        return _resolve(resolved, properties, depth + 1)
    return resolved


def parse_pom(source: SourceFile) -> ParseResult:
    result = ParseResult()
    root = parse_xml(source, result)
    if root is None:
        return result
    properties: dict[str, str] = {}
    props = _child(root, "properties")
    if props is not None:
        for prop in props:
            if isinstance(prop.tag, str) and prop.text is not None:
                properties[_local(prop.tag)] = prop.text.strip()
    parent = _child(root, "parent")
    parent_version = _child_text(parent, "version")
    project_version = _child_text(root, "version") or parent_version
    for key, value in (
        ("project.version", project_version),
        ("version", project_version),
        ("project.parent.version", parent_version),
        ("parent.version", parent_version),
        ("project.groupId", _child_text(root, "groupId") or _child_text(parent, "groupId")),
    ):
        if value is not None:
            properties.setdefault(key, value)
    if parent is not None:
        group, artifact = _child_text(parent, "groupId"), _child_text(parent, "artifactId")
        if group and artifact:
            add_dependency(
                result,
                ECOSYSTEM,
                f"{group}:{artifact}",
                source.location_of_line(source_line(parent)),
                version=parent_version,
                scope="parent",
            )
    managed: dict[str, str | Unknown] = {}
    management = _child(root, "dependencyManagement")
    managed_deps = _child(management, "dependencies") if management is not None else None
    for dependency in managed_deps if managed_deps is not None else []:
        if _local(dependency.tag) != "dependency":
            continue
        key = f"{_child_text(dependency, 'groupId')}:{_child_text(dependency, 'artifactId')}"
        version = _resolve(_child_text(dependency, "version"), properties)
        if version is not None:
            managed[key] = version
    for dependency in root.iter("{*}dependency", "dependency"):
        ancestor = dependency.getparent()
        grand = ancestor.getparent() if ancestor is not None else None
        if grand is not None and _local(grand.tag) == "dependencyManagement":
            continue
        group_value = _resolve(_child_text(dependency, "groupId"), properties)
        artifact_value = _resolve(_child_text(dependency, "artifactId"), properties)
        if not isinstance(group_value, str) or not isinstance(artifact_value, str):
            continue
        name = f"{group_value}:{artifact_value}"
        version = _resolve(_child_text(dependency, "version"), properties)
        if version is None:
            version = managed.get(name)
        location = source.location_of_line(source_line(dependency))
        extra = []
        classifier = _child_text(dependency, "classifier")
        if classifier:
            extra.append(Attribute("classifier", classifier, None))
        if isinstance(version, Unknown):
            extra.append(Attribute("version", version, location))
            version_text = None
        else:
            version_text = version
        add_dependency(
            result,
            ECOSYSTEM,
            name,
            location,
            version=version_text,
            scope=_child_text(dependency, "scope"),
            extra=extra,
        )
    for key in _JAVA_PROPERTIES:
        if key in properties and re.match(r"^(1\.)?\d+$", properties[key]):
            version = properties[key].removeprefix("1.") if properties[key].startswith("1.") else properties[key]
            line = source.find_line(f"<{key}>") or 1
            add_runtime(result, "java", version, source.location_of_line(line), f"pom.xml {key}")
            break
    return result


_GRADLE_STRING = re.compile(
    r"""\b(?:implementation|api|compile|compileOnly|runtimeOnly|testImplementation|testCompile|annotationProcessor|kapt)"""
    r"""\s*\(?\s*['"]([\w.\-]+):([\w.\-]+):([^'"@]+)(?:@\w+)?['"]"""
)
_GRADLE_MAP = re.compile(
    r"""group\s*[:=]\s*['"]([\w.\-]+)['"]\s*,\s*name\s*[:=]\s*['"]([\w.\-]+)['"]\s*,\s*version\s*[:=]\s*['"]([^'"]+)['"]"""
)
_GRADLE_JAVA = re.compile(
    r"(?:sourceCompatibility\s*=\s*(?:JavaVersion\.VERSION_(?:1_)?(\d+)|['\"]?(?:1\.)?(\d+)['\"]?)"
    r"|languageVersion(?:\.set\()?\s*=?\s*JavaLanguageVersion\.of\((\d+)\))"
)


def parse_gradle(source: SourceFile) -> ParseResult:
    result = ParseResult()
    for number, line in enumerate(source.lines, start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        for pattern in (_GRADLE_STRING, _GRADLE_MAP):
            for match in pattern.finditer(line):
                group, artifact, version = match.groups()
                version_value = version.strip()
                interpolated = "$" in version_value
                add_dependency(
                    result,
                    ECOSYSTEM,
                    f"{group}:{artifact}",
                    source.location_of_line(number),
                    version=None if interpolated else version_value,
                    extra=[Attribute("version", Unknown(version_value), None)] if interpolated else None,
                )
        java = _GRADLE_JAVA.search(line)
        if java:
            version = next(g for g in java.groups() if g)
            add_runtime(result, "java", version, source.location_of_line(number), source.name)
    return result


def parse(source: SourceFile) -> ParseResult:
    """Dispatch on the file name."""
    if source.name.startswith("build.gradle"):
        return parse_gradle(source)
    return parse_pom(source)
