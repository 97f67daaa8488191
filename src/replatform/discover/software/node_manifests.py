"""Node manifests and lockfiles -> package dependencies and the Node runtime.

package.json (all dependency groups, ``engines.node``), package-lock.json and
npm-shrinkwrap.json v1-v3, yarn.lock (classic and berry) and pnpm-lock.yaml.
Lockfile entries keep what later stages need: ``hasInstallScript`` and the
``os``/``cpu`` restrictions of platform-specific optional packages.
"""

from __future__ import annotations

import re

from replatform.discover.result import ParseResult
from replatform.discover.software.packages import add_dependency
from replatform.discover.software.runtime_pins import add_runtime
from replatform.discover.source import SourceFile
from replatform.discover.tree import Node, json_or_parse_error, yaml_or_parse_error
from replatform.model import Attribute

ECOSYSTEM = "npm"
_GROUPS = (
    ("dependencies", None),
    ("devDependencies", "dev"),
    ("optionalDependencies", "optional"),
    ("peerDependencies", "peer"),
)
_EXACT = re.compile(r"^v?(\d+\.\d+\.\d+(?:[-+][\w.-]+)?)$")
_NODE_MAJOR = re.compile(r"(\d+)(?:\.(\d+))?")


def parse_package_json(source: SourceFile) -> ParseResult:
    result = ParseResult()
    root = json_or_parse_error(source, result)
    if root is None:
        return result
    for group, scope in _GROUPS:
        for name, spec in (root.get(group) or Node({}, source.whole())).items():
            text = spec.text()
            match = _EXACT.match(text or "")
            add_dependency(
                result,
                ECOSYSTEM,
                name,
                spec.location,
                version=match.group(1) if match else None,
                specifier=text,
                scope=scope,
            )
    engine = root.get("engines", "node")
    if engine is not None and engine.text():
        match = _NODE_MAJOR.search(engine.text() or "")
        if match:
            add_runtime(result, "node", match.group(0), engine.location, "package.json engines")
    return result


def _lock_extra(entry: Node) -> list[Attribute]:
    extra = [Attribute("locked", True, None)]
    install_script = entry.get("hasInstallScript")
    if install_script is not None and install_script.scalar is True:
        extra.append(Attribute("has_install_script", True, None))
    for key in ("os", "cpu", "libc"):
        node = entry.get(key)
        if node is not None and isinstance(node.value, list):
            values = tuple(str(item.scalar) for item in node.elements() if item.scalar is not None)
            extra.append(Attribute(key, values, node.location))
    for key, name in (("optional", "optional"), ("dev", "dev")):
        node = entry.get(key)
        if node is not None and node.scalar is True:
            extra.append(Attribute(name, True, None))
    return extra


def parse_package_lock(source: SourceFile) -> ParseResult:
    result = ParseResult()
    root = json_or_parse_error(source, result)
    if root is None:
        return result
    packages = root.get("packages")
    if packages is not None and isinstance(packages.value, dict):
        for path, entry in packages.items():
            if not path or "node_modules/" not in path:
                continue  # "" is the root project itself; links have no node_modules path
            name = path.rsplit("node_modules/", 1)[1]
            version = entry.get("version")
            add_dependency(
                result,
                ECOSYSTEM,
                name,
                entry.location,
                version=version.text() if version is not None else None,
                extra=[*_lock_extra(entry), Attribute("lock_path", path, None)],
            )
        return result
    _lock_v1(result, root.get("dependencies"), "")
    return result


def _lock_v1(result: ParseResult, dependencies: Node | None, prefix: str) -> None:
    if dependencies is None:
        return
    for name, entry in dependencies.items():
        version = entry.get("version")
        path = f"{prefix}node_modules/{name}"
        add_dependency(
            result,
            ECOSYSTEM,
            name,
            entry.location,
            version=version.text() if version is not None else None,
            extra=[*_lock_extra(entry), Attribute("lock_path", path, None)],
        )
        _lock_v1(result, entry.get("dependencies"), path + "/")


_YARN_HEADER = re.compile(r'^"?(@?[^@"\s,]+)@')


def parse_yarn_lock(source: SourceFile) -> ParseResult:
    result = ParseResult()
    current: tuple[str, int] | None = None
    for number, raw in enumerate(source.lines, start=1):
        line = raw.rstrip("\r")
        if not line or line.startswith("#"):
            continue
        if not line.startswith(" ") and line.endswith(":"):
            if line.startswith("__metadata"):
                current = None
                continue
            match = _YARN_HEADER.match(line)
            current = (match.group(1), number) if match else None
            continue
        stripped = line.strip()
        if current is not None and stripped.startswith("version"):
            version = stripped.split(None, 1)[1].strip().strip('":') if " " in stripped else ""
            if version.startswith(":"):
                version = version[1:].strip().strip('"')
            add_dependency(
                result,
                ECOSYSTEM,
                current[0],
                source.location_of_line(current[1]),
                version=version or None,
                extra=[Attribute("locked", True, None)],
            )
            current = None
    return result


_PNPM_KEY = re.compile(r"^/?(@?[^@/]+(?:/[^@/]+)?)[@/](\d[^(_]*)")


def parse_pnpm_lock(source: SourceFile) -> ParseResult:
    result = ParseResult()
    for document in (yaml_or_parse_error(source, result) or [])[:1]:
        packages = document.get("packages")
        for key, entry in packages.items() if packages is not None else []:
            match = _PNPM_KEY.match(key)
            if not match:
                continue
            extra = _lock_extra(entry) if isinstance(entry.value, dict) else [Attribute("locked", True, None)]
            add_dependency(result, ECOSYSTEM, match.group(1), entry.location, version=match.group(2), extra=extra)
    return result


def parse(source: SourceFile) -> ParseResult:
    """Dispatch on the file name."""
    name = source.name
    if name == "package.json":
        return parse_package_json(source)
    if name in ("package-lock.json", "npm-shrinkwrap.json"):
        return parse_package_lock(source)
    if name == "yarn.lock":
        return parse_yarn_lock(source)
    return parse_pnpm_lock(source)
