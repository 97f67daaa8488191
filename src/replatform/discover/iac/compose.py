"""docker-compose files -> one container image per service, with ``platform`` and its image or build folder."""

from __future__ import annotations

import posixpath

from replatform.discover.result import ParseResult, relative_folder
from replatform.discover.source import SourceFile
from replatform.discover.tree import Node, render
from replatform.model import Attribute, ComponentKind, LinkKind, TargetKind, Unknown

COMPOSE_NAMES = ("docker-compose", "compose")


def is_compose(source: SourceFile, document: Node) -> bool:
    """Named like a compose file and has a ``services`` map."""
    return source.name.startswith(COMPOSE_NAMES) and isinstance(
        (document.get("services") or Node(None, source.whole())).value, dict
    )


def extract(source: SourceFile, document: Node, result: ParseResult) -> None:
    """One component per service: its image or build, and its platform."""
    for name, service in (document.get("services") or Node({}, source.whole())).items():
        attributes: list[Attribute] = [Attribute("compose_service", name, None)]
        image = service.get("image")
        if image is not None and image.literal() is not None:
            attributes.append(Attribute("image", image.literal() or "", image.location))
        platform = service.get("platform")
        if platform is not None and platform.literal() is not None:
            attributes.append(Attribute("platform", platform.literal() or "", platform.location))
        build = service.get("build")
        if build is not None:
            context = build.get("context") if isinstance(build.value, dict) else build
            if context is not None and context.text():
                attributes.append(Attribute("build_context", context.text() or "", context.location))
            dockerfile = build.get("dockerfile")
            if dockerfile is not None and dockerfile.text():
                attributes.append(Attribute("dockerfile", dockerfile.text() or "", dockerfile.location))
            platforms = build.get("platforms")
            if platforms is not None:
                values = tuple(str(p.scalar) for p in platforms.elements() if p.scalar is not None)
                attributes.append(Attribute("build_platforms", values, platforms.location))
        component = result.add(ComponentKind.CONTAINER_IMAGE, name, service.location, attributes)
        if build is not None:  # the build folder wins: it is what the image is made from
            context = build.get("context") if isinstance(build.value, dict) else build
            dockerfile = build.get("dockerfile") if isinstance(build.value, dict) else None
            named = (dockerfile.text() or "Dockerfile") if dockerfile is not None else "Dockerfile"
            text = (context.text() if context is not None else None) or "."
            base = posixpath.dirname(source.path)
            extra = (Attribute("dockerfile", named, dockerfile.location if dockerfile is not None else None),)
            where = context.location if context is not None else build.location
            result.link_folder(LinkKind.RUNS_IMAGE, component, [relative_folder(base, text)], where, text, extra, named)
        elif image is not None:
            literal = image.literal()
            target = literal if isinstance(literal, str) else Unknown(render(image))
            result.link(LinkKind.RUNS_IMAGE, component, target, image.location, render(image), TargetKind.IMAGE)
