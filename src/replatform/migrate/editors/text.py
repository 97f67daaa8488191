"""What every editor shares: the original bytes, their line endings and indentation, and edits on them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import tree_sitter

from replatform.discover.source import SourceFile
from replatform.model import Edit

_INDENT = re.compile(rb"^([ \t]+)\S", re.MULTILINE)


@dataclass(frozen=True)
class Assigned:
    """A value assigned to a name (``SIZE = "m5.large"``): the value's node and where else the name is read."""

    name: str
    value: tree_sitter.Node
    #: Lines (1-based) of every read of the name in the file, the one a fix came from included.
    reads: tuple[int, ...]
    #: Exported (TypeScript ``export const``): other files may read it too.
    exported: bool = False


@dataclass
class Buffer:
    """One file as it is on disk: the editors read positions here and return `Edit`s against it."""

    path: str
    data: bytes

    @cached_property
    def source(self) -> SourceFile:
        """The discovery view of the same bytes (line/column <-> byte conversions)."""
        return SourceFile(self.path, self.data)

    @cached_property
    def eol(self) -> str:
        """The file's line ending: CRLF when most lines end so, else LF."""
        crlf = self.data.count(b"\r\n")
        return "\r\n" if crlf and crlf * 2 >= self.data.count(b"\n") else "\n"

    @cached_property
    def indent_unit(self) -> str:
        """One level of indentation as the file writes it: a tab, or the smallest run of spaces."""
        widths = []
        for match in _INDENT.finditer(self.data):
            run = match.group(1)
            if run.startswith(b"\t"):
                return "\t"
            widths.append(len(run))
        return " " * min(widths) if widths else "  "

    def text(self, start: int, end: int) -> str:
        """The original text of ``[start, end)``."""
        return self.data[start:end].decode("utf-8", errors="replace")

    def line_start(self, offset: int) -> int:
        """Byte offset where the line holding ``offset`` starts."""
        return self.data.rfind(b"\n", 0, offset) + 1

    def line_end(self, offset: int) -> int:
        """Byte offset of the end of the line holding ``offset`` (before its CR/LF)."""
        end = self.data.find(b"\n", offset)
        end = len(self.data) if end == -1 else end
        return end - 1 if end > 0 and self.data[end - 1 : end] == b"\r" else end

    def next_line(self, offset: int) -> int:
        """Byte offset of the start of the line after the one holding ``offset`` (or the end of the file)."""
        end = self.data.find(b"\n", offset)
        return len(self.data) if end == -1 else end + 1

    def indentation(self, offset: int) -> str:
        """The leading whitespace of the line holding ``offset``."""
        start = self.line_start(offset)
        match = re.match(rb"[ \t]*", self.data[start:])
        return match.group(0).decode() if match else ""

    def ends_with_newline(self) -> bool:
        return self.data.endswith(b"\n")

    def replace(self, start: int, end: int, text: str) -> Edit | None:
        """An edit replacing ``[start, end)`` by ``text``; None when it would change nothing."""
        if self.text(start, end) == text:
            return None
        return Edit(self.path, start, end, text)

    def insert(self, offset: int, text: str) -> Edit:
        """An edit inserting ``text`` at ``offset``."""
        return Edit(self.path, offset, offset, text)

    def lines(self, text: str) -> str:
        """``text`` written with ``\\n`` turned into the file's line ending."""
        return text.replace("\n", self.eol) if self.eol != "\n" else text


def splice(data: bytes, edits: list[Edit]) -> bytes:
    """Apply non-overlapping edits of one file to its bytes (in place of the spans, back to front)."""
    out = data
    for edit in sorted(edits, key=lambda e: (e.start_byte, e.end_byte), reverse=True):
        out = out[: edit.start_byte] + edit.replacement.encode("utf-8") + out[edit.end_byte :]
    return out


def walk(root: tree_sitter.Node) -> list[tree_sitter.Node]:
    """Every node under ``root`` (itself first), in document order."""
    out, stack = [], [root]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.children))
    return out
