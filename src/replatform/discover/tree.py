"""A data tree with a source span on every node, for YAML and JSON alike.

CloudFormation, Kubernetes, compose, CI and task-definition files are all
"a document of maps and lists"; parsing them into one spanned tree lets one
extractor serve both YAML and JSON. YAML short-form intrinsics (``!Ref x``)
are normalised to the JSON long form (``{"Ref": "x"}``) here, once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import tree_sitter
import tree_sitter_json
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from replatform.discover.result import ParseResult
from replatform.discover.source import SourceFile
from replatform.model import Location, Scalar, Unknown

Value = dict[str, "Node"] | list["Node"] | Scalar | None
#: A one-key map ``{EXPRESSION_KEY: text}`` stands for an expression of another language (a CDK variable).
EXPRESSION_KEY = "__expression__"


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
            if key == EXPRESSION_KEY:
                return render(inner)
            if key == "Ref" or key.startswith("Fn::"):
                return f"{key} {render(inner)}"
        return "{" + ", ".join(f"{k}: {render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(render(v) for v in value) + "]"
    return "null" if value is None else str(value)


# --------------------------------------------------------------------- YAML

_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_TRUE = frozenset(("true", "True", "TRUE"))
_FALSE = frozenset(("false", "False", "FALSE"))
_MERGE = "tag:yaml.org,2002:merge"


class YamlParseError(Exception):
    """The YAML text is not well-formed; carries the line of the problem."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def _intrinsic_key(tag: str) -> str:
    name = tag.lstrip("!")
    return name if name in ("Ref", "Condition") else f"Fn::{name}"


def _scalar(node: ScalarNode) -> Scalar | None:
    """A plain scalar by its resolved YAML 1.2 tag (quoted scalars are strings)."""
    text, tag = str(node.value), str(node.tag)
    if tag.endswith(":null") and text in _NULLS:
        return None
    if tag.endswith(":bool"):
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    if tag.endswith(":int"):
        try:
            return int(text.replace("_", ""), 0) if not text.lstrip("+-").startswith("0o") else int(text, 8)
        except ValueError:
            try:
                return int(text.replace("_", ""))
            except ValueError:
                return text
    if tag.endswith(":float"):
        try:
            return float(text.replace("_", ""))
        except ValueError:
            return text
    return text


class _YamlConverter:
    """Composed YAML nodes (every node has its tag and its start/end mark) -> spanned `Node`s.

    Working on the composition rather than constructed Python objects keeps tags on
    scalars, sequences and mappings alike (``!If`` followed by ``- item`` lines) and
    gives real end positions. Aliases convert to the same `Node` object, once.
    """

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.seen: dict[int, Node] = {}

    def location(self, start: Any, end: Any) -> Location:
        source = self.source
        start_byte = source.byte_offset(start.line + 1, start.column + 1)
        end_byte = max(start_byte, source.byte_offset(end.line + 1, end.column + 1))
        return Location(
            source.path, start.line + 1, start.column + 1, end.line + 1, end.column + 1, start_byte, end_byte
        )

    def convert(self, node: Any) -> Node:
        known = self.seen.get(id(node))
        if known is not None:
            return known
        converted = self._convert(node)
        self.seen[id(node)] = converted
        return converted

    def _convert(self, node: Any) -> Node:
        value: Value
        if isinstance(node, MappingNode):
            children: dict[str, Node] = {}
            merged: dict[str, Node] = {}
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:
                    sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                    for item in sources:
                        for key, child in self.convert(item).items():
                            merged.setdefault(key, child)
                    continue
                key = str(_scalar(key_node)) if isinstance(key_node, ScalarNode) else render(self.convert(key_node))
                children[key] = self.convert(value_node)
            value = {**merged, **children}
            end = node.end_mark if node.flow_style or not node.value else None
            last = [c.location for c in children.values()] + [m.location for m in merged.values()]
        elif isinstance(node, SequenceNode):
            elements = [self.convert(item) for item in node.value]
            value = elements
            end = node.end_mark if node.flow_style or not node.value else None
            last = [e.location for e in elements]
        else:
            value = _scalar(node) if not node.tag.startswith("!") or node.tag.startswith("!!") else str(node.value)
            if node.style is not None and isinstance(node.value, str) and not node.tag.startswith("!"):
                value = node.value  # quoted: always a string
            end, last = node.end_mark, []
        if end is not None:
            location = self.location(node.start_mark, end)
        else:  # block collections end where their last child ends (not at the next token)
            location = self.location(node.start_mark, node.start_mark)
            location = replace_end(location, max(last, key=lambda loc: loc.end_byte))
        converted = Node(value, location)
        tag = node.tag
        if tag.startswith("!") and not tag.startswith("!!"):
            return Node({_intrinsic_key(tag): converted}, location)
        return converted


