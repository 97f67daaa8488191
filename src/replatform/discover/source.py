"""A scanned file in memory, and turning offsets into `Location`s.

Parsers work on bytes (tree-sitter does) or on text (most others); this class
keeps both views and converts between them so every parser reports the same
kind of location: 1-based line/column in characters plus byte offsets.
"""

from __future__ import annotations

import bisect
import itertools
import re
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
        starts.extend(itertools.accumulate(len(line) + 1 for line in self.data.split(b"\n")[:-1]))
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

    @cached_property
    def _wide(self) -> _WideCharacters:
        return _WideCharacters(self.data, self.text)

    def _point_from_byte(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.data)))
        row = bisect.bisect_right(self.line_starts, offset) - 1
        if offset == self.line_starts[row]:
            return row + 1, 1  # no character table needed (a binary's location is its first byte)
        return row + 1, self._wide.char_of_byte(offset) - self._char_line_starts[row] + 1

    def location_from_bytes(self, start: int, end: int) -> Location:
        """A location for the byte range ``[start, end)``."""
        line, column = self._point_from_byte(start)
        end_line, end_column = self._point_from_byte(end)
        return Location(self.path, line, column, end_line, end_column, start, end)

    def byte_offset(self, line: int, column: int) -> int:
        """Byte offset of a 1-based line and 1-based character column."""
        starts = self._char_line_starts
        row = max(0, min(line - 1, len(starts) - 1))
        return self._wide.byte_of_char(min(starts[row] + max(column, 1) - 1, len(self.text)))

    def location_from_chars(self, char_start: int, char_end: int) -> Location:
        """A location for the character range ``[char_start, char_end)`` of ``text``."""
        wide = self._wide
        return self.location_from_bytes(wide.byte_of_char(char_start), wide.byte_of_char(char_end))

    def location_of_line(self, line: int) -> Location:
        """A location covering a whole (1-based) line, without its newline."""
        if line <= 1 and "line_starts" not in self.__dict__:
            return self._first_line()
        row = max(0, min(line - 1, len(self.line_starts) - 1))
        start = self.line_starts[row]
        end = self.data.find(b"\n", start)
        end = len(self.data) if end == -1 else end
        if end > start and self.data[end - 1 : end] == b"\r":
            end -= 1
        return self.location_from_bytes(start, end)

    def _first_line(self) -> Location:
        """Line 1 without indexing every line (most components point at the top of their file)."""
        end = self.data.find(b"\n")
        end = len(self.data) if end == -1 else end
        if end > 0 and self.data[end - 1 : end] == b"\r":
            end -= 1
        column = len(self.data[:end].decode("utf-8", errors="replace")) + 1
        return Location(self.path, 1, 1, 1, column, 0, end)

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


class _WideCharacters:
    """Where character and byte offsets stop agreeing: one entry per non-ASCII character.

    Every conversion is a binary search over these (ASCII files have none), so
    mapping all the nodes of a one-line 3 MB lockfile stays linear. Undecodable
    bytes count as the one U+FFFD that ``text`` shows for them.
    """

    def __init__(self, data: bytes, text: str) -> None:
        self.chars: list[int] = []  # character index of each non-ASCII character
        self.bytes: list[int] = []  # byte offset where it starts
        self.extra: list[int] = []  # bytes beyond one per character, up to and including it
        if data.isascii():
            return
        extra = 0
        for match in _NON_ASCII.finditer(text):
            char = match.start()
            start = char + extra
            extra += _width(data, start, match.group()) - 1
            self.chars.append(char)
            self.bytes.append(start)
            self.extra.append(extra)

    def byte_of_char(self, char: int) -> int:
        before = bisect.bisect_left(self.chars, char)
        return char + (self.extra[before - 1] if before else 0)

    def char_of_byte(self, offset: int) -> int:
        before = bisect.bisect_left(self.bytes, offset)
        if before and offset < self.bytes[before - 1] + 1 + self.extra[before - 1] - (
            self.extra[before - 2] if before > 1 else 0
        ):
            return self.chars[before - 1]  # inside a multi-byte character: point at it
        return offset - (self.extra[before - 1] if before else 0)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _width(data: bytes, start: int, char: str) -> int:
    """How many bytes of ``data`` at ``start`` decode to ``char``."""
    if char != "\ufffd" or data[start : start + 3] == b"\xef\xbf\xbd":
        return len(char.encode("utf-8"))
    try:
        data[start : start + 8].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start == 0:
            return max(exc.end, 1)
    return 1
