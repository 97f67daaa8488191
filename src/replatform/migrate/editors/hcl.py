"""Terraform (HCL): replace an attribute's value, insert an attribute or a nested block.

Positions come from tree-sitter-hcl (the parser discovery uses). New lines take the indentation of the
block's other children, and ``=`` is aligned with the attribute above, as ``terraform fmt`` writes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import tree_sitter
import tree_sitter_hcl

from replatform.migrate.editors.text import Buffer, walk
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

    def nested_all(self, block: tree_sitter.Node, name: str) -> list[tree_sitter.Node]:
        """Every nested block called ``name`` (repeated blocks such as ``capacity_provider_strategy``)."""
        return [child for child in self.children(block, "block") if _labels(child)[:1] == [name]]

    def remove_block(self, nested: tree_sitter.Node) -> Edit:
        """Delete a nested block's lines (and one blank line after it, so no double gap is left)."""
        start = self.buffer.line_start(nested.start_byte)
        end = self.buffer.next_line(nested.end_byte)
        if self.buffer.text(start, nested.start_byte).strip() or self.buffer.text(nested.end_byte, end).strip():
            raise HclEditError("the block shares its lines with other code")
        following = self.buffer.next_line(end)
        if end < len(self.buffer.data) and not self.buffer.text(end, following).strip():
            end = following
        return Edit(self.buffer.path, start, end, "")

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
            if len(indent) + len(name) + 1 > last_attribute.equals_column:
                # longer than the group's alignment: a group of its own, so no aligned line has to move
                return self.insert_attribute_group(block, [(name, expression)])
            pad = last_attribute.equals_column - len(indent) - len(name)
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

    def insert_blocks(
        self,
        block: tree_sitter.Node,
        blocks: list[tuple[str, list[tuple[str, str]]]],
        before: tuple[str, ...] = (),
    ) -> Edit:
        """Add nested blocks ``name { k = v ... }`` (one edit), before the first nested block named in ``before``
        (``lifecycle`` stays last, as it is usually written) or at the end of ``block``.
        """
        unit = self.buffer.indent_unit
        lines: list[str] = []
        for name, attributes in blocks:
            width = max(len(k) for k, _ in attributes)
            if lines:
                lines.append("")
            lines.append(f"{name} {{")
            lines += [f"{unit}{key}{' ' * (width - len(key) + 1)}= {value}" for key, value in attributes]
            lines.append("}")
        anchor = next((c for c in self.children(block, "block") if _labels(c)[:1] and _labels(c)[0] in before), None)
        if anchor is None:
            return self._insert_child(block, lines, blank_line=True)
        indent = self.buffer.indentation(anchor.start_byte)
        text = "".join(f"{indent}{line}\n" if line else "\n" for line in lines) + "\n"
        return self.buffer.insert(self.buffer.line_start(anchor.start_byte), self.buffer.lines(text))

    def insert_attribute_group(self, block: tree_sitter.Node, attributes: list[tuple[str, str]]) -> Edit:
        """Add attributes after the block's attributes as a group of their own (a blank line before, ``=``
        aligned within it): ``terraform fmt`` aligns each group alone, so no existing line has to move.
        """
        existing = self.children(block, "attribute")
        if not existing:
            return self._insert_child(block, _aligned(attributes))
        indent = self.buffer.indentation(existing[-1].start_byte)
        text = "\n" + "".join(f"{indent}{line}\n" for line in _aligned(attributes))
        return self.buffer.insert(self.buffer.next_line(existing[-1].end_byte), self.buffer.lines(text))

    def remove_attribute(self, block: tree_sitter.Node, name: str) -> Edit | None:
        """Delete the line(s) of attribute ``name`` (None when the block has no such attribute)."""
        attribute = self.attribute(block, name)
        if attribute is None:
            return None
        start = attribute.line_start
        end = self.buffer.next_line(attribute.end)
        if self.buffer.text(start, attribute.start).split("=", 1)[0].strip() != name or self.buffer.text(
            attribute.end, self.buffer.line_end(attribute.end)
        ).strip() not in ("", ","):
            raise HclEditError(f"{name} shares its line with other code")
        return Edit(self.buffer.path, start, end, "")

    def add_resource_after(
        self, block: tree_sitter.Node, labels: tuple[str, ...], attributes: list[tuple[str, str]]
    ) -> Edit:
        """A new top-level block ``labels[0] "labels[1]" "labels[2]" { k = v ... }`` after ``block``, a blank
        line between them, ``=`` aligned as ``terraform fmt`` writes it.
        """
        unit = self.buffer.indent_unit
        width = max(len(k) for k, _ in attributes)
        head = " ".join([labels[0], *(f'"{label}"' for label in labels[1:])])
        lines = [f"{head} {{", *(f"{unit}{k}{' ' * (width - len(k) + 1)}= {v}" for k, v in attributes), "}"]
        offset = self.buffer.next_line(block.end_byte)
        text = "\n" + "".join(f"{line}\n" for line in lines)
        if offset == len(self.buffer.data) and not self.buffer.ends_with_newline():
            text = "\n" + text
        return self.buffer.insert(offset, self.buffer.lines(text))

    def string_items(self, attribute: Attribute) -> list[str] | None:
        """The items of a list of string literals (``["FARGATE", "FARGATE_SPOT"]``), None for anything else."""
        node = self.tree.root_node.named_descendant_for_byte_range(attribute.start, attribute.end)
        while node is not None and node.type not in ("tuple", "expression") and node.parent is not None:
            node = node.parent
        tuples = [n for n in walk(node) if n.type == "tuple"] if node is not None else []
        if not tuples or tuples[0].start_byte != attribute.start:
            return None
        items = []
        for element in tuples[0].named_children:
            if element.type != "expression":
                continue
            text = _text(element)
            if not (len(text) >= 2 and text[0] == '"' and text[-1] == '"' and "${" not in text):
                return None
            items.append(json.loads(text))
        return items

    def object_value(self, offset: int, key: str) -> tree_sitter.Node | None:
        """In the innermost HCL object (``{ k = v }``, a ``jsonencode`` container) around ``offset``: the value of
        ``key``.
        """
        node = self.tree.root_node.named_descendant_for_byte_range(offset, offset)
        while node is not None and node.type != "object":
            node = node.parent
        if node is None:
            return None
        for element in [c for c in walk(node) if c.type == "object_elem"]:
            owner = element.parent
            while owner is not None and owner.type != "object":
                owner = owner.parent
            if owner is None or owner.id != node.id:
                continue
            key_node = element.child_by_field_name("key")
            value = element.child_by_field_name("val")
            if key_node is not None and value is not None and _text(key_node).strip('"') == key:
                return value
        return None

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