def replace_end(location: Location, last: Location) -> Location:
    """``location`` stretched to end where ``last`` ends."""
    if last.end_byte <= location.start_byte:
        return location
    return Location(
        location.path,
        location.line,
        location.column,
        last.end_line,
        last.end_column,
        location.start_byte,
        last.end_byte,
    )


def load_yaml_documents(source: SourceFile) -> list[Node]:
    """Every document in a YAML file as a spanned tree.

    Raises `YamlParseError` for malformed YAML; callers turn it into a finding.
    """
    yaml = YAML(typ="rt", pure=True)
    try:
        documents = list(yaml.compose_all(source.text))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = (mark.line + 1) if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlParseError(str(problem), line) from exc
    except (ValueError, TypeError, RecursionError) as exc:
        raise YamlParseError(str(exc) or type(exc).__name__, 1) from exc
    _bound_aliases(documents, len(source.data))
    converter = _YamlConverter(source)
    return [converter.convert(d) for d in documents if isinstance(d, (MappingNode, SequenceNode))]


#: Nodes that aliases may add beyond one per byte of the file (a billion-laughs bomb adds billions).
MAX_ALIAS_EXPANSION = 100_000


def _bound_aliases(documents: list[Any], size: int) -> None:
    """Refuse documents whose aliases would expand past ``size + MAX_ALIAS_EXPANSION`` nodes.

    An alias is the same composed node again, so loading is cheap; whoever walks
    the tree (every extractor, ``to_python``, ``render``) expands it. Sizes are
    counted once per shared node (memoised, iterative), so even a bomb costs
    microseconds here.
    """
    limit = size + MAX_ALIAS_EXPANSION
    sizes: dict[int, int] = {}
    total = 0
    for document in documents:
        stack: list[tuple[Any, bool]] = [(document, False)]
        active: set[int] = set()
        while stack:
            node, finished = stack.pop()
            key = id(node)
            if isinstance(node, MappingNode):
                children = [part for pair in node.value for part in pair]
            elif isinstance(node, SequenceNode):
                children = list(node.value)
            else:
                continue
            if finished:
                active.discard(key)
                sizes[key] = 1 + sum(sizes.get(id(child), 1) for child in children)
                continue
            if key in sizes:
                continue
            if key in active:
                raise YamlParseError("an alias refers to a node that contains it", node.start_mark.line + 1)
            active.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children)
        total += sizes.get(id(document), 1)
        if total > limit:
            raise YamlParseError(f"aliases expand to more than {limit} nodes (a YAML alias bomb?); not expanded", 1)


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
    if b"\\" not in raw and raw[:1] == b'"' and raw[-1:] == b'"' and len(raw) >= 2:
        return raw[1:-1].decode("utf-8", errors="replace")  # no escapes: nothing for json.loads to do
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


def json_or_parse_error(source: SourceFile, result: ParseResult) -> Node | None:
    """The JSON document, or None after recording a parse-error finding at its line (as `load_toml` does for TOML)."""
    try:
        return load_json(source)
    except JsonParseError as exc:
        result.parse_error(source, str(exc), source.location_of_line(exc.line))
        return None


def yaml_or_parse_error(source: SourceFile, result: ParseResult) -> list[Node] | None:
    """The YAML documents, or None after recording a parse-error finding at the broken line."""
    try:
        return load_yaml_documents(source)
    except YamlParseError as exc:
        result.parse_error(source, str(exc), source.location_of_line(exc.line))
        return None
