"""go.mod -> Go modules and the Go runtime (``go`` and ``toolchain`` directives)."""

from __future__ import annotations

import re

from replatform.discover.result import ParseResult
from replatform.discover.software.packages import add_dependency
from replatform.discover.software.runtime_pins import add_runtime
from replatform.discover.source import SourceFile
from replatform.model import Attribute, Location

_REQUIRE = re.compile(r"^(\S+)\s+(v\S+)(\s*//\s*indirect)?")


def parse(source: SourceFile) -> ParseResult:
    """One dependency per required module; replaced modules are noted."""
    result = ParseResult()
    in_block: str | None = None
    saw_module = False
    for number, raw in enumerate(source.lines, start=1):
        line = raw.split("//", 1)[0].strip() if "// indirect" not in raw else raw.strip()
        if not line:
            continue
        location = source.location_of_line(number)
        if in_block:
            if line == ")":
                in_block = None
                continue
            if in_block == "require":
                _require(result, line, location)
            continue
        keyword, _, rest = line.partition(" ")
        rest = rest.strip()
        if keyword == "module":
            saw_module = True
        elif keyword == "go" and re.match(r"^\d+\.\d+(\.\d+)?$", rest):
            add_runtime(result, "go", rest, location, "go.mod go directive")
        elif keyword == "toolchain" and rest.startswith("go"):
            add_runtime(result, "go", rest[2:], location, "go.mod toolchain")
        elif keyword in ("require", "replace", "exclude", "retract"):
            if rest == "(":
                in_block = keyword
            elif keyword == "require":
                _require(result, rest, location)
        elif keyword not in ("godebug", "tool", "ignore"):
            result.parse_error(source, f"unknown directive {keyword!r}", location)
    if not saw_module:
        result.parse_error(source, "no module directive")
    return result


def _require(result: ParseResult, text: str, location: Location) -> None:
    match = _REQUIRE.match(text)
    if match:
        extra = [Attribute("indirect", True, None)] if match.group(3) else None
        add_dependency(result, "go", match.group(1), location, version=match.group(2), extra=extra)


def module_path(source: SourceFile) -> str | None:
    """The ``module`` directive's path (how the module's own packages are imported), or None."""
    for raw in source.lines:
        keyword, _, rest = raw.split("//", 1)[0].strip().partition(" ")
        if keyword == "module" and rest.strip():
            return rest.strip().strip('"')
    return None
