"""Runtime versions as the project states them, never the scanning host's.

Sources: ``.python-version``, ``.nvmrc``/``.node-version``, ``.tool-versions``,
``runtime.txt``, ``.go-version`` here; base-image tags, ``requires-python``,
``engines``, go.mod ``go`` and Lambda ``runtime`` in their own parsers, which
use the helpers below so every runtime component looks the same.
"""

from __future__ import annotations

import re

from replatform.discover.result import ParseResult
from replatform.discover.source import SourceFile
from replatform.model import Attribute, Component, ComponentKind, Location

# Official image repository names (last path segment) -> runtime language.
_IMAGE_LANGUAGES = {
    "python": "python",
    "pypy": "python",
    "node": "node",
    "nodejs": "node",
    "golang": "go",
    "go": "go",
    "openjdk": "java",
    "eclipse-temurin": "java",
    "amazoncorretto": "java",
    "ibm-semeru-runtimes": "java",
    "maven": "java",
    "gradle": "java",
    "rust": "rust",
    "ruby": "ruby",
    "php": "php",
    "aspnet": "dotnet",
    "runtime": "dotnet",
    "sdk": "dotnet",
}
_VERSION = re.compile(r"^v?(\d+(?:\.\d+){0,2})")
# Lambda runtime identifiers: python3.13, nodejs20.x, java21, dotnet8, ruby3.3, provided.al2023
_LAMBDA_RUNTIME = re.compile(r"^(python|nodejs|java|dotnet|dotnetcore|ruby|go)(\d+(?:\.\d+)?)(?:\.x)?(?:\.al2)?$")


def runtime_from_image(reference: str) -> tuple[str, str] | None:
    """(language, version) implied by an image reference such as ``python:3.11-slim``."""
    ref = reference.split("@", 1)[0]
    path, _, tag = ref.rpartition(":")
    if not path or "/" in tag:
        return None
    repository = path.rsplit("/", 1)[-1].lower()
    language = _IMAGE_LANGUAGES.get(repository)
    if language is None:
        return None
    if language == "dotnet" and "dotnet" not in path:
        return None
    if repository in ("maven", "gradle"):
        match = re.search(r"(?:jdk|java|corretto|temurin)-?(\d+)", tag)
        return (language, match.group(1)) if match else None
    match = _VERSION.match(tag)
    return (language, match.group(1)) if match else None


def runtime_from_lambda(identifier: str) -> tuple[str, str] | None:
    """(language, version) from a Lambda runtime id such as ``python3.13``."""
    match = _LAMBDA_RUNTIME.match(identifier.strip().lower())
    if not match:
        return None
    language = {"nodejs": "node", "dotnetcore": "dotnet"}.get(match.group(1), match.group(1))
    return language, match.group(2)


def add_runtime(
    result: ParseResult, language: str, version: str, location: Location, origin: str, parent: str | None = None
) -> None:
    """Record a runtime component the same way from every source."""
    result.add(
        ComponentKind.RUNTIME,
        f"{language} {version}",
        location,
        [
            Attribute("language", language, None),
            Attribute("version", version, location),
            Attribute("source", origin, None),
        ],
        parent,
    )


def add_lambda_runtime(result: ParseResult, component: Component) -> None:
    """The runtime a Lambda component's literal ``runtime`` attribute names, as its child."""
    runtime = component.attribute("runtime")
    if runtime is None or not isinstance(runtime.value, str) or runtime.location is None:
        return
    parsed = runtime_from_lambda(runtime.value)
    if parsed:
        add_runtime(result, parsed[0], parsed[1], runtime.location, "lambda runtime", component.id)


_BOOT_PYTHON = re.compile(r"(?<![\w.-])(?:python|pip)(3\.\d{1,2}|3)(?![\w.])")


def add_boot_script_runtime(result: ParseResult, component: Component) -> None:
    """The Python an instance's UserData runs (``python3.11``, ``pip3.11``, a bare ``python3``), as its child.

    The script itself is dropped from the component: UserData can hold secrets
    and nothing downstream reads it, only the interpreter it names.
    """
    script = component.attribute("user_data")
    if script is None:
        return
    index = result.components.index(component)
    kept = tuple(a for a in component.attributes if a.name != "user_data")
    result.components[index] = Component(component.kind, component.name, component.location, kept, component.parent)
    text = script.value if isinstance(script.value, str) else getattr(script.value, "expression", "")
    versions = [match.group(1) for match in _BOOT_PYTHON.finditer(text)]
    if not versions:
        return
    location = script.location or component.location
    numbered = [version for version in versions if version != "3"]
    if numbered:
        add_runtime(result, "python", numbered[0], location, "EC2 UserData", component.id)
    else:  # python3 as the OS ships it: its version comes from the AMI's OS
        result.add(
            ComponentKind.RUNTIME,
            "python python3",
            location,
            [
                Attribute("language", "python", None),
                Attribute("alias", "python3", location),
                Attribute("source", "EC2 UserData", None),
            ],
            component.id,
        )


_TOOL_VERSIONS = {"python": "python", "nodejs": "node", "node": "node", "golang": "go", "java": "java", "rust": "rust"}


def parse(source: SourceFile) -> ParseResult:
    """Version pin files: one runtime per pin."""
    result = ParseResult()
    name = source.name
    for number, line in enumerate(source.lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        location = source.location_of_line(number)
        if name == ".tool-versions":
            tool, _, versions = text.partition(" ")
            language = _TOOL_VERSIONS.get(tool)
            match = _VERSION.match(versions.strip())
            if language and match:
                add_runtime(result, language, match.group(1), location, name)
            continue
        if name == "runtime.txt":
            text = text.removeprefix("python-")
        language = {".python-version": "python", "runtime.txt": "python", ".go-version": "go"}.get(name, "node")
        match = _VERSION.match(text.removeprefix("lts/").removeprefix("node"))
        if match:
            add_runtime(result, language, match.group(1), location, name)
        elif language == "node" and text:
            result.add(
                ComponentKind.RUNTIME,
                f"node {text}",
                location,
                [Attribute("language", "node", None), Attribute("alias", text, location)],
            )
        if name != ".tool-versions":
            break  # the first non-comment line is the pin
    return result
