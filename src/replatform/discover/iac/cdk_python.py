"""Python sources: AWS CDK apps (front end for `cdk_common`) and static ``setup.py``.

Python is never imported or executed: tree-sitter reads the syntax and only
literal values are taken. Files that mention neither ``aws_cdk`` nor are named
``setup.py`` are skipped without parsing.
"""

from __future__ import annotations

import ast

import tree_sitter
import tree_sitter_python

from replatform.discover.iac.cdk_common import Call, Constants, Ref, emit
from replatform.discover.result import ParseResult
from replatform.discover.source import SourceFile
from replatform.discover.syntax import Spanned, descendants, first_error_line
from replatform.model import Location, Unknown

_PY = tree_sitter.Language(tree_sitter_python.language())


_SCOPES = ("function_definition", "class_definition", "module")


def _scope(node: tree_sitter.Node, kinds: tuple[str, ...]) -> tuple[int, int]:
    """Byte range of the nearest enclosing function, class or module (Python has no block scopes)."""
    current = node.parent
    while current is not None and current.type not in kinds:
        current = current.parent
    if current is None or current.type == "module":
        return (0, 1 << 62)
    return (current.start_byte, current.end_byte)


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


class PythonConverter:
    """Python syntax -> front-end values; collects calls and literal constants."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.calls: list[tuple[Call, Location]] = []
        self.constants = Constants()
        self._assigned: set[int] = set()

    def loc(self, node: tree_sitter.Node) -> Location:
        return self.source.location_from_bytes(node.start_byte, node.end_byte)

    def convert(self, node: tree_sitter.Node) -> Spanned:
        kind = node.type
        location = self.loc(node)
        text = " ".join(_text(node).split())
        if kind == "parenthesized_expression" and node.named_children:
            return self.convert(node.named_children[0])
        if kind in ("integer", "float", "string", "concatenated_string"):
            if kind == "string" and any(c.type == "interpolation" for c in node.named_children):
                return Spanned(Unknown(text), location, text)
            try:
                return Spanned(ast.literal_eval(_text(node)), location, text)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                return Spanned(Unknown(text), location, text)
        if kind in ("true", "false"):
            return Spanned(kind == "true", location, text)
        if kind == "none":
            return Spanned(None, location, text)
        if kind in ("identifier", "attribute"):
            if all(c.type in ("identifier", ".", "attribute") for c in descendants(node)):
                return Spanned(Ref(text.replace(" ", "")), location, text)
            return Spanned(Unknown(text), location, text)
        if kind == "dictionary":
            members: dict[str, Spanned] = {}
            for pair in node.named_children:
                if pair.type != "pair":
                    continue
                key = pair.child_by_field_name("key")
                value = pair.child_by_field_name("value")
                if key is None or value is None:
                    continue
                key_value = self.convert(key).value
                if isinstance(key_value, str):
                    members[key_value] = self.convert(value)
            return Spanned(members, location, text)
        if kind in ("list", "tuple"):
            return Spanned([self.convert(c) for c in node.named_children if c.type != "comment"], location, text)
        if kind == "call":
            call = self.call(node)
            if call is not None:
                return Spanned(call, location, text)
        return Spanned(Unknown(text), location, text)

    def call(self, node: tree_sitter.Node) -> Call | None:
        function = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        if function is None:
            return None
        args: list[Spanned] = []
        kwargs: dict[str, Spanned] = {}
        if arguments is not None:
            for child in arguments.named_children:
                if child.type == "keyword_argument":
                    name = child.child_by_field_name("name")
                    value = child.child_by_field_name("value")
                    if name is not None and value is not None:
                        kwargs[_text(name)] = self.convert(value)
                elif child.type != "comment":
                    args.append(self.convert(child))
        # CDK Python constructs are plain calls; treat a capitalised callee like ``new``.
        callee = "".join(_text(function).split())
        is_new = callee.split(".")[-1][:1].isupper()
        return Call(callee, args, kwargs, is_new=is_new)

    def visit(self, root: tree_sitter.Node) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            if node.type == "assignment":
                left = node.child_by_field_name("left")
                right = node.child_by_field_name("right")
                if left is not None and right is not None and left.type in ("identifier", "attribute"):
                    name = _text(left).removeprefix("self.")
                    scope = _scope(node, ("class_definition",) if _text(left).startswith("self.") else _SCOPES)
                    if right.type == "call":
                        call = self.call(right)
                        if call is not None:
                            call.assigned_to = name
                            self.calls.append((call, self.loc(right)))
                            self._assigned.add(right.id)
                            self.constants.assign(
                                name, Spanned(call, self.loc(right), " ".join(_text(right).split())), scope
                            )
                    else:
                        self.constants.assign(name, self.convert(right), scope)
            elif node.type == "call" and node.id not in self._assigned:
                call = self.call(node)
                if call is not None:
                    self.calls.append((call, self.loc(node)))
            stack.extend(reversed(node.children))


def parse_tree(source: SourceFile) -> tuple[PythonConverter, tree_sitter.Tree]:
    """Parse a Python file and collect its calls (used by setup.py reading too)."""
    tree = tree_sitter.Parser(_PY).parse(source.data)
    converter = PythonConverter(source)
    converter.visit(tree.root_node)
    converter.calls.sort(key=lambda item: item[1].start_byte)
    return converter, tree


def parse(source: SourceFile) -> ParseResult:
    """CDK constructs in a Python file, or dependencies of a ``setup.py``."""
    if source.name == "setup.py":
        from replatform.discover.software.python_manifests import parse_setup_py

        return parse_setup_py(source)
    if b"aws_cdk" not in source.data:
        return ParseResult()
    converter, tree = parse_tree(source)
    result = emit(source, converter.calls, converter.constants)
    if tree.root_node.has_error:
        line = first_error_line(tree.root_node)
        result.parse_error(source, "Python syntax error", source.location_of_line(line))
    return result
