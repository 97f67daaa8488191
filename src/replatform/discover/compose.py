"""docker-compose files -> one container image per service, with ``platform``."""

from __future__ import annotations

from replatform.discover.result import ParseResult
from replatform.discover.source import SourceFile
from replatform.discover.tree import Node
from replatform.model import Attribute, ComponentKind

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
        result.add(ComponentKind.CONTAINER_IMAGE, name, service.location, attributes)