def _aligned(attributes: list[tuple[str, str]]) -> list[str]:
    width = max(len(k) for k, _ in attributes)
    return [f"{key}{' ' * (width - len(key) + 1)}= {value}" for key, value in attributes]


def _body(block: tree_sitter.Node) -> tree_sitter.Node | None:
    for child in block.named_children:
        if child.type == "body":
            return child
    return None


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


def labels(block: tree_sitter.Node) -> list[str]:
    """``resource "aws_x" "name"`` -> ``["resource", "aws_x", "name"]``."""
    return _labels(block)


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


@dataclass(frozen=True)
class Block:
    """A block to write: its labels (``("resource", "aws_x", "name")``, ``("override",)``) and its body, in order:
    attributes ``(name, expression)``, nested `Block`s, and None for a blank line.
    """

    labels: tuple[str, ...]
    body: tuple[tuple[str, str] | Block | None, ...]


def render_block(block: Block, unit: str = "  ", indent: str = "") -> list[str]:
    """``block`` as ``terraform fmt`` writes it: ``=`` aligned within each run of attributes (a multi-line
    expression closes its run), a blank line around nested blocks; the lines of a
    multi-line expression after its first are indented with the attribute.
    """
    head = " ".join([block.labels[0], *(f'"{label}"' for label in block.labels[1:])])
    lines = [f"{indent}{head} {{"]
    inner = indent + unit
    run: list[tuple[str, str]] = []

    def flush() -> None:
        if not run:
            return
        width = max(len(k) for k, _ in run)
        for key, expression in run:
            first, *rest = expression.split("\n")
            lines.append(f"{inner}{key}{' ' * (width - len(key) + 1)}= {first}")
            lines.extend(f"{inner}{line}" if line else "" for line in rest)
        run.clear()

    previous: object = None
    for item in block.body:
        if item is None:
            flush()
            lines.append("")
        elif isinstance(item, Block):
            flush()
            if previous is not None and lines[-1] != "":  # a blank line between a block and what precedes it
                lines.append("")
            lines += render_block(item, unit, inner)
        else:
            if isinstance(previous, Block):
                lines.append("")
            run.append(item)
            if "\n" in item[1]:
                flush()
        previous = item
    flush()
    lines.append(f"{indent}}}")
    return lines
