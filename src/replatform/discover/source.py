"""A scanned file in memory, and turning offsets into `Location`s.

Parsers work on bytes (tree-sitter does) or on text (most others); this class
keeps both views and converts between them so every parser reports the same
kind of location: 1-based line/column in characters plus byte offsets.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property

from replatform.model import Location


@dataclass
class SourceFile:
    """One file under the scan root: its relative path and raw content."""

    path: str
    data: bytes

    @cached_property
    def text(self) -> str:
        """The content decoded as UTF-8, invalid bytes replaced (never fails)."""
        return self.data.decode("utf-8", errors="replace")

    @cached_property
    def lines(self) -> list[str]:
        """The decoded text split on newlines (``\\r`` kept, as parsers count lines)."""
        return self.text.split("\n")

    @cached_property
    def name(self) -> str:
        """The file name without directories."""
        return self.path.rsplit("/", 1)[-1]

    @cached_property
    def line_starts(self) -> list[int]:
        """Byte offset where each line starts."""
        starts = [0]
        find = self.data.find
        pos = find(b"\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find(b"\n", pos + 1)
        return starts

    @cached_property
    def _char_line_starts(self) -> list[int]:
        starts = [0]
        text = self.text
        pos = text.find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = text.find("\n", pos + 1)
        return starts

    def _point_from_byte(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.data)))
        row = bisect.bisect_right(self.line_starts, offset) - 1
        start = self.line_starts[row]
        column = len(self.data[start:offset].decode("utf-8", errors="replace")) + 1
        return row + 1, column

    def location_from_bytes(self, start: int, end: int) -> Location:
        """A location for the byte range ``[start, end)``."""
        line, column = self._point_from_byte(start)
        end_line, end_column = self._point_from_byte(end)
        return Location(self.path, line, column, end_line, end_column, start, end)

    def byte_offset(self, line: int, column: int) -> int:
        """Byte offset of a 1-based line and 1-based character column."""
        starts = self._char_line_starts
        row = max(0, min(line - 1, len(starts) - 1))
        char_start = starts[row]
        prefix = self.text[char_start : char_start + column - 1]
        return self.line_starts[min(row, len(self.line_starts) - 1)] + len(prefix.encode("utf-8"))

    def location_from_chars(self, char_start: int, char_end: int) -> Location:
        """A location for the character range ``[char_start, char_end)`` of ``text``."""
        start = len(self.text[:char_start].encode("utf-8"))
        end = start + len(self.text[char_start:char_end].encode("utf-8"))
        return self.location_from_bytes(start, end)

    def location_of_line(self, line: int) -> Location:
        """A location covering a whole (1-based) line, without its newline."""
        row = max(0, min(line - 1, len(self.line_starts) - 1))
        start = self.line_starts[row]
        end = self.data.find(b"\n", start)
        end = len(self.data) if end == -1 else end
        if end > start and self.data[end - 1 : end] == b"\r":
            end -= 1
        return self.location_from_bytes(start, end)

    def whole(self) -> Location:
        """A location for the whole file, pointing at its first line."""
        return self.location_of_line(1)

    def find_line(self, needle: str, start_line: int = 1) -> int | None:
        """The first 1-based line at or after ``start_line`` containing ``needle``."""
        starts = self._char_line_starts
        begin = starts[max(0, min(start_line - 1, len(starts) - 1))]
        pos = self.text.find(needle, begin)
        if pos == -1:
            return None
        return bisect.bisect_right(starts, pos)

    def locate_text(self, needle: str, start_line: int = 1) -> Location | None:
        """The span of the first occurrence of ``needle`` at or after ``start_line``."""
        starts = self._char_line_starts
        begin = starts[max(0, min(start_line - 1, len(starts) - 1))]
        pos = self.text.find(needle, begin)
        if pos == -1:
            return None
        return self.location_from_chars(pos, pos + len(needle))
