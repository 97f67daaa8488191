"""YAML (CloudFormation/SAM, serverless, Kubernetes, compose, CI): replace a scalar, insert a key or an item.

Positions come from ruamel.yaml's round-trip loader (the parser discovery uses); new text is written in
the style of the surrounding node: block or flow, its indentation, the file's quotes and line endings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import YAMLError

from replatform.migrate.editors.text import Buffer
from replatform.model import Edit

#: A path into a YAML file: the document index, then map keys and list indexes.
Path = tuple[int | str, ...]


@dataclass(frozen=True)
class Tagged:
    """A value with a short-form tag, written as the file would (``!Ref Cluster``, ``!Sub |`` and its lines)."""

    tag: str
    value: YamlValue


YamlValue: TypeAlias = str | int | bool | Mapping[str, "YamlValue"] | Sequence["YamlValue"] | Tagged


def plain(node: Any) -> YamlValue:
    """A loaded node as a `YamlValue` (tags kept), so a value can be copied into new text."""
    tag = getattr(getattr(node, "tag", None), "value", None)
    if isinstance(node, TaggedScalar):
        return Tagged(str(node.tag.value), str(node.value))
    if isinstance(node, Mapping):
        value: YamlValue = {str(k): plain(v) for k, v in node.items()}
    elif isinstance(node, list):
        value = [plain(item) for item in node]
    elif isinstance(node, bool | int):
        value = node
    else:
        value = str(node)
    return Tagged(str(tag), value) if isinstance(tag, str) and tag.startswith("!") else value


_PLAIN = re.compile(r"^[A-Za-z0-9_/][A-Za-z0-9_./:@+, -]*$")
_RESERVED = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}


class YamlEditError(Exception):
    """The file is not YAML we can edit (malformed, or the node is not where the path says)."""


def load(text: str) -> list[Any]:
    """Every document of ``text`` with ruamel's round-trip positions (raises `YamlEditError`)."""
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = True
    try:
        return list(yaml.load_all(text))
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise YamlEditError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc


