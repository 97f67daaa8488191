"""CI pipelines and build scripts -> image builds and the platforms they target.

GitHub Actions (``docker/build-push-action`` ``platforms`` and ``docker
build``/``buildx`` commands in ``run``), GitLab CI (``script`` lines),
CodeBuild buildspecs (``phases.*.commands``) and shell scripts (``*.sh``).
Runner labels are kept so later stages can tell whether native arm64 runners
are used.
"""

from __future__ import annotations

import re
import shlex

from replatform.discover.result import ParseResult
from replatform.discover.source import SourceFile
from replatform.discover.tree import Node
from replatform.model import Attribute, ComponentKind, Location

_DOCKER_BUILD = re.compile(r"\b(?:docker|podman)\s+(?:buildx\s+build|build|image\s+build)\b")
_GITLAB_RESERVED = {
    "stages",
    "variables",
    "default",
    "include",
    "workflow",
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
    "pages",
}


def kind_of(source: SourceFile, document: Node) -> str | None:
    """'github', 'gitlab', 'codebuild' or None."""
    path = source.path
    if "/.github/workflows/" in f"/{path}" and document.get("jobs") is not None:
        return "github"
    if source.name in (".gitlab-ci.yml", ".gitlab-ci.yaml"):
        return "gitlab"
    if source.name.startswith("buildspec") and document.get("phases") is not None:
        return "codebuild"
    return None


def parse_build_command(command: str) -> tuple[str, tuple[str, ...] | None, str | None] | None:
    """(tool, platforms, dockerfile) of a docker build command line, or None."""
    match = _DOCKER_BUILD.search(command)
    if not match:
        return None
    tool = "buildx" if "buildx" in match.group(0) else "docker build"
    try:
        tokens = shlex.split(command[match.end() :], comments=False, posix=True)
    except ValueError:
        tokens = command[match.end() :].split()
    platforms: tuple[str, ...] | None = None
    dockerfile: str | None = None
    for index, token in enumerate(tokens):
        value: str | None = None
        if token.startswith("--platform="):
            value = token.split("=", 1)[1]
        elif token == "--platform" and index + 1 < len(tokens):
            value = tokens[index + 1]
        if value is not None:
            platforms = tuple(p.strip() for p in value.split(",") if p.strip())
        if token in ("-f", "--file") and index + 1 < len(tokens):
            dockerfile = tokens[index + 1]
        elif token.startswith("--file="):
            dockerfile = token.split("=", 1)[1]
    return tool, platforms, dockerfile


def _commands(node: Node | None) -> list[tuple[str, Location]]:
    """Command lines from a string or list node (multi-line strings split, continuations joined)."""
    if node is None:
        return []
    items = list(node.elements()) if isinstance(node.value, list) else [node]
    out = []
    for item in items:
        text = item.text()
        if text:
            out.append((text.replace("\\\n", " "), item.location))
    return out


def _add_build(
    result: ParseResult,
    name: str,
    location: Location,
    tool: str,
    platforms: tuple[str, ...] | None,
    dockerfile: str | None,
    system: str,
    runner: object,
) -> None:
    attributes = [Attribute("ci_system", system, None), Attribute("tool", tool, None)]
    if platforms is not None:
        attributes.append(Attribute("platforms", platforms, location))
    if dockerfile:
        attributes.append(Attribute("dockerfile", dockerfile, None))
    if isinstance(runner, tuple) and runner:
        attributes.append(Attribute("runner", runner, None))
    result.add(ComponentKind.CI_BUILD, name, location, attributes)


def _labels(node: Node | None) -> tuple[str, ...]:
    if node is None:
        return ()
    if isinstance(node.value, list):
        return tuple(str(e.scalar) for e in node.elements() if e.scalar is not None)
    if isinstance(node.value, dict):
        labels = node.get("labels")
        return _labels(labels) if labels is not None else ()
    return (str(node.scalar),) if node.scalar is not None else ()


def extract(source: SourceFile, document: Node, system: str, result: ParseResult) -> None:
    if system == "github":
        for job_name, job in (document.get("jobs") or Node({}, source.whole())).items():
            runner = _labels(job.get("runs-on"))
            for index, step in enumerate((job.get("steps") or Node([], job.location)).elements()):
                label = step.get("name")
                step_name = (
                    f"{job_name}/{label.text()}" if label is not None and label.text() else f"{job_name}[{index}]"
                )
                uses = step.get("uses")
                if uses is not None and (uses.text() or "").startswith("docker/build-push-action"):
                    platforms_node = step.get("with", "platforms")
                    platforms = None
                    if platforms_node is not None and platforms_node.text() is not None:
                        raw = platforms_node.text() or ""
                        platforms = tuple(p.strip() for p in re.split(r"[,\n]", raw) if p.strip())
                    file_node = step.get("with", "file")
                    location = platforms_node.location if platforms_node is not None else step.location
                    _add_build(
                        result,
                        step_name,
                        location,
                        "build-push-action",
                        platforms,
                        file_node.text() if file_node is not None else None,
                        system,
                        runner,
                    )
                for command, location in _commands(step.get("run")):
                    for line in command.split("\n"):
                        parsed = parse_build_command(line)
                        if parsed:
                            _add_build(result, step_name, location, *parsed, system, runner)
    elif system == "gitlab":
        for job_name, job in document.items():
            if job_name in _GITLAB_RESERVED or job_name.startswith(".") or not isinstance(job.value, dict):
                continue
            runner = _labels(job.get("tags"))
            for key in ("before_script", "script"):
                for command, location in _commands(job.get(key)):
                    parsed = parse_build_command(command)
                    if parsed:
                        _add_build(result, job_name, location, *parsed, system, runner)
    elif system == "codebuild":
        for phase_name, phase in (document.get("phases") or Node({}, source.whole())).items():
            for command, location in _commands(phase.get("commands")):
                parsed = parse_build_command(command)
                if parsed:
                    _add_build(result, f"phases.{phase_name}", location, *parsed, system, ())


def parse_script(source: SourceFile, system: str = "shell") -> ParseResult:
    """Image builds in a shell script (or a Makefile's recipes): one per build command (continuation lines joined)."""
    result = ParseResult()
    if b"build" not in source.data:
        return result
    lines = source.lines
    index = count = 0
    while index < len(lines):
        start = index
        text = lines[index].rstrip("\r")
        while text.endswith("\\") and index + 1 < len(lines):
            index += 1
            text = text[:-1] + " " + lines[index].rstrip("\r")
        index += 1
        if text.lstrip().startswith("#"):
            continue
        parsed = parse_build_command(text)
        if parsed:
            count += 1  # named by position among the builds, not by line, so fingerprints survive line shifts
            location = source.location_of_line(start + 1)
            _add_build(result, f"{source.name}#{count}", location, *parsed, system, ())
    return result
