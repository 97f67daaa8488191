"""Python dependency manifests and lockfiles -> package dependencies.

requirements files (with ``-r``/``-c`` includes named as they are written),
pyproject (PEP 621 and Poetry), Pipfile/Pipfile.lock, poetry.lock, uv.lock,
setup.cfg, and setup.py read statically. Requirement strings go through
``packaging`` so names are normalised and versions exact.
"""

from __future__ import annotations

import codecs
import configparser
import json
import re
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidName, canonicalize_name

from replatform.discover.result import ParseResult
from replatform.discover.software.packages import add_dependency
from replatform.discover.software.runtime_pins import add_runtime
from replatform.discover.source import SourceFile
from replatform.discover.toml_safe import load_toml
from replatform.model import Attribute, Location

ECOSYSTEM = "pypi"
_PIN = re.compile(r"^===?\s*([^\s,;*]+)$")
_MIN_PYTHON = re.compile(r"(?:>=|~=|==)\s*(\d+(?:\.\d+)?)")


_INCLUDE = re.compile(r"^\s*(?:-r|-c|--requirement|--constraint)[\s=]+(\S+)", re.MULTILINE)
_CODING = re.compile(rb"coding[:=]\s*([-\w.]+)")
#: Byte-order marks pip honours (UTF-32 before UTF-16: their little-endian marks share a prefix).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: Keys of a Pipfile or Poetry table that make a dependency a local or direct reference.
_DIRECT_KEYS = ("path", "file", "url", "git", "hg", "svn", "bzr", "editable", "develop")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")


