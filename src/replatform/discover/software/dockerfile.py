"""Dockerfiles (any common name) -> stages, base images and runtimes.

A small purpose-built parser: the format is line-based, and we need exact
spans for every instruction (later stages rewrite ``FROM`` lines and inspect
``RUN`` lines), line continuations, heredocs and the ``escape`` directive.
``ARG`` values declared before the first ``FROM`` are substituted into base
image references; a reference that still holds a variable is `Unknown`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from replatform.discover.result import ParseResult
from replatform.discover.software.runtime_pins import add_runtime, runtime_from_image
from replatform.discover.source import SourceFile
from replatform.model import Attribute, ComponentKind, Location, Unknown

_DIRECTIVE = re.compile(r"^#\s*(escape|syntax|check)\s*=\s*(\S+)\s*$", re.IGNORECASE)
_HEREDOC = re.compile(r"<<-?\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?")
_BUILDKIT_PLATFORM_ARGS = frozenset(
    {
        "BUILDPLATFORM",
        "BUILDOS",
        "BUILDARCH",
        "BUILDVARIANT",
        "TARGETPLATFORM",
        "TARGETOS",
        "TARGETARCH",
        "TARGETVARIANT",
    }
)
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Instruction:
    """One instruction: keyword (upper-case), its argument text, its span."""

    keyword: str
    arguments: str
    location: Location
    flags: tuple[tuple[str, str], ...] = ()

    def flag(self, name: str) -> str | None:
        """The value of ``--name=value`` given to this instruction."""
        for key, value in self.flags:
            if key == name:
                return value
        return None


@dataclass
class Stage:
    """A build stage: from one ``FROM`` to the next."""

    index: int
    base: str
    resolved_base: str | None
    alias: str | None
    platform: str | None
    location: Location
    base_location: Location
    instructions: list[Instruction] = field(default_factory=list)


@dataclass
class Dockerfile:
    """A parsed Dockerfile: global ``ARG``s and stages."""

    global_args: dict[str, str | None]
    stages: list[Stage]
    preamble: list[Instruction]


def substitute(text: str, args: dict[str, str | None]) -> str | None:
    """Expand ``$X``/``${X}``/``${X:-d}`` from ``args``; None if one stays unknown."""
    unresolved = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unresolved
        name = match.group(1) or match.group(4)
        operator, word = match.group(2), match.group(3) or ""
        value = args.get(name)
        if operator == "+":
            return word if value else ""
        if not value:
            if operator == "-":
                return word
            unresolved = True
            return match.group(0)
        return value

    result = _VARIABLE.sub(replace, text)
    return None if unresolved else result


def _split_flags(arguments: str) -> tuple[tuple[tuple[str, str], ...], str]:
    flags: list[tuple[str, str]] = []
    rest = arguments.lstrip()
    while rest.startswith("--"):
        token, _, remainder = rest.partition(" ")
        name, _, value = token[2:].partition("=")
        flags.append((name, value))
        rest = remainder.lstrip()
    return tuple(flags), rest


def parse_dockerfile(source: SourceFile) -> Dockerfile:
    """Split a Dockerfile into instructions and stages (never raises)."""
    lines = source.lines
    escape = "\\"
    instructions: list[Instruction] = []
    index = 0
    in_header = True
    while index < len(lines):
        raw = lines[index].rstrip("\r")
        stripped = raw.strip()
        if in_header:
            directive = _DIRECTIVE.match(stripped)
            if directive:
                if directive.group(1).lower() == "escape" and directive.group(2) in ("`", "\\"):
                    escape = directive.group(2)
                index += 1
                continue
            in_header = False
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        start_line = index
        parts = [raw]
        while parts[-1].rstrip().endswith(escape) and index + 1 < len(lines):
            parts[-1] = parts[-1].rstrip()[: -len(escape)]
            index += 1
            following = lines[index].rstrip("\r")
            if following.strip().startswith("#"):
                parts.append("")  # comment lines inside a continuation are dropped
                continue
            parts.append(following)
        text = " ".join(p.strip() for p in parts if p.strip())
        heredoc = _HEREDOC.search(text) if text.split(None, 1)[0].upper() in ("RUN", "COPY", "ADD") else None
        if heredoc:
            terminator = heredoc.group(1)
            body: list[str] = []
            while index + 1 < len(lines):
                index += 1
                line = lines[index].rstrip("\r")
                if line.strip() == terminator:
                    break
                body.append(line)
            text = text + "\n" + "\n".join(body)
        keyword, _, arguments = text.partition(" ")
        first = lines[start_line]
        indent = len(first) - len(first.lstrip())
        start = source.byte_offset(start_line + 1, indent + 1)
        last = lines[index].rstrip("\r")
        end = source.byte_offset(index + 1, len(last) + 1)
        flags, rest = _split_flags(arguments)
        instructions.append(Instruction(keyword.upper(), rest.strip(), source.location_from_bytes(start, end), flags))
        index += 1
    return _stages(source, instructions)


def _stages(source: SourceFile, instructions: list[Instruction]) -> Dockerfile:
    global_args: dict[str, str | None] = {}
    stages: list[Stage] = []
    preamble: list[Instruction] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            tokens = instruction.arguments.split()
            base = tokens[0] if tokens else ""
            alias = tokens[2] if len(tokens) >= 3 and tokens[1].lower() == "as" else None
            platform = instruction.flag("platform")
            resolved = substitute(base, global_args)
            if platform is not None:
                # BuildKit sets BUILDPLATFORM/TARGETPLATFORM itself, whatever default an ARG gives them.
                explicit = {k: v for k, v in global_args.items() if k not in _BUILDKIT_PLATFORM_ARGS}
                platform = substitute(platform, explicit) or platform
            base_location = source.locate_text(base, instruction.location.line) or instruction.location
            stages.append(Stage(len(stages), base, resolved, alias, platform, instruction.location, base_location))
        elif stages:
            stages[-1].instructions.append(instruction)
        else:
            preamble.append(instruction)
            if instruction.keyword == "ARG":
                for declaration in instruction.arguments.split():
                    name, sep, value = declaration.partition("=")
                    global_args[name] = value.strip("\"'") if sep else None
    return Dockerfile(global_args, stages, preamble)


def parse(source: SourceFile) -> ParseResult:
    """Components for every stage, its base image and the runtime it implies."""
    result = ParseResult()
    parsed = parse_dockerfile(source)
    if not parsed.stages:
        result.parse_error(source, "no FROM instruction")
        return result
    aliases: set[str] = set()
    for stage in parsed.stages:
        base_value: str | Unknown = stage.resolved_base if stage.resolved_base is not None else Unknown(stage.base)
        attributes = [Attribute("base", base_value, stage.base_location), Attribute("stage_index", stage.index, None)]
        if stage.alias:
            attributes.append(Attribute("alias", stage.alias, None))
        if stage.platform:
            attributes.append(Attribute("platform", stage.platform, stage.location))
        runs = sum(1 for i in stage.instructions if i.keyword == "RUN")
        attributes.append(Attribute("run_instructions", runs, None))
        base_name = stage.resolved_base or stage.base
        from_stage = base_name.lower() in aliases or base_name == "scratch"
        if from_stage:
            attributes.append(Attribute("from_stage", base_name, None))
        name = stage.alias or f"stage-{stage.index}"
        component = result.add(ComponentKind.DOCKERFILE_STAGE, name, stage.location, attributes)
        if not from_stage:
            image_attrs = [Attribute("image", base_value, stage.base_location)]
            if stage.platform:
                image_attrs.append(Attribute("platform", stage.platform, stage.location))
            result.add(ComponentKind.CONTAINER_IMAGE, base_name, stage.base_location, image_attrs, component.id)
            if stage.resolved_base is not None:
                runtime = runtime_from_image(stage.resolved_base)
                if runtime is not None:
                    language, version = runtime
                    add_runtime(result, language, version, stage.base_location, "dockerfile base image", component.id)
        if stage.alias:
            aliases.add(stage.alias.lower())
    return result
