"""A data tree with a source span on every node, for YAML and JSON alike.

CloudFormation, Kubernetes, compose, CI and task-definition files are all
"a document of maps and lists"; parsing them into one spanned tree lets one
extractor serve both YAML and JSON. YAML short-form intrinsics (``!Ref x``)
are normalised to the JSON long form (``{"Ref": "x"}``) here, once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import tree_sitter
import tree_sitter_json
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import YAMLError

from replatform.discover.source import SourceFile
from replatform.model import Location, Scalar, Unknown

Value = dict[str, "Node"] | list["Node"] | Scalar | None


@dataclass(frozen=True)
class Node:
    """One value in a document and where it is written."""

    value: Value
    location: Location

    def get(self, *keys: str) -> Node | None:
        """Follow map keys; None as soon as one is missing."""
        node: Node | None = self
        for key in keys:
            if node is None or not isinstance(node.value, dict):
                return None
            node = node.value.get(key)
        return node

    def items(self) -> Iterator[tuple[str, Node]]:
        """Key/value pairs when this is a map; nothing otherwise."""
        if isinstance(self.value, dict):
            yield from self.value.items()

    def elements(self) -> Iterator[Node]:
        """Elements when this is a list; nothing otherwise."""
        if isinstance(self.value, list):
            yield from self.value

    @property
    def scalar(self) -> Scalar | None:
        """The value when it is a plain scalar."""
        value = self.value
        if isinstance(value, (str, int, float, bool)):
            return value
        return None

    def text(self) -> str | None:
        """The value as a string when it is a scalar."""
        value = self.scalar
        return None if value is None else str(value)

    def literal(self) -> Scalar | Unknown | None:
        """A scalar, or `Unknown` carrying a rendering of the expression."""
        if self.value is None:
            return None
        scalar = self.scalar
        if scalar is not None:
            return scalar
        return Unknown(render(self))

    def to_python(self) -> Any:
        """Plain Python data without spans."""
        if isinstance(self.value, dict):
            return {k: v.to_python() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.to_python() for v in self.value]
        return self.value


def render(node: Node) -> str:
    """A compact, deterministic rendering of a non-literal value."""
    value = node.value
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, inner),) = value.items()
            if key == "Ref" or key.startswith("Fn::"):
                return f"{key} {render(inner)}"
        return "{" + ", ".join(f"{k}: {render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(render(v) for v in value) + "]"
    return "null" if value is None else str(value)


# --------------------------------------------------------------------- YAML

_QUOTED_END = {"'": re.compile(r"(?:[^']|'')*'"), '"': re.compile(r'(?:[^"\\]|\\.)*"')}


class YamlParseError(Exception):
    """The YAML text is not well-formed; carries the line of the problem."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def _scalar_end(source: SourceFile, line: int, column: int) -> Location:
    """Span of the scalar written at a 0-based line/column (tags included)."""
    lines = source.lines
    text_line = lines[line].rstrip("\r") if line < len(lines) else ""
    rest = text_line[column:]
    start = column
    if rest.startswith("!"):  # a tag: the scalar follows it
        space = rest.find(" ")
        rest_after = rest[space + 1 :].lstrip() if space != -1 else ""
        start_inner = len(text_line) - len(rest_after) if space != -1 else len(text_line)
        end = start_inner + _scalar_length(rest_after)
    else:
        end = start + _scalar_length(rest)
    return _loc(source, line, start, line, end)


def _scalar_length(rest: str) -> int:
    if not rest:
        return 0
    if rest[0] in _QUOTED_END:
        match = _QUOTED_END[rest[0]].match(rest, 1)
        return match.end() if match else len(rest)
    if rest[0] in "|>[{":
        return 1
    comment = rest.find(" #")
    body = rest if comment == -1 else rest[:comment]
    return len(body.rstrip())


def _loc(source: SourceFile, line: int, col: int, end_line: int, end_col: int) -> Location:
    start = source.byte_offset(line + 1, col + 1)
    end = source.byte_offset(end_line + 1, end_col + 1)
    return source.location_from_bytes(start, max(start, end))


def _intrinsic_key(tag: str) -> str:
    name = tag.lstrip("!")
    return name if name in ("Ref", "Condition") else f"Fn::{name}"


