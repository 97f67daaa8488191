"""What a language analyser reads from one source file: signal handlers, SQS calls, imports.

Every analyser works on a real syntax tree (tree-sitter), never on regular
expressions over the code, and returns the same `CodeFacts` so the check and
the summary do not care which language the worker is written in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import tree_sitter

from replatform.discover.source import SourceFile
from replatform.model import Location, Unknown

Number = int | Unknown | None


@dataclass
class Receive:
    """One receive call: where, the settings it passes, and the queue URL expression."""

    location: Location
    wait_time_seconds: Number = None
    visibility_timeout: Number = None
    queue_expression: str = ""
    #: Environment variables the queue URL expression reads (directly or through a variable).
    queue_env: tuple[str, ...] = ()
    #: A library that receives, deletes after the handler succeeds and long-polls by default (sqs-consumer).
    library: str = ""


@dataclass
class CodeFacts:
    """Facts from one file; `merge` adds another file's."""

    sigterm: list[tuple[Location, str]] = field(default_factory=list)  # where a handler is installed, and how
    sigterm_ignored: list[Location] = field(default_factory=list)  # signal(SIGTERM, SIG_IGN)
    receives: list[Receive] = field(default_factory=list)
    deletes: list[Location] = field(default_factory=list)
    deletes_before_processing: list[Location] = field(default_factory=list)
    heartbeats: list[Location] = field(default_factory=list)
    main: Location | None = None  # where the program's work starts (``if __name__``, ``func main``)
    #: Imports as the language writes them; the check resolves them to repository files.
    imports: list[str] = field(default_factory=list)
    parse_errors: list[Location] = field(default_factory=list)

    def merge(self, other: CodeFacts) -> None:
        self.sigterm += other.sigterm
        self.sigterm_ignored += other.sigterm_ignored
        self.receives += other.receives
        self.deletes += other.deletes
        self.deletes_before_processing += other.deletes_before_processing
        self.heartbeats += other.heartbeats
        self.main = self.main or other.main
        self.parse_errors += other.parse_errors


def where(source: SourceFile, node: tree_sitter.Node) -> Location:
    """The location of a syntax node."""
    return source.location_from_bytes(node.start_byte, node.end_byte)


def text(source: SourceFile, node: tree_sitter.Node | None) -> str:
    """The source text of a node ("" for none)."""
    if node is None:
        return ""
    return source.data[node.start_byte : node.end_byte].decode("utf-8", "replace")


def walk(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    """Every node below ``node`` in source order (iteratively: deep trees must not hit the recursion limit)."""
    out: list[tree_sitter.Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(current.children))
    return out


def first_error(root: tree_sitter.Node) -> tree_sitter.Node | None:
    """The first ERROR or missing node, if the parse failed somewhere."""
    if not root.has_error:
        return None
    for node in walk(root):
        if node.type == "ERROR" or node.is_missing:
            return node
    return root


def deleted_before_processing(
    source: SourceFile,
    statements: list[tree_sitter.Node],
    message: str,
    is_delete: set[int],
    identifier_types: tuple[str, ...] = ("identifier",),
) -> tree_sitter.Node | None:
    """In a loop body over received messages, a delete statement followed by statements that still use the message.

    ``is_delete`` holds the ids of delete call nodes; returns the delete call when the message is used after it.
    """
    for index, statement in enumerate(statements):
        calls = [n for n in walk(statement) if n.id in is_delete]
        if not calls:
            continue
        later = statements[index + 1 :]
        uses = any(n.type in identifier_types and text(source, n) == message for s in later for n in walk(s))
        return calls[0] if uses else None
    return None


def integer(value: str) -> int | None:
    """An integer literal as written (``20``, ``0x14``, ``1_000``), else None."""
    try:
        return int(value.replace("_", ""), 0)
    except ValueError:
        return None
