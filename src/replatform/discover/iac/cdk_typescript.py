"""AWS CDK in TypeScript: the tree-sitter front end for `cdk_common`.

Only files that import ``aws-cdk-lib`` (or the v1 ``@aws-cdk/*`` packages) are
parsed; all other TypeScript is left alone.
"""

from __future__ import annotations

import json

import tree_sitter
import tree_sitter_typescript

from replatform.discover.iac.cdk_common import Call, Constants, Ref, emit
from replatform.discover.result import ParseResult
from replatform.discover.source import SourceFile
from replatform.discover.syntax import Spanned, descendants, first_error_line
from replatform.model import Location, Unknown

_TS = tree_sitter.Language(tree_sitter_typescript.language_typescript())
_WRAPPERS = {"as_expression", "satisfies_expression", "parenthesized_expression", "non_null_expression"}


_FUNCTION_SCOPES = (
    "function_declaration",
    "method_definition",
    "arrow_function",
    "function_expression",
    "function",
    "program",
)
_BLOCK_SCOPES = ("statement_block", "class_body", *_FUNCTION_SCOPES)
_CLASS_SCOPES = ("class_body", "program")


def _scope(node: tree_sitter.Node, kinds: tuple[str, ...]) -> tuple[int, int]:
    """Byte range of the nearest enclosing node of one of ``kinds`` (the whole file at the top)."""
    current = node.parent
    while current is not None and current.type not in kinds:
        current = current.parent
    if current is None:
        return (0, 1 << 62)
    if current.type == "program":
        return (0, 1 << 62)
    return (current.start_byte, current.end_byte)


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


class _Converter:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.calls: list[tuple[Call, Location]] = []
        self.constants = Constants()
        self._assigned_ids: set[int] = set()

    def loc(self, node: tree_sitter.Node) -> Location:
        return self.source.location_from_bytes(node.start_byte, node.end_byte)

    def convert(self, node: tree_sitter.Node) -> Spanned:
        kind = node.type
        location = self.loc(node)
        text = " ".join(_text(node).split())
        if kind in _WRAPPERS and node.named_children:
            return self.convert(node.named_children[0])
        if kind == "number":
            try:
                return Spanned(int(_text(node).replace("_", ""), 0), location, text)
            except ValueError:
                try:
                    return Spanned(float(_text(node).replace("_", "")), location, text)
                except ValueError:
                    return Spanned(Unknown(text), location, text)
        if kind == "string":
            raw = _text(node)
            if raw.startswith("'"):
                raw = '"' + raw[1:-1].replace('\\"', '"').replace('"', '\\"') + '"'
            try:
                return Spanned(str(json.loads(raw)), location, text)
            except ValueError:
                return Spanned("".join(_text(c) for c in node.named_children), location, text)
        if kind == "template_string":
            if any(c.type == "template_substitution" for c in node.named_children):
                return Spanned(Unknown(text), location, text)
            return Spanned(_text(node)[1:-1], location, text)
        if kind in ("true", "false"):
            return Spanned(kind == "true", location, text)
        if kind in ("null", "undefined"):
            return Spanned(None, location, text)
        if kind in ("identifier", "member_expression", "this"):
            if all(
                c.type in ("identifier", "property_identifier", "this", ".", "member_expression")
                for c in descendants(node)
            ):
                return Spanned(Ref(text.replace(" ", "")), location, text)
            return Spanned(Unknown(text), location, text)
        if kind == "object":
            members: dict[str, Spanned] = {}
            for child in node.named_children:
                if child.type == "pair":
                    key = child.child_by_field_name("key")
                    value = child.child_by_field_name("value")
                    if key is None or value is None:
                        continue
                    key_text = _text(key).strip("'\"")
                    members[key_text] = self.convert(value)
                elif child.type == "shorthand_property_identifier":
                    members[_text(child)] = Spanned(Ref(_text(child)), self.loc(child), _text(child))
            return Spanned(members, location, text)
        if kind == "array":
            return Spanned([self.convert(c) for c in node.named_children if c.type != "comment"], location, text)
        if kind in ("new_expression", "call_expression"):
            call = self.call(node)
            if call is not None:
                return Spanned(call, location, text)
        return Spanned(Unknown(text), location, text)

    def call(self, node: tree_sitter.Node) -> Call | None:
        callee = node.child_by_field_name("constructor") or node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        if callee is None:
            return None
        args = []
        if arguments is not None:
            args = [self.convert(c) for c in arguments.named_children if c.type != "comment"]
        return Call("".join(_text(callee).split()), args, is_new=node.type == "new_expression")

    def visit(self, root: tree_sitter.Node) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            kind = node.type
            if kind == "variable_declarator":
                name = node.child_by_field_name("name")
                value = node.child_by_field_name("value")
                if name is not None and value is not None and name.type == "identifier":
                    self._assign(_text(name), value, _scope(node, _BLOCK_SCOPES))
            elif kind == "assignment_expression":
                left = node.child_by_field_name("left")
                right = node.child_by_field_name("right")
                if left is not None and right is not None:
                    scopes = _CLASS_SCOPES if _text(left).startswith("this.") else _FUNCTION_SCOPES
                    self._assign(_text(left).removeprefix("this."), right, _scope(node, scopes), reassign=True)
            elif kind == "public_field_definition":
                name = node.child_by_field_name("name")
                value = node.child_by_field_name("value")
                if name is not None and value is not None:
                    self._assign(_text(name), value, _scope(node, _CLASS_SCOPES))
            elif kind in ("new_expression", "call_expression") and node.id not in self._assigned_ids:
                call = self.call(node)
                if call is not None:
                    self.calls.append((call, self.loc(node)))
            stack.extend(reversed(node.children))

    def _assign(self, name: str, value: tree_sitter.Node, scope: tuple[int, int], reassign: bool = False) -> None:
        while value.type in _WRAPPERS and value.named_children:
            value = value.named_children[0]
        if value.type in ("new_expression", "call_expression"):
            call = self.call(value)
            if call is not None:
                call.assigned_to = name
                self.calls.append((call, self.loc(value)))
                self._assigned_ids.add(value.id)
                # Helpers held in variables (``const image = ContainerImage.fromAsset(...)``) resolve later.
                spanned = Spanned(call, self.loc(value), " ".join(_text(value).split()))
                self.constants.assign(name, spanned, scope, reassign)
        else:
            self.constants.assign(name, self.convert(value), scope, reassign)


def parse(source: SourceFile) -> ParseResult:
    """CDK constructs in one TypeScript file (others yield nothing)."""
    if b"aws-cdk" not in source.data:
        return ParseResult()
    tree = tree_sitter.Parser(_TS).parse(source.data)
    converter = _Converter(source)
    converter.visit(tree.root_node)
    converter.calls.sort(key=lambda item: item[1].start_byte)
    result = emit(source, converter.calls, converter.constants)
    if tree.root_node.has_error:
        line = first_error_line(tree.root_node)
        result.parse_error(source, "TypeScript syntax error", source.location_of_line(line))
    return result