def _convert_yaml(source: SourceFile, value: Any, line: int, col: int) -> Node:
    tag = getattr(getattr(value, "tag", None), "value", None)
    if isinstance(value, CommentedMap):
        location = _loc(source, line, col, line, col)
        children: dict[str, Node] = {}
        for key in value:
            vline, vcol = value.lc.value(key)
            children[str(key)] = _convert_yaml(source, value[key], vline, vcol)
        node = Node(children, location)
    elif isinstance(value, CommentedSeq):
        location = _loc(source, line, col, line, col)
        elements = []
        for index, item in enumerate(value):
            iline, icol = value.lc.item(index)
            elements.append(_convert_yaml(source, item, iline, icol))
        node = Node(elements, location)
    elif isinstance(value, TaggedScalar):
        location = _scalar_end(source, line, col)
        node = Node(None if value.value is None else str(value.value), location)
    else:
        location = _scalar_end(source, line, col)
        if value is None or isinstance(value, (bool, int, float)):
            scalar: Scalar | None = value
        else:
            scalar = str(value)
        node = Node(scalar, location)
    if tag and tag.startswith("!") and not tag.startswith("!!"):
        return Node({_intrinsic_key(tag): node}, location)
    return node


def load_yaml_documents(source: SourceFile) -> list[Node]:
    """Every document in a YAML file as a spanned tree.

    Raises `YamlParseError` for malformed YAML; callers turn it into a finding.
    """
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = True
    try:
        documents = list(yaml.load_all(source.text))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = (mark.line + 1) if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlParseError(str(problem), line) from exc
    except (ValueError, TypeError, RecursionError) as exc:
        raise YamlParseError(str(exc) or type(exc).__name__, 1) from exc
    nodes = []
    for document in documents:
        if document is None:
            continue
        if isinstance(document, (CommentedMap, CommentedSeq)):
            nodes.append(_convert_yaml(source, document, 0, 0))
    return nodes


# --------------------------------------------------------------------- JSON

_JSON = tree_sitter.Language(tree_sitter_json.language())


class JsonParseError(Exception):
    """The JSON text has a syntax error at ``line``."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def _first_error(node: tree_sitter.Node) -> tree_sitter.Node | None:
    if node.type == "ERROR" or node.is_missing:
        return node
    if not node.has_error:
        return None
    for child in node.children:
        found = _first_error(child)
        if found is not None:
            return found
    return node


def _json_string(node: tree_sitter.Node) -> str:
    raw = node.text or b'""'
    try:
        return str(json.loads(raw))
    except ValueError:
        return raw.decode("utf-8", errors="replace").strip('"')


def _convert_json(source: SourceFile, node: tree_sitter.Node) -> Node:
    location = source.location_from_bytes(node.start_byte, node.end_byte)
    kind = node.type
    if kind == "object":
        children: dict[str, Node] = {}
        for pair in node.named_children:
            if pair.type != "pair":
                continue
            key = pair.child_by_field_name("key")
            value = pair.child_by_field_name("value")
            if key is None or value is None:
                continue
            children[_json_string(key)] = _convert_json(source, value)
        return Node(children, location)
    if kind == "array":
        return Node([_convert_json(source, c) for c in node.named_children if c.type != "comment"], location)
    if kind == "string":
        return Node(_json_string(node), location)
    if kind == "number":
        raw = (node.text or b"0").decode()
        try:
            number: int | float = int(raw)
        except ValueError:
            number = float(raw)
        return Node(number, location)
    if kind in ("true", "false"):
        return Node(kind == "true", location)
    return Node(None, location)


def load_json(source: SourceFile) -> Node:
    """A JSON file as a spanned tree; raises `JsonParseError` on bad syntax."""
    parser = tree_sitter.Parser(_JSON)
    tree = parser.parse(source.data)
    root = tree.root_node
    error = _first_error(root)
    if error is not None:
        raise JsonParseError("syntax error", error.start_point[0] + 1)
    values = [c for c in root.named_children if c.type != "comment"]
    if not values:
        raise JsonParseError("empty document", 1)
    return _convert_json(source, values[0])
