"""Terraform (HCL): replace an attribute's value, insert an attribute or a nested block.

Positions come from tree-sitter-hcl (the parser discovery uses). New lines take the indentation of the
block's other children, and ``=`` is aligned with the attribute above, as ``terraform fmt`` writes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import tree_sitter
import tree_sitter_hcl

from replatform.migrate.editors.text import Buffer
from replatform.model import Edit

_LANGUAGE = tree_sitter.Language(tree_sitter_hcl.language())


class HclEditError(Exception):
    """Not HCL we can edit, or no such block / attribute."""


@dataclass(frozen=True)
class Attribute:
    """An attribute in a body: its name, its expression's span and text."""

    name: str
    start: int
    end: int
    expression: str
    line_start: int
    equals_column: int


def hcl_string(value: str) -> str:
    """A quoted HCL string literal (``${`` and ``%{`` escaped)."""
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


class HclEditor:
    """Edits on one ``.tf`` / ``.tfvars`` file."""

    def __init__(self, buffer: Buffer) -> None:
        self.buffer = buffer
        self.tree = tree_sitter.Parser(_LANGUAGE).parse(buffer.data)
        if self.tree.root_node.has_error:
            raise HclEditError("syntax error")
        body = [c for c in self.tree.root_node.named_children if c.type == "body"]
        self.body = body[0] if body else None

    # ------------------------------------------------------------ lookup

    def block(self, *labels: str) -> tree_sitter.Node | None:
        """The top-level block ``labels[0] "labels[1]" "labels[2]"`` (``resource "type" "name"``)."""
        for child in self.body.named_children if self.body is not None else []:
            if child.type == "block" and _labels(child) == list(labels):
                return child
        return None

    def block_containing(self, start: int, end: int) -> tree_sitter.Node | None:
        """The top-level block whose span covers ``[start, end)``."""
        for child in self.body.named_children if self.body is not None else []:
            if child.type == "block" and child.start_byte <= start and end <= child.end_byte:
                return child
        return None

    @staticmethod
    def children(block: tree_sitter.Node, kind: str) -> list[tree_sitter.Node]:
        body = _body(block)
        return [c for c in body.named_children if c.type == kind] if body is not None else []

    def nested(self, block: tree_sitter.Node, name: str) -> tree_sitter.Node | None:
        """The first nested block called ``name``."""
        for child in self.children(block, "block"):
            if _labels(child)[:1] == [name]:
                return child
        return None

    def attribute(self, block: tree_sitter.Node | None, name: str) -> Attribute | None:
        """Attribute ``name`` of ``block`` (or of the file's top level when ``block`` is None)."""
        nodes = self.children(block, "attribute") if block is not None else self._top_attributes()
        for node in nodes:
            ident = node.named_children[0] if node.named_children else None
            if ident is None or ident.type != "identifier" or _text(ident) != name:
                continue
            expression = node.named_children[-1]
            equals = [c for c in node.children if c.type == "="]
            equals_offset = equals[0].start_byte if equals else ident.end_byte
            line_start = self.buffer.line_start(node.start_byte)
            return Attribute(
                name,
                expression.start_byte,
                expression.end_byte,
                _text(expression),
                line_start,
                equals_offset - line_start,
            )
        return None

    def _top_attributes(self) -> list[tree_sitter.Node]:
        return [c for c in self.body.named_children if c.type == "attribute"] if self.body is not None else []

    def string_value(self, attribute: Attribute) -> str | None:
        """The literal string of an attribute (None for expressions and templates with interpolation)."""
        text = attribute.expression
        if len(text) >= 2 and text[0] == '"' and text[-1] == '"' and "${" not in text:
            try:
                return str(json.loads(text))
            except ValueError:
                return text[1:-1]
        return None

    # ------------------------------------------------------------ edits

    def set_expression(self, attribute: Attribute, expression: str) -> Edit | None:
        return self.buffer.replace(attribute.start, attribute.end, expression)

    def insert_attribute(self, block: tree_sitter.Node, name: str, expression: str) -> Edit | None:
        """Add ``name = expression`` after the block's attributes (None when it has it)."""
        if self.attribute(block, name) is not None:
            return None
        attributes = self.children(block, "attribute")
        if not attributes:
            return self._insert_child(block, [f"{name} = {expression}"])
        last = attributes[-1]
        indent = self.buffer.indentation(last.start_byte)
        last_attribute = self.attribute(block, _text(last.named_children[0]))
        pad = 1
        single_line = last.start_point[0] == last.end_point[0]
        if last_attribute is not None and single_line:
            pad = max(1, last_attribute.equals_column - len(indent) - len(name))
        line = f"{indent}{name}{' ' * pad}= {expression}"
        offset = self.buffer.next_line(last.end_byte)
        return self.buffer.insert(offset, self.buffer.lines(line + "\n"))

    def insert_block(self, block: tree_sitter.Node, name: str, attributes: list[tuple[str, str]]) -> Edit | None:
        """Add a nested block ``name { k = v ... }`` at the end of ``block`` (None when it has one)."""
        if self.nested(block, name) is not None:
            return None
        unit = self.buffer.indent_unit
        width = max(len(k) for k, _ in attributes)
        lines = [f"{name} {{"]
        lines += [f"{unit}{key}{' ' * (width - len(key) + 1)}= {value}" for key, value in attributes]
        lines.append("}")
        return self._insert_child(block, lines, blank_line=True)

    def _insert_child(self, block: tree_sitter.Node, lines: list[str], *, blank_line: bool = False) -> Edit:
        body = _body(block)
        end = [c for c in block.children if c.type == "block_end"]
        if not end:
            raise HclEditError("block without a closing brace")
        close = end[0].start_byte
        existing = body.named_children if body is not None else []
        indent = (
            self.buffer.indentation(existing[0].start_byte)
            if existing
            else self.buffer.indentation(block.start_byte) + self.buffer.indent_unit
        )
        text = "".join(f"{indent}{line}\n" if line else "\n" for line in lines)
        if blank_line and existing:
            text = "\n" + text
        offset = self.buffer.line_start(close)
        if self.buffer.text(offset, close).strip():  # ``{ ... }`` on one line: open it up
            text = "\n" + text
            offset = close
        return self.buffer.insert(offset, self.buffer.lines(text))


def _body(block: tree_sitter.Node) -> tree_sitter.Node | None:
    for child in block.named_children:
        if child.type == "body":
            return child
    return None


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


def _labels(block: tree_sitter.Node) -> list[str]:
    labels = []
    for child in block.named_children:
        if child.type == "identifier":
            labels.append(_text(child))
        elif child.type == "string_lit":
            labels.append(_text(child).strip('"'))
        elif child.type in ("block_start", "body"):
            break
    return labels