class YamlEditor:
    """Edits on one YAML file, addressed by `Path`."""

    def __init__(self, buffer: Buffer) -> None:
        self.buffer = buffer
        self.documents = load(buffer.source.text)
        self._quote = "'" if buffer.data.count(b"'") > buffer.data.count(b'"') else '"'

    # ------------------------------------------------------------ lookup

    def node(self, path: Path) -> Any:
        """The ruamel node at ``path`` (None when absent)."""
        if not path or not isinstance(path[0], int) or path[0] >= len(self.documents):
            return None
        current: Any = self.documents[path[0]]
        for part in path[1:]:
            if (isinstance(part, str) and isinstance(current, CommentedMap) and part in current) or (
                isinstance(part, int) and isinstance(current, CommentedSeq) and 0 <= part < len(current)
            ):
                current = current[part]
            else:
                return None
        return current

    def _position(self, path: Path) -> tuple[int, int] | None:
        """0-based (line, column) where the value at ``path`` is written."""
        parent = self.node(path[:-1]) if len(path) > 1 else None
        last = path[-1]
        try:
            if isinstance(parent, CommentedMap) and isinstance(last, str):
                pos = parent.lc.value(last)
            elif isinstance(parent, CommentedSeq) and isinstance(last, int):
                pos = parent.lc.item(last)
            else:
                return None
        except (KeyError, IndexError, TypeError):
            return None
        return (int(pos[0]), int(pos[1])) if pos is not None else None

    def path_at(self, offset: int) -> Path | None:
        """The path of the outermost value written at byte ``offset`` (a discovery location's start)."""
        for index, document in enumerate(self.documents):
            stack: list[tuple[Path, Any]] = [((index,), document)]
            while stack:
                path, node = stack.pop()
                if isinstance(node, CommentedMap):
                    children: list[tuple[int | str, Any]] = [(k, node[k]) for k in node if isinstance(k, str)]
                elif isinstance(node, CommentedSeq):
                    children = list(enumerate(node))
                else:
                    continue
                for key, _child in children:
                    position = self._position((*path, key))
                    if position is not None and self._offset(*position) == offset:
                        return (*path, key)
                for key, child in reversed(children):
                    stack.append(((*path, key), child))
        return None

    def _offset(self, line: int, column: int) -> int:
        return self.buffer.source.byte_offset(line + 1, column + 1)

    def scalar_span(self, path: Path) -> tuple[int, int] | None:
        """Byte span of the scalar at ``path`` (quotes included, a tag such as ``!Ref`` excluded)."""
        node = self.node(path)
        if isinstance(node, (CommentedMap, CommentedSeq)):
            return None
        position = self._position(path)
        if position is None:
            return None
        parent = self.node(path[:-1])
        flow = bool(getattr(getattr(parent, "fa", None), "flow_style", lambda: False)())
        start = self._offset(*position)
        data = self.buffer.data
        end_of_line = self.buffer.line_end(start)
        if data[start : start + 1] == b"!":  # a tag: the scalar follows it
            space = data.find(b" ", start, end_of_line)
            if space == -1:
                return None
            start = space + 1
            while data[start : start + 1] == b" ":
                start += 1
        return start, _scalar_end(data, start, end_of_line, flow)

    # ------------------------------------------------------------ edits

    def set_scalar(self, path: Path, value: YamlValue) -> Edit | None:
        """Replace the scalar at ``path`` (keeping its quote style); None when it already reads so."""
        span = self.scalar_span(path)
        if span is None:
            raise YamlEditError(f"no scalar at {path!r}")
        start, end = span
        old = self.buffer.text(start, end)
        text = str(value)
        if old[:1] in ("'", '"'):
            text = f"{old[0]}{text}{old[0]}"
        elif not _plain(text):
            text = self._quoted(text)
        return self.buffer.replace(start, end, text)

    def insert_entry(self, map_path: Path, key: str, value: YamlValue, *, after: str | None = None) -> Edit | None:
        """Add ``key: value`` to the map at ``map_path`` (None when the key is there already).

        Block maps get a new line at the indentation of their keys, after ``after`` (or the last key);
        flow maps get ``, key: value`` before their closing brace.
        """
        node = self.node(map_path)
        if not isinstance(node, CommentedMap):
            raise YamlEditError(f"no map at {map_path!r}")
        if key in node:
            return None
        if node.fa.flow_style():
            close = self._flow_close(node.lc.line, node.lc.col)
            separator = ", " if len(node) else ""
            return self.buffer.insert(close, f"{separator}{key}: {self._flow(value)}")
        offset, indent = self._block_map_end(node, map_path, after)
        return self._insert_lines(offset, self._block_entry(key, value, indent))

    def insert_entries(
        self, map_path: Path, entries: Sequence[tuple[str, YamlValue]], *, after: str | None = None
    ) -> Edit:
        """Add several entries to the block map at ``map_path`` as one edit, each after a blank line when the
        map separates its entries so (a template's resources); a key already there is an error, never overwritten.
        """
        node = self.node(map_path)
        if not isinstance(node, CommentedMap) or node.fa.flow_style():
            raise YamlEditError(f"no block map at {map_path!r}")
        taken = [key for key, _value in entries if key in node]
        if taken:
            raise YamlEditError(f"{', '.join(taken)} already declared at {map_path!r}")
        offset, indent = self._block_map_end(node, map_path, after)
        keys = list(node)
        separated = len(keys) < 2 or not self.buffer.source.lines[int(node.lc.key(keys[1])[0]) - 1].strip()
        lines: list[str] = []
        for key, value in entries:
            lines += [*([""] if separated else []), *self._block_entry(key, value, indent)]
        return self._insert_lines(offset, lines)

    def _block_map_end(self, node: CommentedMap, map_path: Path, after: str | None) -> tuple[int, str]:
        """Where a new entry of a block map goes (after ``after``, else its last key) and its indentation."""
        if not len(node):
            raise YamlEditError(f"empty block map at {map_path!r}")
        anchor = after if after in node else list(node)[-1]
        line, column = (int(x) for x in node.lc.key(anchor))
        return self._entry_end(line, column), " " * column

    def remove_entry(self, map_path: Path, key: str) -> Edit | None:
        """Delete ``key: value`` (all its lines) from the block map at ``map_path`` (None when absent)."""
        node = self.node(map_path)
        if not isinstance(node, CommentedMap):
            raise YamlEditError(f"no map at {map_path!r}")
        if key not in node:
            return None
        if node.fa.flow_style():
            raise YamlEditError(f"{key} is in a flow map; not removed")
        line, column = (int(x) for x in node.lc.key(key))
        start = self._offset(line, 0)
        if self.buffer.text(start, self._offset(line, column)).strip(" -"):
            raise YamlEditError(f"{key} shares its line with another key")
        if next(iter(node)) == key and self.buffer.text(start, self._offset(line, column)).strip():
            raise YamlEditError(f"{key} starts a list item; not removed")
        return Edit(self.buffer.path, start, self._entry_end(line, column), "")

    def replace_entry(self, map_path: Path, old: str, value: YamlValue, *, key: str | None = None) -> Edit:
        """Rewrite the entry ``old: ...`` of a block map as ``key: value`` (``key`` defaults to ``old``), in place."""
        node = self.node(map_path)
        if not isinstance(node, CommentedMap) or old not in node or node.fa.flow_style():
            raise YamlEditError(f"no block map entry {old} at {map_path!r}")
        line, column = (int(x) for x in node.lc.key(old))
        start = self._offset(line, 0)
        if self.buffer.text(start, self._offset(line, column)).strip():
            raise YamlEditError(f"{old} shares its line with other text")
        lines = self._block_entry(key or old, value, " " * column)
        return Edit(self.buffer.path, start, self._entry_end(line, column), "".join(x + self.buffer.eol for x in lines))

    def append_items(self, seq_path: Path, values: list[YamlValue]) -> Edit | None:
        """Add the ``values`` not there yet at the end of the list at ``seq_path``, as one edit."""
        node = self.node(seq_path)
        if not isinstance(node, CommentedSeq):
            raise YamlEditError(f"no list at {seq_path!r}")
        present = {str(item) for item in node if not isinstance(item, (CommentedMap, CommentedSeq))}
        missing = [value for value in values if str(value) not in present]
        if not missing:
            return None
        if node.fa.flow_style():
            close = self._flow_close(node.lc.line, node.lc.col)
            separator = ", " if len(node) else ""
            return self.buffer.insert(close, separator + ", ".join(self._flow(value) for value in missing))
        if not len(node):
            raise YamlEditError(f"empty block list at {seq_path!r}")
        edits = [self.insert_item(seq_path, len(node), value) for value in missing]
        return Edit(self.buffer.path, edits[0].start_byte, edits[0].end_byte, "".join(e.replacement for e in edits))

    def append_item(self, seq_path: Path, value: YamlValue) -> Edit | None:
        """Add ``value`` at the end of the list at ``seq_path`` (None when it is there already)."""
        node = self.node(seq_path)
        if not isinstance(node, CommentedSeq):
            raise YamlEditError(f"no list at {seq_path!r}")
        if any(str(item) == str(value) for item in node if not isinstance(item, (CommentedMap, CommentedSeq))):
            return None
        if node.fa.flow_style() or not len(node):
            if not node.fa.flow_style():
                raise YamlEditError(f"empty block list at {seq_path!r}")
            close = self._flow_close(node.lc.line, node.lc.col)
            separator = ", " if len(node) else ""
            return self.buffer.insert(close, f"{separator}{self._flow(value)}")
        return self.insert_item(seq_path, len(node), value)

    def insert_item(self, seq_path: Path, index: int, value: YamlValue) -> Edit:
        """Insert ``value`` into the block list at ``seq_path`` before item ``index`` (or at its end)."""
        node = self.node(seq_path)
        if not isinstance(node, CommentedSeq) or not len(node) or node.fa.flow_style():
            raise YamlEditError(f"no block list at {seq_path!r}")
        item_line, item_col = (int(x) for x in node.lc.item(min(index, len(node) - 1)))
        dash = self._offset(item_line, 0) + self.buffer.source.lines[item_line].find("-")
        dash_col = len(self.buffer.text(self.buffer.line_start(dash), dash))
        indent = " " * dash_col
        gap = " " * max(1, item_col - dash_col - 1)
        lines = self._render_item(value, indent, gap)
        if index < len(node):
            return self._insert_lines(self.buffer.line_start(dash), lines)
        return self._insert_lines(self._entry_end(item_line, dash_col), lines)

    # ------------------------------------------------------------ layout

    def _entry_end(self, line: int, column: int) -> int:
        """Byte offset just after the last line that belongs to the entry starting at (line, column)."""
        lines = self.buffer.source.lines
        last = line
        for index in range(line + 1, len(lines)):
            stripped = lines[index].rstrip("\r")
            content = stripped.lstrip(" ")
            if not content or content.startswith("#"):
                continue
            if len(stripped) - len(content) <= column or content.startswith(("---", "...")):
                break
            last = index
        return self.buffer.next_line(self._offset(last, 0))

    def _flow_close(self, line: int, column: int) -> int:
        """Byte offset of the bracket that closes the flow collection opening at (line, column)."""
        data = self.buffer.data
        start = self._offset(line, column)
        depth, quote, index = 0, b"", start
        while index < len(data):
            char = data[index : index + 1]
            if quote:
                if char == quote:
                    quote = b""
            elif char in (b"'", b'"'):
                quote = char
            elif char in (b"[", b"{"):
                depth += 1
            elif char in (b"]", b"}"):
                depth -= 1
                if depth == 0:
                    # keep the new entry before trailing spaces inside the brackets
                    while index > start and data[index - 1 : index] == b" ":
                        index -= 1
                    return index
            index += 1
        raise YamlEditError("unterminated flow collection")

    def _insert_lines(self, offset: int, lines: list[str]) -> Edit:
        text = "".join(line + self.buffer.eol for line in lines)
        if offset == len(self.buffer.data) and self.buffer.data and not self.buffer.ends_with_newline():
            text = self.buffer.eol + text.removesuffix(self.buffer.eol)
        return self.buffer.insert(offset, text)

    # ------------------------------------------------------------ rendering

    def _quoted(self, text: str) -> str:
        if self._quote == "'":
            return "'" + text.replace("'", "''") + "'"
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def _scalar(self, value: YamlValue) -> str:
        if isinstance(value, Tagged):
            return f"{value.tag} {self._flow(value.value)}"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        text = str(value)
        return text if _plain(text) else self._quoted(text)

    def _flow(self, value: YamlValue) -> str:
        if isinstance(value, Tagged):
            return f"{value.tag} {self._flow(value.value)}"
        if isinstance(value, Mapping):
            return "{" + ", ".join(f"{k}: {self._flow(v)}" for k, v in value.items()) + "}"
        if isinstance(value, Sequence) and not isinstance(value, str):
            return "[" + ", ".join(self._flow(v) for v in value) + "]"
        if isinstance(value, str) and "," in value:  # a comma ends a plain scalar inside [ ] and { }
            return self._quoted(value)
        return self._scalar(value)

    def _block_entry(self, key: str, value: YamlValue, indent: str) -> list[str]:
        unit = self.buffer.indent_unit if self.buffer.indent_unit != "\t" else "  "
        tag = ""
        if isinstance(value, Tagged):  # ``key: !Tag value``, or the tag then its block (``!Sub |``)
            if not isinstance(value.value, Mapping | list) and "\n" not in str(value.value):
                return [f"{indent}{key}: {self._scalar(value)}"]
            tag, value = f" {value.tag}", value.value
        if isinstance(value, str) and "\n" in value:  # a literal block: the lines as written (user data, scripts)
            chomp = "" if value.endswith("\n") else "-"
            return [
                f"{indent}{key}:{tag} |{chomp}",
                *(f"{indent}{unit}{ln}" if ln else "" for ln in value.splitlines()),
            ]
        if isinstance(value, Mapping):
            lines = [f"{indent}{key}:{tag}"]
            for child_key, child in value.items():
                lines.extend(self._block_entry(child_key, child, indent + unit))
            return lines
        if isinstance(value, Sequence) and not isinstance(value, str):
            lines = [f"{indent}{key}:{tag}"]
            for item in value:
                lines.extend(self._render_item(item, indent + unit, " "))
            return lines
        return [f"{indent}{key}: {self._scalar(value)}"]

    def _render_item(self, value: YamlValue, indent: str, gap: str) -> list[str]:
        if isinstance(value, Mapping):
            entries = list(value.items())
            inner = indent + " " + gap
            lines: list[str] = []
            for position, (key, child) in enumerate(entries):
                block = self._block_entry(key, child, inner)
                if position == 0:
                    block[0] = f"{indent}-{gap}{block[0].lstrip(' ')}"
                lines.extend(block)
            return lines
        return [f"{indent}-{gap}{self._flow(value)}"]


def _plain(text: str) -> bool:
    """Whether ``text`` reads back as the same string when written unquoted."""
    if not _PLAIN.match(text) or text.endswith(" ") or ": " in text or " #" in text:
        return False
    return text.lower() not in _RESERVED and not re.fullmatch(r"[0-9.eE+-]+", text)


def _scalar_end(data: bytes, start: int, limit: int, flow: bool) -> int:
    """End of the scalar starting at ``start`` (quoted, or plain up to a comment / flow delimiter)."""
    first = data[start : start + 1]
    if first in (b"'", b'"'):
        index = start + 1
        while index < limit:
            char = data[index : index + 1]
            if first == b'"' and char == b"\\":
                index += 2
                continue
            if char == first:
                if first == b"'" and data[index + 1 : index + 2] == b"'":
                    index += 2
                    continue
                return index + 1
            index += 1
        return limit
    end = start
    while end < limit:
        char = data[end : end + 1]
        if flow and char in (b",", b"]", b"}"):
            break
        if char == b"#" and end > start and data[end - 1 : end] in (b" ", b"\t"):
            break
        end += 1
    while end > start and data[end - 1 : end] in (b" ", b"\t"):
        end -= 1
    return end
