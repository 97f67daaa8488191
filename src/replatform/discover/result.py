"""What a format parser returns, and helpers every parser shares."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field, replace

from replatform.discover.source import SourceFile
from replatform.model import (
    Attribute,
    Component,
    ComponentKind,
    Finding,
    Fix,
    Link,
    LinkKind,
    Location,
    Severity,
    TargetKind,
    Unknown,
)

PARSE_ERROR = "parse-error"


@dataclass(frozen=True)
class FolderLink:
    """A link to a folder named relative to some base folders; the first that exists wins.

    A file parser cannot see the tree, so discovery resolves these after the walk
    (`resolve_folder_links`); when no candidate exists the link is `Unknown`.
    """

    kind: LinkKind
    source: str
    candidates: tuple[str, ...]
    location: Location
    expression: str
    attributes: tuple[Attribute, ...] = ()
    #: A file that must exist in the folder (the Dockerfile an image asset names).
    required: str = ""
    #: Folders the candidates were resolved against; those holding ``marker`` (cdk.json) are tried first.
    bases: tuple[str, ...] = ()
    marker: str = ""


def relative_folder(base: str, path: str) -> str | None:
    """``path`` joined to ``base`` and normalised; None when it leaves the root or is absolute."""
    if path.startswith(("/", "s3://", "http://", "https://")) or "\\" in path:
        return None
    joined = posixpath.normpath(posixpath.join(base, path)) if base else posixpath.normpath(path)
    if joined == ".":
        return "."
    if joined.startswith("../") or joined == "..":
        return None
    return joined


def resolve_folder_links(pending: list[FolderLink], folders: set[str], files: set[str]) -> list[Link]:
    """Each pending folder link to the first existing candidate folder, else an `Unknown` link."""
    links = []
    for item in pending:
        order = list(range(len(item.candidates)))
        if item.marker and len(item.bases) == len(item.candidates):
            order.sort(key=lambda i: posixpath.normpath(posixpath.join(item.bases[i] or ".", item.marker)) not in files)
        found = next(
            (
                item.candidates[i]
                for i in order
                if item.candidates[i] in folders
                and (
                    not item.required or posixpath.normpath(posixpath.join(item.candidates[i], item.required)) in files
                )
            ),
            None,
        )
        target: str | Unknown = found if found is not None else Unknown(item.expression)
        links.append(
            Link(item.kind, item.source, target, item.location, item.expression, TargetKind.FOLDER, item.attributes)
        )
    return links


@dataclass
class ParseResult:
    """Components, links and findings from one file (mutable while a parser builds it)."""

    components: list[Component] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    folder_links: list[FolderLink] = field(default_factory=list)
    #: The ids of ``components`` (kept by `add` and `extend`), so a clash is found without a scan per add.
    _ids: set[str] = field(default_factory=set, repr=False, compare=False)

    def link(
        self,
        kind: LinkKind,
        source: Component,
        target: str | Unknown,
        location: Location,
        expression: str,
        target_kind: TargetKind = TargetKind.COMPONENT,
        attributes: tuple[Attribute, ...] = (),
    ) -> None:
        """Record a resolved (or explicitly unresolved) link from a component."""
        self.links.append(Link(kind, source.id, target, location, expression, target_kind, attributes))

    def link_folder(
        self,
        kind: LinkKind,
        source: Component,
        candidates: list[str | None],
        location: Location,
        expression: str,
        attributes: tuple[Attribute, ...] = (),
        required: str = "",
        bases: list[str] | None = None,
        marker: str = "",
    ) -> None:
        """A link to a folder resolved after the walk (first existing candidate)."""
        if bases is not None and len(bases) == len(candidates):
            pairs = [(c, b) for c, b in zip(candidates, bases, strict=True) if c is not None]
            self.folder_links.append(
                FolderLink(
                    kind, source.id, tuple(c for c, _ in pairs), location, expression, attributes, required,
                    tuple(b for _, b in pairs), marker,
                )
            )  # fmt: skip
            return
        unique = tuple(dict.fromkeys(c for c in candidates if c is not None))
        self.folder_links.append(FolderLink(kind, source.id, unique, location, expression, attributes, required))

    def not_deployed(self, component: Component, reason: str) -> Component:
        """Mark a recorded component as declared but not deployed (replacing it in place)."""
        marked = replace(component, deployed=False, not_deployed=reason)
        for index in range(len(self.components) - 1, -1, -1):
            if self.components[index] is component:
                self.components[index] = marked
                break
        return marked

    def amend(self, component: Component, attributes: list[Attribute]) -> Component:
        """Add attributes another resource states about a recorded component (replacing it in place)."""
        if not attributes:
            return component
        names = {a.name for a in attributes}
        kept = tuple(a for a in component.attributes if a.name not in names)
        amended = replace(component, attributes=(*kept, *attributes))
        for index in range(len(self.components) - 1, -1, -1):
            if self.components[index] is component:
                self.components[index] = amended
                break
        return amended

    def add(
        self,
        kind: ComponentKind,
        name: str,
        location: Location,
        attributes: list[Attribute] | None = None,
        parent: str | None = None,
    ) -> Component:
        """Record a component and return it (so children can name it as parent).

        A child whose id another component of the file already has (two task definitions, each with a container
        ``app``) is named after its parent (``aws_ecs_task_definition.b/app``): ids stay unique, so links and
        checks never mix the two.
        """
        component = Component(kind, name, location, tuple(attributes or ()), parent)
        if parent is not None and component.id in self._ids:
            component = Component(kind, f"{parent.split('#', 1)[-1]}/{name}", location, component.attributes, parent)
        self.components.append(component)
        self._ids.add(component.id)
        return component

    def extend(self, other: ParseResult) -> None:
        """Take over everything another result holds."""
        self.components.extend(other.components)
        self._ids.update(c.id for c in other.components)
        self.findings.extend(other.findings)
        self.links.extend(other.links)
        self.folder_links.extend(other.folder_links)

    def parse_error(self, source: SourceFile, message: str, location: Location | None = None) -> None:
        """Record that (part of) a file could not be parsed; the scan goes on."""
        self.findings.append(
            Finding(
                rule_id=PARSE_ERROR,
                severity=Severity.WARNING,
                message=f"could not parse {source.name}: {message}",
                location=location or source.whole(),
                subject=source.path,
                fix=Fix("Fix the syntax error; until then this file is not assessed."),
            )
        )