def decode_like_pip(data: bytes) -> tuple[str, str, int]:
    """(text, codec, BOM length) of a requirements file, decoded as pip decodes it.

    A byte-order mark wins, then a PEP 263 ``coding:`` comment on one of the
    first two lines, else UTF-8 (undecodable bytes replaced, never an error).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace"), codec, len(bom)
    for line in data.split(b"\n", 2)[:2]:
        match = _CODING.search(line) if line.startswith(b"#") else None
        if match:
            codec = match.group(1).decode("ascii")
            try:
                return data.decode(codec, errors="replace"), codecs.lookup(codec).name, 0
            except LookupError:
                break
    return data.decode("utf-8", errors="replace"), "utf-8", 0


def requirements_text(source: SourceFile) -> str:
    """The text of a requirements file as pip reads it (BOMs, UTF-16, coding comments)."""
    return decode_like_pip(source.data)[0]


def _requirement_lines(source: SourceFile) -> list[tuple[str, Location]]:
    """Each physical line (without its line break) and its location in the original bytes."""
    text, codec, bom = decode_like_pip(source.data)
    if codec == "utf-8":
        lines = text.split("\n")
        return [(line.rstrip("\r"), source.location_of_line(n)) for n, line in enumerate(lines, start=1)]
    out = []
    offset = bom
    newline = len("\n".encode(codec))
    for number, line in enumerate(text.split("\n"), start=1):
        content = line.rstrip("\r")
        end = offset + len(content.encode(codec, errors="replace"))
        out.append((content, Location(source.path, number, 1, number, len(content) + 1, offset, end)))
        offset += len(line.encode(codec, errors="replace")) + newline
    return out


def includes(source: SourceFile) -> list[str]:
    """Relative paths (from the root) of files a requirements file includes with -r/-c."""
    directory = source.path.rsplit("/", 1)[0] if "/" in source.path else ""
    out = []
    for match in _INCLUDE.finditer(requirements_text(source)):
        target = match.group(1)
        if "://" in target or target.startswith("/"):
            continue
        parts: list[str] = directory.split("/") if directory else []
        for part in target.split("/"):
            if part == "..":
                if not parts:
                    break
                parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        else:
            out.append("/".join(parts))
    return out


def _pinned(specifier: str) -> str | None:
    match = _PIN.match(specifier.strip())
    return match.group(1) if match else None


def valid_name(name: str) -> bool:
    """True for a well-formed Python package name (a name with a newline or a space never reaches a tool)."""
    try:
        canonicalize_name(name, validate=True)
    except InvalidName:
        return False
    return True


def _add_direct(result: ParseResult, name: str, reference: str, location: Location, scope: str | None = None) -> None:
    """A local or direct reference (editable, path, file, URL, VCS): recorded, never resolved or built."""
    add_dependency(
        result,
        ECOSYSTEM,
        canonicalize_name(name) if valid_name(name) else name,
        location,
        scope=scope,
        extra=[Attribute("direct_reference", reference, location)],
    )


def _add_requirement(
    result: ParseResult, source: SourceFile, text: str, location: Location, scope: str | None = None
) -> bool:
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return False
    if requirement.url:
        _add_direct(result, requirement.name, requirement.url, location, scope)
        return True
    specifier = str(requirement.specifier) or None
    add_dependency(
        result,
        ECOSYSTEM,
        canonicalize_name(requirement.name),
        location,
        version=_pinned(specifier or ""),
        specifier=specifier,
        scope=scope,
        markers=str(requirement.marker) if requirement.marker else None,
        extra=[Attribute("extras", tuple(sorted(requirement.extras)), None)] if requirement.extras else None,
    )
    return True


def parse_requirements(source: SourceFile) -> ParseResult:
    """A pip requirements file; includes are recorded, not followed (they are scanned on their own)."""
    result = ParseResult()
    logical: list[tuple[Location, str]] = []
    buffer, start = "", None
    for line, where in _requirement_lines(source):
        if not buffer:
            start = where
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        logical.append((start or where, buffer + line))
        buffer = ""
    for location, line in logical:
        text = re.sub(r"(^|\s)#.*$", "", line).strip()
        if not text:
            continue
        if text.startswith(("-r ", "-c ", "--requirement", "--constraint")):
            continue  # the included file is a file of the repository and is parsed itself
        editable = re.match(r"(?:-e|--editable)(?:\s+|=)(\S+)", text)
        if editable:
            reference = editable.group(1)
            egg = _EGG.search(reference)
            _add_direct(result, egg.group(1) if egg else reference, f"editable {reference}", location)
            continue
        if text.startswith("-"):
            continue  # options: --index-url, --hash, -f ...
        if "://" in text.split(" @ ", 1)[0] or text.startswith((".", "/", "file:")):
            reference = text.split()[0]
            egg = _EGG.search(reference)
            _add_direct(result, egg.group(1) if egg else reference, reference, location)
            continue
        text = text.split(" --hash", 1)[0].split(" --", 1)[0].strip()
        if not _add_requirement(result, source, text, location):
            result.parse_error(source, f"invalid requirement {text!r}", location)
    return result


def _line_of(source: SourceFile, name: str, after: int = 1) -> Location:
    for needle in (f'"{name}', f"'{name}", f"{name} =", f"{name}=", name):
        found = source.find_line(needle, after)
        if found is not None:
            return source.location_of_line(found)
    return source.whole()


def _python_runtime(result: ParseResult, source: SourceFile, specifier: str, key: str) -> None:
    match = _MIN_PYTHON.search(specifier)
    if match:
        location = _line_of(source, key)
        add_runtime(result, "python", match.group(1), location, key)


def parse_pyproject(source: SourceFile) -> ParseResult:
    result = ParseResult()
    data = load_toml(source, result)
    if data is None:
        return result
    project: dict[str, Any] = data["project"] if isinstance(data.get("project"), dict) else {}
    section = source.find_line("[project]") or 1
    for text in project.get("dependencies", []) or []:
        if isinstance(text, str):
            _add_requirement(result, source, text, _line_of(source, text, section))
    for group, items in (project.get("optional-dependencies") or {}).items():
        for text in items if isinstance(items, list) else []:
            if isinstance(text, str):
                _add_requirement(result, source, text, _line_of(source, text, section), scope=f"extra:{group}")
    if isinstance(project.get("requires-python"), str):
        _python_runtime(result, source, project["requires-python"], "requires-python")
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    if isinstance(poetry, dict):
        groups: list[tuple[str | None, Any]] = [(None, poetry.get("dependencies", {}))]
        groups.append(("dev", poetry.get("dev-dependencies", {})))
        for name, group in (poetry.get("group") or {}).items():
            if isinstance(group, dict):
                groups.append((name, group.get("dependencies", {})))
        poetry_line = source.find_line("[tool.poetry") or 1
        for scope, table in groups:
            if not isinstance(table, dict):
                continue
            for name, spec in table.items():
                if name == "python":
                    if isinstance(spec, str):
                        _python_runtime(result, source, spec.replace("^", ">=").replace("~", ">="), "python")
                    continue
                _add_table_entry(result, source, name, spec, _line_of(source, name, poetry_line), scope, poetry=True)
    return result


def _add_table_entry(
    result: ParseResult,
    source: SourceFile,
    name: str,
    spec: Any,
    location: Location,
    scope: str | None,
    *,
    poetry: bool,
) -> None:
    """One Pipfile or Poetry table entry (``name = "==1.2"`` or ``name = {version = ...}``) as a dependency.

    Poetry's bare ``1.2.3`` is recorded as the version too; a Pipfile's is only a specifier.
    """
    if not _table_entry(result, source, name, spec, location, scope):
        return
    version = spec.get("version") if isinstance(spec, dict) else spec
    specifier = version if isinstance(version, str) and version != "*" else None
    pinned = _pinned(specifier or "")
    if poetry and not pinned and specifier and specifier[0].isdigit():
        pinned = specifier
    add_dependency(
        result, ECOSYSTEM, canonicalize_name(name), location, version=pinned, specifier=specifier, scope=scope
    )


def _table_entry(
    result: ParseResult, source: SourceFile, name: str, spec: Any, location: Location, scope: str | None
) -> bool:
    """Handle a Pipfile/Poetry entry that is not a plain versioned package; True when it is one."""
    if not valid_name(name):
        result.parse_error(source, f"invalid package name {name!r}; not used", location)
        return False
    if isinstance(spec, dict):
        editable = ["editable"] if spec.get("editable") or spec.get("develop") else []
        where = [f"{key} {spec[key]}" for key in _DIRECT_KEYS if key in spec and key not in ("editable", "develop")]
        if editable or where:
            _add_direct(result, name, " ".join(editable + where), location, scope)
            return False
    version = spec.get("version") if isinstance(spec, dict) else spec
    if isinstance(version, str) and version != "*" and any(c in version for c in "\r\n"):
        result.parse_error(source, f"invalid version of {name}: {version!r}; not used", location)
        return False
    return True


def parse_pipfile(source: SourceFile) -> ParseResult:
    result = ParseResult()
    data = load_toml(source, result)
    if data is None:
        return result
    for section, scope in (("packages", None), ("dev-packages", "dev")):
        table = data.get(section, {})
        start = source.find_line(f"[{section}]") or 1
        for name, spec in table.items() if isinstance(table, dict) else []:
            _add_table_entry(result, source, name, spec, _line_of(source, name, start), scope, poetry=False)
    requires = data.get("requires", {})
    if isinstance(requires, dict) and isinstance(requires.get("python_version"), str):
        add_runtime(result, "python", requires["python_version"], _line_of(source, "python_version"), "Pipfile")
    return result


def parse_pipfile_lock(source: SourceFile) -> ParseResult:
    result = ParseResult()
    try:
        data = json.loads(source.text)
    except ValueError as exc:
        result.parse_error(source, str(exc))
        return result
    for section, scope in (("default", None), ("develop", "dev")):
        table = data.get(section, {}) if isinstance(data, dict) else {}
        for name, spec in table.items() if isinstance(table, dict) else []:
            version = spec.get("version", "") if isinstance(spec, dict) else ""
            add_dependency(
                result,
                ECOSYSTEM,
                canonicalize_name(name),
                _line_of(source, name),
                version=_pinned(version),
                specifier=version or None,
                scope=scope,
                extra=[Attribute("locked", True, None)],
            )
    return result


def parse_toml_lock(source: SourceFile) -> ParseResult:
    """poetry.lock and uv.lock: ``[[package]]`` tables with name and version."""
    result = ParseResult()
    data = load_toml(source, result)
    if data is None:
        return result
    line = 1
    for package in data.get("package", []) if isinstance(data.get("package"), list) else []:
        if not isinstance(package, dict) or not isinstance(package.get("name"), str):
            continue
        name = package["name"]
        if not valid_name(name):
            result.parse_error(source, f"invalid package name {name!r}; not used")
            continue
        found = source.find_line(f'name = "{name}"', line)
        if found is not None:
            line = found
        location = source.location_of_line(found) if found else source.whole()
        version = package.get("version")
        add_dependency(
            result,
            ECOSYSTEM,
            canonicalize_name(name),
            location,
            version=str(version) if version else None,
            extra=[Attribute("locked", True, None)],
        )
    return result


def parse_setup_cfg(source: SourceFile) -> ParseResult:
    result = ParseResult()
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(source.text)
    except configparser.Error as exc:
        result.parse_error(source, str(exc).splitlines()[0])
        return result
    if parser.has_option("options", "install_requires"):
        start = source.find_line("install_requires") or 1
        for text in parser.get("options", "install_requires").splitlines():
            text = text.split("#", 1)[0].strip()
            if text:
                _add_requirement(result, source, text, _line_of(source, text, start))
    if parser.has_option("options", "python_requires"):
        _python_runtime(result, source, parser.get("options", "python_requires"), "python_requires")
    return result


def parse_setup_py(source: SourceFile) -> ParseResult:
    """``setup(install_requires=[...])`` read from the syntax tree; never executed."""
    from replatform.discover.iac.cdk_python import parse_tree

    result = ParseResult()
    converter, _tree = parse_tree(source)
    for call, _location in converter.calls:
        if call.callee.split(".")[-1] != "setup":
            continue
        requires = call.kwargs.get("install_requires")
        if requires is not None and isinstance(requires.value, list):
            for item in requires.value:
                if isinstance(item.value, str):
                    _add_requirement(result, source, item.value, item.location)
        python = call.kwargs.get("python_requires")
        if python is not None and isinstance(python.value, str):
            match = _MIN_PYTHON.search(python.value)
            if match:
                add_runtime(result, "python", match.group(1), python.location, "python_requires")
    return result


def parse(source: SourceFile) -> ParseResult:
    """Dispatch on the file name."""
    name = source.name
    if name == "pyproject.toml":
        return parse_pyproject(source)
    if name == "Pipfile":
        return parse_pipfile(source)
    if name == "Pipfile.lock":
        return parse_pipfile_lock(source)
    if name in ("poetry.lock", "uv.lock"):
        return parse_toml_lock(source)
    if name == "setup.cfg":
        return parse_setup_cfg(source)
    return parse_requirements(source)
