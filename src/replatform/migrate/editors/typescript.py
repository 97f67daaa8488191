"""CDK TypeScript: set a construct prop, insert one into an object literal, and add the import it needs.

Positions come from tree-sitter-typescript (the parser discovery uses). A new property goes after the last
one at its indentation, with the object's own trailing-comma habit; a one-line object stays on one line.
Symbols are written the way the file already imports their module (``ecs.CpuArchitecture`` for
``import * as ecs``, ``CpuArchitecture`` for a named import), adding the import when it is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import tree_sitter
import tree_sitter_typescript

from replatform.migrate.editors.text import Assigned, Buffer, walk
from replatform.model import Edit

_LANGUAGE = tree_sitter.Language(tree_sitter_typescript.language_typescript())
_CALLS = ("new_expression", "call_expression")


class TypeScriptEditError(Exception):
    """Not TypeScript we can edit, or nothing of the expected shape at a span."""


@dataclass
class _Import:
    node: tree_sitter.Node
    module: str
    namespace: str | None
    named: list[str]
    named_node: tree_sitter.Node | None


@dataclass
class Symbols:
    """The imports one fix needs: module -> (alias for a new namespace import, names)."""

    needed: dict[str, tuple[str, list[str]]] = field(default_factory=dict)


class TypeScriptEditor:
    """Edits on one CDK TypeScript file."""

    def __init__(self, buffer: Buffer) -> None:
        self.buffer = buffer
        self.tree = tree_sitter.Parser(_LANGUAGE).parse(buffer.data)
        if self.tree.root_node.has_error:
            raise TypeScriptEditError("syntax error")
        self.imports = self._read_imports()

    # ------------------------------------------------------------ lookup

    def call_at(self, start: int, end: int) -> tree_sitter.Node | None:
        """The ``new X(...)`` / ``f(...)`` at a span, following a variable to its initialiser."""
        node = self.tree.root_node.named_descendant_for_byte_range(start, max(start, end - 1))
        if node is None:
            return None
        for candidate in [node, *_ancestors(node)]:
            if candidate.type in _CALLS and candidate.start_byte == start:
                return candidate
        if node.type in ("identifier", "shorthand_property_identifier"):
            return self._initialiser(_text(node))
        return None

    def object_around(self, offset: int) -> tree_sitter.Node | None:
        """The innermost object literal around byte ``offset`` (the props a value is written in)."""
        node = self.tree.root_node.named_descendant_for_byte_range(offset, offset)
        while node is not None and node.type != "object":
            node = node.parent
        return node

    def _initialiser(self, name: str) -> tree_sitter.Node | None:
        for node in walk(self.tree.root_node):
            if node.type == "variable_declarator":
                ident = node.child_by_field_name("name")
                value = node.child_by_field_name("value")
                if ident is not None and _text(ident) == name and value is not None and value.type in _CALLS:
                    return value
        return None

    def assigned(self, start: int, end: int) -> Assigned | None:
        """The declaration whose value is at a span (``const SIZE = ...``, a class field, ``this.X = ...``), and
        the reads of its name: bare (``SIZE``) or as a member (``this.TYPE``, ``Stack.TYPE``).
        """
        node = self.tree.root_node.named_descendant_for_byte_range(start, max(start, end - 1))
        owners = {"variable_declarator": "name", "public_field_definition": "name", "assignment_expression": "left"}
        while node is not None and node.parent is not None and node.parent.type not in owners:
            if (node.start_byte, node.end_byte) != (node.parent.start_byte, node.parent.end_byte):
                return None
            node = node.parent
        parent = node.parent if node is not None else None
        if node is None or parent is None:
            return None
        left = parent.child_by_field_name(owners[parent.type])
        value = parent.child_by_field_name("right" if parent.type == "assignment_expression" else "value")
        if left is None or value != node:
            return None
        name = _text(left).rsplit(".", 1)[-1]
        reads = [
            candidate.start_point[0] + 1
            for candidate in walk(self.tree.root_node)
            if candidate.type in ("identifier", "property_identifier")
            and _text(candidate) == name
            and not left.start_byte <= candidate.start_byte < left.end_byte
            and not (candidate.parent is not None and candidate.parent.child_by_field_name("key") == candidate)
        ]
        exported = any(a.type == "export_statement" for a in _ancestors(parent))
        return Assigned(name, node, tuple(reads), exported)

    @staticmethod
    def callee(call: tree_sitter.Node) -> str:
        target = call.child_by_field_name("constructor") or call.child_by_field_name("function")
        return _text(target) if target is not None else ""

    @staticmethod
    def arguments(call: tree_sitter.Node) -> list[tree_sitter.Node]:
        args = call.child_by_field_name("arguments")
        return [c for c in args.named_children if c.type != "comment"] if args is not None else []

    def props(self, call: tree_sitter.Node, index: int) -> tree_sitter.Node | None:
        """The object literal passed as argument ``index`` (None when absent or not a literal)."""
        args = self.arguments(call)
        return args[index] if index < len(args) and args[index].type == "object" else None

    @staticmethod
    def property(obj: tree_sitter.Node, name: str) -> tree_sitter.Node | None:
        """The value of property ``name`` in an object literal (shorthand ``{ vpc }`` included)."""
        for child in obj.named_children:
            if child.type == "pair":
                key = child.child_by_field_name("key")
                if key is not None and _text(key).strip("'\"") == name:
                    return child.child_by_field_name("value")
            elif child.type == "shorthand_property_identifier" and _text(child) == name:
                return child
        return None

    # ------------------------------------------------------------ edits

    def replace_node(self, node: tree_sitter.Node, text: str) -> Edit | None:
        return self.buffer.replace(node.start_byte, node.end_byte, text)

    def replace_member(self, node: tree_sitter.Node, member: str) -> Edit | None:
        """``a.B.X86_64`` -> ``a.B.<member>``: only the last name changes."""
        if node.type != "member_expression":
            raise TypeScriptEditError(f"not a member expression: {_text(node)}")
        prop = node.child_by_field_name("property")
        assert prop is not None
        return self.buffer.replace(prop.start_byte, prop.end_byte, member)

    def insert_property(self, obj: tree_sitter.Node, name: str, value: str) -> Edit | None:
        """Add ``name: value`` to an object literal (None when the property exists).

        ``value`` may span lines written with ``\\n`` and relative indentation; it is re-indented to
        the new property's column.
        """
        if self.property(obj, name) is not None:
            return None
        members = [c for c in obj.named_children if c.type not in ("comment",)]
        multiline = obj.start_point[0] != obj.end_point[0]
        if not members:
            indent = self.buffer.indentation(obj.start_byte)
            inner = indent + self.buffer.indent_unit
            body = _indent_value(value, inner)
            return Edit(
                self.buffer.path,
                obj.start_byte + 1,
                obj.end_byte - 1,
                self.buffer.lines(f"\n{inner}{name}: {body},\n{indent}"),
            )
        last = members[-1]
        trailing = self._comma_after(last)
        if not multiline:
            text = f", {name}: {' '.join(part.strip() for part in value.splitlines())}"
            return self.buffer.insert(trailing if trailing is not None else last.end_byte, text)
        indent = self.buffer.indentation(last.start_byte)
        body = _indent_value(value, indent)
        if trailing is not None:
            return self.buffer.insert(trailing, self.buffer.lines(f"\n{indent}{name}: {body},"))
        return self.buffer.insert(last.end_byte, self.buffer.lines(f",\n{indent}{name}: {body}"))

    def remove_property(self, obj: tree_sitter.Node, name: str) -> Edit | None:
        """Delete property ``name`` from an object literal with its comma (its whole line(s) when it has them)."""
        members = [c for c in obj.named_children if c.type in ("pair", "shorthand_property_identifier")]
        for index, member in enumerate(members):
            key = member.child_by_field_name("key") if member.type == "pair" else member
            if key is None or _text(key).strip("'\"") != name:
                continue
            comma = self._comma_after(member)
            end = comma if comma is not None else member.end_byte
            start = self.buffer.line_start(member.start_byte)
            own_line = (
                not self.buffer.text(start, member.start_byte).strip()
                and not self.buffer.text(end, self.buffer.line_end(end)).strip()
            )
            if own_line:
                return Edit(self.buffer.path, start, self.buffer.next_line(end), "")
            if index > 0:
                return Edit(self.buffer.path, members[index - 1].end_byte, member.end_byte, "")
            return Edit(self.buffer.path, member.start_byte, members[1].start_byte if len(members) > 1 else end, "")
        return None

    def append_argument(self, call: tree_sitter.Node, text: str) -> Edit:
        """Add an argument at the end of a call's argument list."""
        args = call.child_by_field_name("arguments")
        if args is None:
            raise TypeScriptEditError("call without arguments")
        named = [c for c in args.named_children if c.type != "comment"]
        if not named:
            return self.buffer.insert(args.start_byte + 1, text)
        return self.buffer.insert(named[-1].end_byte, f", {text}")

    def _comma_after(self, node: tree_sitter.Node) -> int | None:
        sibling = node.next_sibling
        while sibling is not None and sibling.type == "comment":
            sibling = sibling.next_sibling
        return sibling.end_byte if sibling is not None and sibling.type == "," else None

    # ------------------------------------------------------------ imports

    def _read_imports(self) -> list[_Import]:
        found = []
        for node in self.tree.root_node.named_children:
            if node.type != "import_statement":
                continue
            source = node.child_by_field_name("source")
            module = _text(source).strip("'\"") if source is not None else ""
            namespace, named, named_node = None, [], None
            for clause in node.named_children:
                if clause.type != "import_clause":
                    continue
                for part in clause.named_children:
                    if part.type == "namespace_import":
                        idents = [c for c in part.named_children if c.type == "identifier"]
                        namespace = _text(idents[0]) if idents else None
                    elif part.type == "named_imports":
                        named_node = part
                        for spec in part.named_children:
                            if spec.type != "import_specifier":
                                continue
                            original = spec.child_by_field_name("name")
                            alias = spec.child_by_field_name("alias") or original
                            written = _text(alias) if alias is not None else _text(spec)
                            named.append(written)
                            exported = _text(original) if original is not None else written
                            if module in ("aws-cdk-lib", "monocdk") and exported.startswith("aws_"):
                                # ``import { aws_ecs as ecs } from 'aws-cdk-lib'``: a namespace in disguise
                                submodule = f"aws-cdk-lib/{exported.replace('_', '-')}"
                                found.append(_Import(node, submodule, written, [], None))
            found.append(_Import(node, module, namespace, named, named_node))
        return found

    def module_prefix(self) -> str:
        """``aws-cdk-lib/`` for CDK v2 files, ``@aws-cdk/`` for v1 ones."""
        if any(i.module.startswith("@aws-cdk/") for i in self.imports) and not any(
            i.module.startswith("aws-cdk-lib") for i in self.imports
        ):
            return "@aws-cdk/"
        return "aws-cdk-lib/"

    def _namespace_style(self) -> bool:
        return any(i.namespace for i in self.imports if i.module.startswith(("aws-cdk-lib/", "@aws-cdk/")))

    def symbol(self, module: str, name: str, alias_hint: str, symbols: Symbols) -> str:
        """How to write ``name`` exported by ``module`` here; records in ``symbols`` an import it needs."""
        for found in self.imports:
            if found.module == module and found.namespace:
                return f"{found.namespace}.{name}"
            if found.module == module and name in found.named:
                return name
        hint, names = symbols.needed.setdefault(module, (alias_hint, []))
        if name not in names:
            names.append(name)
        extends_named = any(i.module == module and i.named_node is not None for i in self.imports)
        if extends_named or not self._namespace_style():
            return name
        return f"{hint}.{name}"

    def import_edits(self, symbols: Symbols) -> list[Edit]:
        """The edits that make every symbol recorded in ``symbols`` resolve (one per place)."""
        by_offset: dict[int, list[str]] = {}
        edits: list[Edit] = []
        for module, (alias, names) in sorted(symbols.needed.items()):
            existing = next((i for i in self.imports if i.module == module and i.named_node is not None), None)
            if existing is not None and existing.named_node is not None:
                specs = [c for c in existing.named_node.named_children if c.type == "import_specifier"]
                if specs:
                    edits.append(self.buffer.insert(specs[-1].end_byte, "".join(f", {n}" for n in names)))
                    continue
            clause = f"* as {alias}" if self._namespace_style() else "{ " + ", ".join(names) + " }"
            offset, line = self._import_line(clause, module)
            by_offset.setdefault(offset, []).append(line)
        for offset, lines in sorted(by_offset.items()):
            edits.append(self.buffer.insert(offset, self.buffer.lines("".join(f"{line}\n" for line in lines))))
        return edits

    def _import_line(self, clause: str, module: str) -> tuple[int, str]:
        if not self.imports:
            return 0, f"import {clause} from '{module}';"
        sample = _text(self.imports[-1].node)
        quote = '"' if '"' in sample else "'"
        semicolon = ";" if sample.rstrip().endswith(";") else ""
        line = f"import {clause} from {quote}{module}{quote}{semicolon}"
        modules = [i.module for i in self.imports]
        ordered = modules == sorted(modules, key=str.lower)
        before = next((i for i in self.imports if i.module.lower() > module.lower()), None) if ordered else None
        if before is not None:
            return self.buffer.line_start(before.node.start_byte), line
        return self.buffer.next_line(self.imports[-1].node.end_byte), line


def _indent_value(value: str, indent: str) -> str:
    lines = value.split("\n")
    return "\n".join([lines[0], *[indent + line for line in lines[1:]]])


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


def _ancestors(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    out = []
    current = node.parent
    while current is not None:
        out.append(current)
        current = current.parent
    return out
