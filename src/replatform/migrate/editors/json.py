"""JSON (CloudFormation JSON, ECS task-definition JSON, package.json): replace a value, insert a property.

Positions come from tree-sitter-json (the parser discovery uses). A new property follows the object's own
layout: one per line at the indentation of its siblings, or inline for a one-line object.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import tree_sitter
import tree_sitter_json

from replatform.migrate.editors.text import Buffer
from replatform.model import Edit

_LANGUAGE = tree_sitter.Language(tree_sitter_json.language())
Path = tuple[str | int, ...]


class JsonEditError(Exception):
    """Not JSON we can edit, or nothing at the path."""


class JsonEditor:
    """Edits on one JSON file, addressed by keys and list indexes from the top value."""

    def __init__(self, buffer: Buffer) -> None:
        self.buffer = buffer
        tree = tree_sitter.Parser(_LANGUAGE).parse(buffer.data)
        if tree.root_node.has_error:
            raise JsonEditError("syntax error")
        values = [c for c in tree.root_node.named_children if c.type != "comment"]
        if not values:
            raise JsonEditError("empty document")
        self.root = values[0]
        self._inline_items = _objects_in_arrays_inline(self.root)

    def node(self, path: Path) -> tree_sitter.Node | None:
        current: tree_sitter.Node | None = self.root
        for part in path:
            if current is None:
                return None
            if isinstance(part, str) and current.type == "object":
                current = self._pair_value(current, part)
            elif isinstance(part, int) and current.type == "array":
                items = [c for c in current.named_children if c.type != "comment"]
                current = items[part] if 0 <= part < len(items) else None
            else:
                return None
        return current

    def path_of(self, offset: int) -> Path | None:
        """The path of the value that starts at byte ``offset`` (a discovery location's start)."""
        stack: list[tuple[Path, tree_sitter.Node]] = [((), self.root)]
        while stack:
            path, node = stack.pop()
            if node.start_byte == offset and path:
                return path
            if not node.start_byte <= offset < node.end_byte:
                continue
            if node.type == "object":
                for pair in node.named_children:
                    key_node, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
                    if pair.type == "pair" and key_node is not None and value is not None:
                        stack.append(((*path, _string(key_node)), value))
            elif node.type == "array":
                items = [c for c in node.named_children if c.type != "comment"]
                stack.extend(((*path, index), item) for index, item in enumerate(items))
        return None

    @staticmethod
    def _pair_value(obj: tree_sitter.Node, key: str) -> tree_sitter.Node | None:
        for pair in obj.named_children:
            if pair.type != "pair":
                continue
            key_node = pair.child_by_field_name("key")
            if key_node is not None and _string(key_node) == key:
                return pair.child_by_field_name("value")
        return None

    def value(self, path: Path) -> Any:
        """The plain value at ``path`` (None when absent)."""
        node = self.node(path)
        if node is None:
            return None
        try:
            return json.loads(self.buffer.text(node.start_byte, node.end_byte))
        except ValueError:
            return None

    def set_value(self, path: Path, value: Any) -> Edit | None:
        """Replace the value at ``path`` with ``value`` (None when it already is)."""
        node = self.node(path)
        if node is None:
            raise JsonEditError(f"nothing at {path!r}")
        if node.type in ("object", "array"):
            indent = self.buffer.indentation(node.start_byte)
            text = self.buffer.lines(self._render(value, indent, multiline=self._multiline(node)))
        else:
            text = json.dumps(value, ensure_ascii=False)
        return self.buffer.replace(node.start_byte, node.end_byte, text)

    def insert_property(self, path: Path, key: str, value: Any) -> Edit | None:
        """Add ``"key": value`` to the object at ``path`` (None when the key exists)."""
        obj = self.node(path)
        if obj is None or obj.type != "object":
            raise JsonEditError(f"no object at {path!r}")
        if self._pair_value(obj, key) is not None:
            return None
        pairs = [c for c in obj.named_children if c.type == "pair"]
        close = obj.end_byte - 1
        if not pairs:
            indent = self.buffer.indentation(obj.start_byte)
            inner = indent + self.buffer.indent_unit
            rendered = self._render(value, inner, multiline=True)
            text = self.buffer.lines(f"\n{inner}{json.dumps(key)}: {rendered}\n{indent}")
            return Edit(self.buffer.path, obj.start_byte + 1, close, text)
        last = pairs[-1]
        multiline = self._multiline(obj)
        if multiline:
            indent = self.buffer.indentation(last.start_byte)
            rendered = self._render(value, indent, multiline=True)
            text = self.buffer.lines(f",\n{indent}{json.dumps(key)}: {rendered}")
        else:
            text = f", {json.dumps(key)}: {self._render(value, '', multiline=False)}"
        return self.buffer.insert(last.end_byte, text)

    def insert_properties(self, path: Path, items: Sequence[tuple[str, Any]], *, after: str | None = None) -> Edit:
        """Add several properties to the multi-line object at ``path`` as one edit, after the property ``after``
        (else the last one); a key already there is an error, never overwritten.
        """
        obj = self.node(path)
        if obj is None or obj.type != "object" or not self._multiline(obj):
            raise JsonEditError(f"no multi-line object at {path!r}")
        taken = [key for key, _value in items if self._pair_value(obj, key) is not None]
        if taken:
            raise JsonEditError(f"{', '.join(taken)} already declared at {path!r}")
        pairs = [c for c in obj.named_children if c.type == "pair"]
        if not pairs:
            raise JsonEditError(f"empty object at {path!r}")
        keys = [pair.child_by_field_name("key") for pair in pairs]
        anchor = next((pair for pair, key in zip(pairs, keys, strict=True) if key and _string(key) == after), pairs[-1])
        indent = self.buffer.indentation(anchor.start_byte)
        text = "".join(f",\n{indent}{json.dumps(k)}: {self._render(v, indent, multiline=True)}" for k, v in items)
        return self.buffer.insert(anchor.end_byte, self.buffer.lines(text))

    def remove_property(self, path: Path, key: str) -> Edit | None:
        """Delete ``"key": value`` from the object at ``path`` with the comma that separated it (None when absent)."""
        obj = self.node(path)
        if obj is None or obj.type != "object":
            raise JsonEditError(f"no object at {path!r}")
        pairs = [c for c in obj.named_children if c.type == "pair"]
        for index, pair in enumerate(pairs):
            key_node = pair.child_by_field_name("key")
            if key_node is None or _string(key_node) != key:
                continue
            if index > 0:  # from the end of the previous pair: its comma goes, the next one's stays
                return Edit(self.buffer.path, pairs[index - 1].end_byte, pair.end_byte, "")
            if len(pairs) > 1:
                return Edit(self.buffer.path, pair.start_byte, pairs[1].start_byte, "")
            return Edit(self.buffer.path, pair.start_byte, pair.end_byte, "")
        return None

    def append_item(self, path: Path, value: Any) -> Edit | None:
        """Add ``value`` at the end of the array at ``path`` (None when it holds it already)."""
        return self.append_items(path, [value])

    def append_items(self, path: Path, values: list[Any]) -> Edit | None:
        """Add the ``values`` the array at ``path`` does not hold yet at its end, as one edit."""
        array = self.node(path)
        if array is None or array.type != "array":
            raise JsonEditError(f"no array at {path!r}")
        current = self.value(path)
        missing = [v for v in values if not (isinstance(current, list) and v in current)]
        if not missing:
            return None
        items = [c for c in array.named_children if c.type != "comment"]
        rendered = [self._render(value, "", multiline=False) for value in missing]
        if not items:
            return Edit(self.buffer.path, array.start_byte + 1, array.end_byte - 1, ", ".join(rendered))
        if self._multiline(array):
            indent = self.buffer.indentation(items[-1].start_byte)
            text = "".join(f",\n{indent}{r}" for r in rendered)
            return self.buffer.insert(items[-1].end_byte, self.buffer.lines(text))
        return self.buffer.insert(items[-1].end_byte, "".join(f", {r}" for r in rendered))

    def _multiline(self, node: tree_sitter.Node) -> bool:
        return node.start_point[0] != node.end_point[0]

    def _render(self, value: Any, indent: str, *, multiline: bool) -> str:
        unit = self.buffer.indent_unit
        if isinstance(value, Mapping):
            if not multiline or _short(value):
                return (
                    "{"
                    + ", ".join(f"{json.dumps(k)}: {self._render(v, '', multiline=False)}" for k, v in value.items())
                    + "}"
                )
            inner = indent + unit
            body = ",\n".join(
                f"{inner}{json.dumps(k)}: {self._render(v, inner, multiline=True)}" for k, v in value.items()
            )
            return "{\n" + body + "\n" + indent + "}"
        if isinstance(value, Sequence) and not isinstance(value, str):
            if multiline and any(isinstance(v, Mapping) for v in value):  # one object per line, as the file does
                inner = indent + unit
                items = ",\n".join(inner + self._render(v, inner, multiline=not self._inline_items) for v in value)
                return "[\n" + items + "\n" + indent + "]"
            return "[" + ", ".join(self._render(v, indent, multiline=False) for v in value) + "]"
        return json.dumps(value, ensure_ascii=False)


def _short(value: Mapping[str, Any]) -> bool:
    """A CloudFormation intrinsic of scalars (``{"Ref": "Cluster"}``, ``{"Fn::GetAtt": ["Role", "Arn"]}``): one line."""
    if len(value) != 1:
        return False
    ((key, inner),) = value.items()
    if key != "Ref" and not key.startswith("Fn::"):
        return False
    items = inner if isinstance(inner, list) else [inner]
    return all(not isinstance(item, Mapping | list) for item in items)


def _objects_in_arrays_inline(root: tree_sitter.Node) -> bool:
    """Whether the file writes objects inside arrays on one line each (``[{"Key": "a", "Value": "b"}]``)."""
    inline = spread = 0
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "array":
            for item in node.named_children:
                if item.type == "object" and item.named_child_count:
                    if item.start_point[0] == item.end_point[0]:
                        inline += 1
                    else:
                        spread += 1
        stack.extend(node.named_children)
    return inline > spread


def _string(node: tree_sitter.Node) -> str:
    raw = (node.text or b'""').decode("utf-8", errors="replace")
    try:
        return str(json.loads(raw))
    except ValueError:
        return raw.strip('"')
