"""Build tools a compile on arm64 needs, whether the Dockerfile already installs them, and the command if not.

A fix that asks for a compiler the image already has is noise, so fixes for
"builds from source" verdicts are checked against the Dockerfile that builds
the code: the packages its ``RUN apt-get/apk/dnf/yum install`` lines name
(``build-essential`` and ``build-base`` count as gcc, g++ and make), and the
full (non-slim, non-alpine) python and node images, which are built on
buildpack-deps and ship them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from replatform.assess.context import Context
from replatform.discover.software.dockerfile import parse_dockerfile
from replatform.model import ComponentKind, Location
from replatform.paths import directory_of, nearest

INSTALL = re.compile(r"\b(apt-get|apt|yum|dnf|microdnf|apk)\s+(?:-\S+\s+)*(?:install|add)\b([^&|;]*)")

#: What a compile needs: a C/C++ toolchain (Python sdists), plus python3 for node-gyp.
C_TOOLCHAIN = ("gcc", "g++", "make")
NODE_GYP = ("python3", "make", "g++")

#: Package names that bring a tool, per tool (meta-packages included).
_PROVIDES = {
    "gcc": ("gcc", "build-essential", "build-base", "clang", "gcc-c++"),
    "g++": ("g++", "build-essential", "build-base", "gcc-c++", "clang"),
    "make": ("make", "build-essential", "build-base"),
    "python3": ("python3", "python3-dev", "python3-pip", "python3-minimal"),
}
#: Full python/node images are built FROM buildpack-deps, which installs gcc, g++, make and python3
#: (https://hub.docker.com/_/python and https://hub.docker.com/_/node: "based off of buildpack-deps").
_BUILDPACK_IMAGES = ("python", "node")
#: The packages to name per OS family, and the command that installs them.
_COMMANDS = {
    "debian": ("apt-get install -y", {"gcc": "build-essential", "g++": "build-essential", "make": "build-essential"}),
    "ubuntu": ("apt-get install -y", {"gcc": "build-essential", "g++": "build-essential", "make": "build-essential"}),
    "alpine": ("apk add", {"gcc": "build-base", "g++": "build-base", "make": "build-base"}),
    "amazonlinux": ("dnf install -y", {"g++": "gcc-c++"}),
}


@dataclass(frozen=True)
class BuildImage:
    """The Dockerfile that builds a folder's code: its OS family and the tools it already has (and where)."""

    dockerfile: str
    family: str | None
    tools: dict[str, Location]


def _family(base: str) -> str | None:
    from replatform.registry.platforms import of_image

    platform = of_image(base)
    return platform.distribution.family if platform is not None and platform.distribution is not None else None


def _buildpack(base: str) -> bool:
    from replatform import knowledge

    repository, tag = knowledge.image_repository_and_tag(base)
    words = tag.lower().split("-")
    return repository in _BUILDPACK_IMAGES and not any(w in ("slim", "alpine") or w.startswith("alpine") for w in words)


def build_images(ctx: Context) -> dict[str, BuildImage]:
    """Folder -> its Dockerfile (the first by path), with the tools each Dockerfile there installs in some stage."""
    found: dict[str, BuildImage] = {}
    for path in sorted({c.location.path for c in ctx.components(ComponentKind.DOCKERFILE_STAGE)}):
        source = ctx.read(path)
        if source is None:
            continue
        parsed = parse_dockerfile(source)
        tools: dict[str, Location] = {}
        family = None
        for stage in parsed.stages:
            base = stage.resolved_base or stage.base
            family = _family(base) or family
            if _buildpack(base):
                for tool in _PROVIDES:
                    tools.setdefault(tool, stage.base_location)
            for instruction in stage.instructions:
                if instruction.keyword != "RUN":
                    continue
                for match in INSTALL.finditer(instruction.arguments):
                    names = {token.split("=", 1)[0] for token in match.group(2).split() if not token.startswith("-")}
                    for tool, packages in _PROVIDES.items():
                        if names & set(packages):
                            tools.setdefault(tool, instruction.location)
        directory = directory_of(path)
        if directory in found:  # several Dockerfiles in one folder: a tool counts only if each installs it
            first = found[directory]
            found[directory] = BuildImage(
                first.dockerfile,
                first.family or family,
                {tool: where for tool, where in first.tools.items() if tool in tools},
            )
        else:
            found[directory] = BuildImage(path, family, tools)
    return found


def check(
    images: dict[str, BuildImage], directory: str, needed: tuple[str, ...]
) -> tuple[BuildImage | None, list[str]]:
    """The Dockerfile serving ``directory`` (if any, from `build_images`) and the tools of ``needed`` it lacks."""
    image = nearest(images, directory)
    if image is None:
        return None, list(needed)
    return image, [tool for tool in needed if tool not in image.tools]


def install_command(family: str | None, tools: list[str]) -> str:
    """``apt-get install -y build-essential`` for the family's package names, or the tool names alone."""
    if family is None or family not in _COMMANDS:
        return " ".join(tools)
    command, names = _COMMANDS[family]
    packages = list(dict.fromkeys(names.get(tool, tool) for tool in tools))
    return f"{command} {' '.join(packages)}"


def already_installed(image: BuildImage, tools: tuple[str, ...]) -> str:
    """Where the Dockerfile installs ``tools``: ``Dockerfile:4`` (or the base image that ships them)."""
    lines = sorted({image.tools[tool].line for tool in tools if tool in image.tools})
    return f"{image.dockerfile}:{', '.join(str(line) for line in lines)}"


def words(tools: list[str] | tuple[str, ...]) -> str:
    """``python3, make and g++``."""
    items = list(tools)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" and {items[-1]}"


def compile_fix(
    images: dict[str, BuildImage],
    directory: str,
    needed: tuple[str, ...],
    what: str,
    alternative: str | None = None,
    family: str | None = None,
) -> tuple[str | None, str]:
    """(fix, note) for something that compiles on arm64: the tools to install, checked against the Dockerfile.

    A tool the Dockerfile already installs is not asked for again; the note
    (for the message) then says where it is installed. ``family`` is the OS
    family to name the install command for when no Dockerfile builds the code.
    """
    image, missing = check(images, directory, needed)
    other = f"use {alternative}" if alternative else ""
    if missing:
        known = image.family if image is not None and image.family else family
        command = f" ({install_command(known, missing)})" if known in _COMMANDS else ""
        stage = f"the build stage of {image.dockerfile}" if image is not None else "the arm64 build"
        fix = f"Install {words(missing)} in {stage}{command} so {what} compiles on arm64"
        return fix + (f", or {other}" if other else "") + ".", ""
    assert image is not None  # nothing is missing only when a Dockerfile installs it all
    note = f"{image.dockerfile} installs {words(needed)} ({already_installed(image, needed)})"
    return (f"{other[0].upper()}{other[1:]} to skip the compile." if other else None), note
