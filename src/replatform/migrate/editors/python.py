"""CDK Python: set a keyword argument, insert one into a call, and add the import it needs.

Positions come from tree-sitter-python (the parser discovery uses). A new keyword goes after the last
argument: on its own line at the arguments' indentation (keeping a trailing comma when the call has one),
or inline for a one-line call. Modules are written the way the file imports them
(``from aws_cdk import aws_ecs as ecs`` -> ``ecs.CpuArchitecture``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import tree_sitter
import tree_sitter_python

from replatform.migrate.editors.text import Assigned, Buffer, walk
from replatform.model import Edit

_LANGUAGE = tree_sitter.Language(tree_sitter_python.language())


class PythonEditError(Exception):
    """Not Python we can edit, or nothing of the expected shape at a span."""


@dataclass
class PythonSymbols:
    """Modules one fix needs imported: module (``aws_ecr_assets``) -> alias for a new import; and names of
    ``aws_cdk`` itself (``Duration``) imported as ``from aws_cdk import <name>``.
    """

    needed: dict[str, str] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)


class PythonEditor:
    """Edits on one CDK Python file."""

    def __init__(self, buffer: Buffer) -> None:
        self.buffer = buffer
        self.tree = tree_sitter.Parser(_LANGUAGE).parse(buffer.data)
        if self.tree.root_node.has_error:
            raise PythonEditError("syntax error")
        self.aliases, self._last_cdk_import = self._read_imports()
        self.root_alias, self.root_names = self._read_root_imports()

    def call_at(self, start: int, end: int) -> tree_sitter.Node | None:
        """The call at a span (or the one a variable at that span was assigned from)."""
        node = self.tree.root_node.named_descendant_for_byte_range(start, end)
        current = node
        while current is not None:
            if current.type == "call" and current.start_byte <= start and end <= current.end_byte:
                return current
            current = current.parent
        if node is not None and node.type == "identifier":
            return self._initialiser(_text(node))
        return None

    def call_around(self, offset: int, names: tuple[str, ...] = ("add_container",)) -> tree_sitter.Node | None:
        """The innermost call to a function whose name ends with one of ``names`` around byte ``offset``."""
        node = self.tree.root_node.named_descendant_for_byte_range(offset, offset)
        while node is not None:
            function = node.child_by_field_name("function") if node.type == "call" else None
            if function is not None and _text(function).rsplit(".", 1)[-1] in names:
                return node
            node = node.parent
        return None

    def _initialiser(self, name: str) -> tree_sitter.Node | None:
        stack = [self.tree.root_node]
        while stack:
            node = stack.pop()
            if node.type == "assignment":
                left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
                if (
                    left is not None
                    and right is not None
                    and _text(left) in (name, f"self.{name}")
                    and right.type == "call"
                ):
                    return right
            stack.extend(node.children)
        return None

    def assigned(self, start: int, end: int) -> Assigned | None:
        """The assignment whose value is at a span (a module or class constant, ``self.X = ...``), and the
        reads of its name: bare (``SIZE``) or as an attribute (``self.TYPE``, ``Stack.TYPE``).
        """
        node = self.tree.root_node.named_descendant_for_byte_range(start, max(start, end - 1))
        while node is not None and node.parent is not None and node.parent.type != "assignment":
            if (node.start_byte, node.end_byte) != (node.parent.start_byte, node.parent.end_byte):
                return None
            node = node.parent
        parent = node.parent if node is not None else None
        left = parent.child_by_field_name("left") if parent is not None else None
        if node is None or parent is None or left is None or parent.child_by_field_name("right") != node:
            return None
        name = _text(left).rsplit(".", 1)[-1]
        reads = []
        for candidate in walk(self.tree.root_node):
            if candidate.type != "identifier" or _text(candidate) != name:
                continue
            holder = candidate.parent
            if (
                holder is not None
                and holder.type == "keyword_argument"
                and holder.child_by_field_name("name") == candidate
            ):
                continue  # f(SIZE=...) names a parameter
            if left.start_byte <= candidate.start_byte < left.end_byte:
                continue  # the assignment itself
            reads.append(candidate.start_point[0] + 1)
        return Assigned(name, node, tuple(reads))

    @staticmethod
    def keyword(call: tree_sitter.Node, name: str) -> tree_sitter.Node | None:
        """The value of keyword argument ``name``."""
        args = call.child_by_field_name("arguments")
        for child in args.named_children if args is not None else []:
            if child.type == "keyword_argument":
                key = child.child_by_field_name("name")
                if key is not None and _text(key) == name:
                    return child.child_by_field_name("value")
        return None

    @staticmethod
    def positional(call: tree_sitter.Node) -> list[tree_sitter.Node]:
        args = call.child_by_field_name("arguments")
        return (
            [c for c in args.named_children if c.type not in ("keyword_argument", "comment")]
            if args is not None
            else []
        )

    def remove_keyword(self, call: tree_sitter.Node, name: str) -> Edit | None:
        """Delete keyword argument ``name`` with its comma (its whole line when it has one)."""
        args = call.child_by_field_name("arguments")
        members = [c for c in args.named_children if c.type != "comment"] if args is not None else []
        for index, member in enumerate(members):
            key = member.child_by_field_name("name") if member.type == "keyword_argument" else None
            if key is None or _text(key) != name:
                continue
            comma = member.next_sibling if member.next_sibling is not None and member.next_sibling.type == "," else None
            end = comma.end_byte if comma is not None else member.end_byte
            start = self.buffer.line_start(member.start_byte)
            if (
                not self.buffer.text(start, member.start_byte).strip()
                and not self.buffer.text(end, self.buffer.line_end(end)).strip()
            ):
                return Edit(self.buffer.path, start, self.buffer.next_line(end), "")
            if index > 0:
                return Edit(self.buffer.path, members[index - 1].end_byte, member.end_byte, "")
            return Edit(self.buffer.path, member.start_byte, members[1].start_byte if len(members) > 1 else end, "")
        return None

    def replace_member(self, node: tree_sitter.Node, member: str) -> Edit | None:
        """``_lambda.Architecture.X86_64`` -> ``..ARM_64``: only the last name changes."""
        if node.type != "attribute":
            raise PythonEditError(f"not an attribute: {_text(node)}")
        attr = node.child_by_field_name("attribute")
        assert attr is not None
        return self.buffer.replace(attr.start_byte, attr.end_byte, member)

    def insert_keyword(self, call: tree_sitter.Node, name: str, value: str) -> Edit | None:
        """Add ``name=value`` to a call (None when it has that keyword)."""
        if self.keyword(call, name) is not None:
            return None
        args = call.child_by_field_name("arguments")
        if args is None:
            raise PythonEditError("call without arguments")
        members = [c for c in args.named_children if c.type != "comment"]
        if not members:
            return self.buffer.insert(args.start_byte + 1, f"{name}={_one_line(value)}")
        last = members[-1]
        comma = last.next_sibling if last.next_sibling is not None and last.next_sibling.type == "," else None
        if args.start_point[0] == args.end_point[0]:
            return self.buffer.insert(last.end_byte, f", {name}={_one_line(value)}")
        indent = self.buffer.indentation(last.start_byte)
        lines = value.split("\n")
        body = "\n".join([lines[0], *[indent + line for line in lines[1:]]])
        if comma is not None:
            return self.buffer.insert(comma.end_byte, self.buffer.lines(f"\n{indent}{name}={body},"))
        return self.buffer.insert(last.end_byte, self.buffer.lines(f",\n{indent}{name}={body}"))

    # ------------------------------------------------------------ imports

    def _read_imports(self) -> tuple[dict[str, str], tree_sitter.Node | None]:
        """``aws_ecs`` -> how the file names that module; and the last ``aws_cdk`` import statement."""
        aliases: dict[str, str] = {}
        last: tree_sitter.Node | None = None
        for node in self.tree.root_node.named_children:
            if node.type == "import_from_statement":
                module = node.child_by_field_name("module_name")
                module_text = _text(module) if module is not None else ""
                if module_text != "aws_cdk":
                    if module_text.startswith("aws_cdk."):
                        last = node
                    continue
                last = node
                for child in node.named_children:
                    if child is module:
                        continue
                    if child.type == "aliased_import":
                        original = child.child_by_field_name("name")
                        alias = child.child_by_field_name("alias")
                        if original is not None and alias is not None:
                            aliases[_text(original)] = _text(alias)
                    elif child.type == "dotted_name":
                        aliases[_text(child)] = _text(child)
            elif node.type == "import_statement":
                for child in node.named_children:
                    if child.type == "aliased_import":
                        original = child.child_by_field_name("name")
                        alias = child.child_by_field_name("alias")
                        if original is not None and alias is not None and _text(original).startswith("aws_cdk."):
                            aliases[_text(original).split(".", 1)[1]] = _text(alias)
                            last = node
                    elif child.type == "dotted_name" and _text(child).startswith("aws_cdk."):
                        aliases[_text(child).split(".", 1)[1]] = _text(child)
                        last = node
        return aliases, last

    def _read_root_imports(self) -> tuple[str | None, set[str]]:
        """How the file names ``aws_cdk`` itself (``import aws_cdk as cdk``) and what it imports from it."""
        alias: str | None = None
        names: set[str] = set()
        for node in self.tree.root_node.named_children:
            if node.type == "import_statement":
                for child in node.named_children:
                    if child.type == "aliased_import":
                        original, named = child.child_by_field_name("name"), child.child_by_field_name("alias")
                        if original is not None and named is not None and _text(original) == "aws_cdk":
                            alias = _text(named)
                    elif child.type == "dotted_name" and _text(child) == "aws_cdk":
                        alias = "aws_cdk"
            elif node.type == "import_from_statement":
                module = node.child_by_field_name("module_name")
                if module is None or _text(module) != "aws_cdk":
                    continue
                for child in node.named_children:
                    if child is not module and child.type == "dotted_name" and not _text(child).startswith("aws_"):
                        names.add(_text(child))
        return alias, names

    def cdk_name(self, name: str, symbols: PythonSymbols) -> str:
        """How to write ``aws_cdk.<name>`` (``Duration``) here; records ``from aws_cdk import <name>`` if needed."""
        if name in self.root_names:
            return name
        if self.root_alias is not None:
            return f"{self.root_alias}.{name}"
        symbols.names.add(name)
        return name

    def module(self, module: str, alias_hint: str, symbols: PythonSymbols) -> str:
        """How to name CDK module ``module`` (``aws_ecr_assets``) here; records a missing import."""
        if module in self.aliases:
            return self.aliases[module]
        symbols.needed.setdefault(module, alias_hint)
        return symbols.needed[module]

    def import_edits(self, symbols: PythonSymbols) -> list[Edit]:
        """One edit adding ``from aws_cdk import <module> as <alias>`` lines after the last CDK import."""
        if not symbols.needed and not symbols.names:
            return []
        lines = "".join(f"from aws_cdk import {n}\n" for n in sorted(symbols.names))
        lines += "".join(f"from aws_cdk import {m} as {a}\n" for m, a in sorted(symbols.needed.items()))
        offset = self.buffer.next_line(self._last_cdk_import.end_byte) if self._last_cdk_import is not None else 0
        return [self.buffer.insert(offset, self.buffer.lines(lines))]


def _one_line(value: str) -> str:
    """A value written over several lines (``f(\n    a=1,\n)``) as one line (``f(a=1)``), for a call on one line."""
    text = " ".join(part.strip() for part in value.splitlines() if part.strip())
    text = re.sub(r"([(\[{]) ", r"\1", text)
    return re.sub(r",? ([)\]}])", r"\1", text)


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")
