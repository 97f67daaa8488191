"""HCL expressions evaluated as far as they are literal (the one evaluator for Terraform).

Literals, collections, templates, ``var.*`` (defaults, tfvars, module inputs),
``local.*`` (evaluated lazily, so chains in any order work), ``each``/``count``
inside a resource, ``path.module``, conditionals, arithmetic, comparisons and
logic, indexing, and a set of pure functions with literal arguments. Anything
else is `Unknown` carrying the expression text. `references` lists the
resources an expression names, following only the branch a literal condition
picks, so links are never guessed from a branch that is not taken.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import tree_sitter

from replatform.discover.source import SourceFile
from replatform.model import Location, Unknown

_OPERATORS = {"==", "!=", "<", ">", "<=", ">=", "&&", "||", "+", "-", "*", "/", "%"}
_MAX_DEPTH = 64


def text_of(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


@dataclass
class Variable:
    """A variable's value and where that value was set (for explanations)."""

    value: Any
    origin: str
    location: Location | None = None


@dataclass
class Scope:
    """What names resolve to inside one module instance."""

    module_dir: str = ""
    variables: dict[str, Variable] = field(default_factory=dict)
    local_nodes: dict[str, tuple[SourceFile, tree_sitter.Node]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    data: dict[str, dict[str, Any]] = field(default_factory=dict)  # "archive_file.x" -> evaluated body
    used: set[str] = field(default_factory=set)  # variables read, for explanations
    _evaluating: set[str] = field(default_factory=set)

    def local(self, name: str) -> Any:
        if name in self.locals:
            return self.locals[name]
        if name not in self.local_nodes or name in self._evaluating:
            return Unknown(f"local.{name}")
        self._evaluating.add(name)
        source, node = self.local_nodes[name]
        value = Evaluator(source, self).evaluate(node)
        self._evaluating.discard(name)
        self.locals[name] = value
        return value


def _is_known(value: Any) -> bool:
    if isinstance(value, Unknown):
        return False
    if isinstance(value, (list, tuple)):
        return all(_is_known(v) for v in value)
    if isinstance(value, dict):
        return all(_is_known(v) for v in value.values())
    return True


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return None
    return None


def _string(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int)):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return None


def _format(template: str, args: list[Any]) -> Any:
    out, index, i = [], 0, 0
    while i < len(template):
        char = template[i]
        if char == "%" and i + 1 < len(template):
            verb = template[i + 1]
            if verb == "%":
                out.append("%")
            elif verb in "sdv" and index < len(args):
                text = _string(args[index])
                if text is None:
                    return Unknown("format(...)")
                out.append(text)
                index += 1
            else:
                return Unknown("format(...)")
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _lookup(args: list[Any]) -> Any:
    if len(args) >= 2 and isinstance(args[0], dict) and isinstance(args[1], str):
        if args[1] in args[0]:
            return args[0][args[1]]
        if len(args) == 3:
            return args[2]
    return Unknown("lookup(...)")


def _flatten(items: Any) -> Any:
    if not isinstance(items, (list, tuple)):
        return Unknown("flatten(...)")
    out: list[Any] = []
    for item in items:
        flat = _flatten(item) if isinstance(item, (list, tuple)) else [item]
        if isinstance(flat, Unknown):
            return flat
        out.extend(flat)
    return tuple(out)


def _element(args: list[Any]) -> Any:
    items, index = args[0], _number(args[1])
    if isinstance(items, (list, tuple)) and items and isinstance(index, int):
        return items[index % len(items)]
    return Unknown("element(...)")


_FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "length": lambda a: len(a[0]) if isinstance(a[0], (str, list, tuple, dict)) else Unknown("length"),
    "lower": lambda a: a[0].lower() if isinstance(a[0], str) else Unknown("lower"),
    "upper": lambda a: a[0].upper() if isinstance(a[0], str) else Unknown("upper"),
    "title": lambda a: a[0].title() if isinstance(a[0], str) else Unknown("title"),
    "trimspace": lambda a: a[0].strip() if isinstance(a[0], str) else Unknown("trimspace"),
    "tostring": lambda a: _string(a[0]) if _string(a[0]) is not None else Unknown("tostring"),
    "tonumber": lambda a: _number(a[0]) if _number(a[0]) is not None else Unknown("tonumber"),
    "tobool": lambda a: (
        a[0] if isinstance(a[0], bool) else {"true": True, "false": False}.get(str(a[0]), Unknown("tobool"))
    ),
    "tolist": lambda a: tuple(a[0]) if isinstance(a[0], (list, tuple)) else Unknown("tolist"),
    "toset": lambda a: tuple(dict.fromkeys(a[0])) if isinstance(a[0], (list, tuple)) else Unknown("toset"),
    "tomap": lambda a: a[0] if isinstance(a[0], dict) else Unknown("tomap"),
    "max": lambda a: max(a) if a and all(_number(x) is not None for x in a) else Unknown("max"),
    "min": lambda a: min(a) if a and all(_number(x) is not None for x in a) else Unknown("min"),
    "abs": lambda a: abs(a[0]) if _number(a[0]) is not None else Unknown("abs"),
    "ceil": lambda a: math.ceil(a[0]) if _number(a[0]) is not None else Unknown("ceil"),
    "floor": lambda a: math.floor(a[0]) if _number(a[0]) is not None else Unknown("floor"),
    "concat": lambda a: (
        tuple(x for part in a for x in part) if all(isinstance(p, (list, tuple)) for p in a) else Unknown("concat")
    ),
    "merge": lambda a: (
        {k: v for part in a for k, v in part.items()} if all(isinstance(p, dict) for p in a) else Unknown("merge")
    ),
    "lookup": _lookup,
    "coalesce": lambda a: next((x for x in a if x not in (None, "")), Unknown("coalesce")),
    "coalescelist": lambda a: next((x for x in a if isinstance(x, (list, tuple)) and x), Unknown("coalescelist")),
    "format": lambda a: _format(a[0], a[1:]) if isinstance(a[0], str) else Unknown("format"),
    "join": lambda a: (
        a[0].join(_string(x) or "" for x in a[1])
        if isinstance(a[0], str) and isinstance(a[1], (list, tuple)) and all(_string(x) is not None for x in a[1])
        else Unknown("join")
    ),
    "split": lambda a: (
        tuple(a[1].split(a[0])) if isinstance(a[0], str) and a[0] and isinstance(a[1], str) else Unknown("split")
    ),
    "element": _element,
    "contains": lambda a: a[1] in a[0] if isinstance(a[0], (list, tuple)) else Unknown("contains"),
    "keys": lambda a: tuple(sorted(a[0])) if isinstance(a[0], dict) else Unknown("keys"),
    "values": lambda a: tuple(a[0][k] for k in sorted(a[0])) if isinstance(a[0], dict) else Unknown("values"),
    "replace": lambda a: (
        a[0].replace(a[1], a[2])
        if all(isinstance(x, str) for x in a[:3]) and not a[1].startswith("/")
        else Unknown("replace")
    ),
    "startswith": lambda a: (
        a[0].startswith(a[1]) if isinstance(a[0], str) and isinstance(a[1], str) else Unknown("startswith")
    ),
    "endswith": lambda a: (
        a[0].endswith(a[1]) if isinstance(a[0], str) and isinstance(a[1], str) else Unknown("endswith")
    ),
    "distinct": lambda a: tuple(dict.fromkeys(a[0])) if isinstance(a[0], (list, tuple)) else Unknown("distinct"),
    "compact": lambda a: (
        tuple(x for x in a[0] if x not in (None, "")) if isinstance(a[0], (list, tuple)) else Unknown("compact")
    ),
    "flatten": lambda a: _flatten(a[0]),
    "one": lambda a: (
        (a[0][0] if len(a[0]) == 1 else None) if isinstance(a[0], (list, tuple)) and len(a[0]) <= 1 else Unknown("one")
    ),
    "jsonencode": lambda a: a[0],
}
# Functions whose first arguments may be Unknown without making the result unknown.
_LAZY = {"try", "coalesce", "jsonencode"}


class Evaluator:
    """Evaluate HCL expression nodes of one file in one scope."""

    def __init__(self, source: SourceFile, scope: Scope, instance: dict[str, Any] | None = None) -> None:
        self.source = source
        self.scope = scope
        #: ``each.key``/``each.value``/``count.index`` of the resource instance being read, if known.
        self.instance = instance or {}

    def location(self, node: tree_sitter.Node) -> Location:
        return self.source.location_from_bytes(node.start_byte, node.end_byte)

    def evaluate(self, node: tree_sitter.Node, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            return Unknown(text_of(node))
        kind = node.type
        if kind in ("expression", "operation"):
            return self.sequence(node, [c for c in node.children if c.type != "comment"], depth + 1)
        if kind == "literal_value":
            return self._literal(node.children[0])
        if kind == "template_expr":
            return self._template(node, depth)
        if kind == "collection_value":
            return self.evaluate(node.children[0], depth + 1)
        if kind == "tuple":
            return tuple(self.evaluate(c, depth + 1) for c in node.named_children if c.type == "expression")
        if kind == "object":
            return self._object(node, depth)
        if kind == "conditional":
            return self._conditional(node, depth)
        if kind == "binary_operation":
            return self._binary(node, depth)
        if kind == "unary_operation":
            return self._unary(node, depth)
        if kind == "function_call":
            return self._call(node, depth)
        if kind == "variable_expr":
            return self.sequence(node, [node], depth + 1)
        return Unknown(text_of(node))

    def sequence(self, owner: tree_sitter.Node, children: list[tree_sitter.Node], depth: int) -> Any:
        """A run of sibling nodes: one node, ``( expr )``, or a traversal (root then attrs/indexes)."""
        if not children:
            return Unknown(text_of(owner))
        if len(children) == 1 and children[0].type != "variable_expr":
            return self.evaluate(children[0], depth)
        if children[0].type == "(" and len(children) >= 3 and children[-1].type == ")":
            return self.evaluate(children[1], depth)
        head, rest = children[0], children[1:]
        if head.type == "variable_expr":
            root = text_of(head)
            consumed = {"var": 1, "local": 1, "each": 1, "count": 1, "path": 1, "data": 2}.get(root)
            if consumed is None or len(rest) < consumed:
                return Unknown(text_of(owner))
            value = self._root(head, rest)
            rest = rest[consumed:]
        else:
            value = self.evaluate(head, depth)
        for step in rest:
            if isinstance(value, Unknown):
                return Unknown(text_of(owner))
            value = self._step(value, step, depth)
        return Unknown(text_of(owner)) if isinstance(value, Unknown) else value

    def _root(self, head: tree_sitter.Node, rest: list[tree_sitter.Node]) -> Any:
        root = text_of(head)
        first = text_of(rest[0].named_children[-1]) if rest and rest[0].type == "get_attr" else None
        if root == "var" and first is not None:
            variable = self.scope.variables.get(first)
            if variable is None:
                return Unknown(f"var.{first}")
            self.scope.used.add(first)
            return variable.value
        if root == "local" and first is not None:
            return self.scope.local(first)
        if root in ("each", "count") and first is not None:
            return self.instance.get(f"{root}.{first}", Unknown(f"{root}.{first}"))
        if root == "path" and first == "module":
            return self.scope.module_dir or "."
        if root == "data" and first is not None and len(rest) >= 2 and rest[1].type == "get_attr":
            name = f"{first}.{text_of(rest[1].named_children[-1])}"
            return self.scope.data.get(name, Unknown(f"data.{name}"))
        return Unknown(root)

    def _step(self, value: Any, step: tree_sitter.Node, depth: int) -> Any:
        if step.type == "get_attr":
            name = text_of(step.named_children[-1])
            return value.get(name, Unknown(name)) if isinstance(value, dict) else Unknown(name)
        if step.type == "index":
            inner = step.named_children[0] if step.named_children else step
            exprs = [c for c in inner.named_children if c.type == "expression"]
            if inner.type == "legacy_index":
                key: Any = _number(text_of(inner).lstrip("."))
            elif exprs:
                key = self.evaluate(exprs[0], depth + 1)
            else:
                return Unknown("index")
            if isinstance(value, (list, tuple)) and isinstance(_number(key), int):
                index = int(_number(key) or 0)
                return value[index] if -len(value) <= index < len(value) else Unknown("index")
            if isinstance(value, dict) and isinstance(key, (str, int)):
                return value.get(str(key), Unknown("index"))
        return Unknown(text_of(step))

    def _literal(self, node: tree_sitter.Node) -> Any:
        kind = node.type
        if kind == "numeric_lit":
            number = _number(text_of(node))
            return number if number is not None else Unknown(text_of(node))
        if kind == "bool_lit":
            return text_of(node) == "true"
        if kind == "null_lit":
            return None
        if kind == "string_lit":
            return "".join(text_of(c) for c in node.children if c.type == "template_literal")
        return Unknown(text_of(node))

    def _template(self, node: tree_sitter.Node, depth: int) -> Any:
        inner = node.children[0]
        parts: list[str] = []
        for child in inner.children:
            if child.type == "template_literal":
                parts.append(text_of(child))
            elif child.type == "template_interpolation":
                exprs = [c for c in child.named_children if c.type == "expression"]
                value = self.evaluate(exprs[0], depth + 1) if exprs else Unknown(text_of(child))
                text = _string(value) if not isinstance(value, (Unknown, type(None))) else None
                if text is None:
                    return Unknown(text_of(node))
                parts.append(text)
            elif child.type in ("template_directive",):
                return Unknown(text_of(node))
        return "".join(parts)

    def _object(self, node: tree_sitter.Node, depth: int) -> Any:
        result: dict[str, Any] = {}
        for elem in node.named_children:
            if elem.type != "object_elem":
                continue
            key_node = elem.child_by_field_name("key") or elem.named_children[0]
            value_node = elem.child_by_field_name("val") or elem.named_children[-1]
            bare = [c for c in key_node.children if c.type != "comment"]
            if len(bare) == 1 and bare[0].type == "variable_expr":
                key: Any = text_of(bare[0])  # a bare identifier key is its name
            else:
                key = self.evaluate(key_node, depth + 1)
            result[key.expression if isinstance(key, Unknown) else str(key)] = self.evaluate(value_node, depth + 1)
        return result

    def _conditional(self, node: tree_sitter.Node, depth: int) -> Any:
        parts = [c for c in node.named_children if c.type == "expression"]
        if len(parts) != 3:
            return Unknown(text_of(node))
        condition = self.evaluate(parts[0], depth + 1)
        if isinstance(condition, bool):
            return self.evaluate(parts[1] if condition else parts[2], depth + 1)
        return Unknown(text_of(node))

    def branch(self, node: tree_sitter.Node) -> tree_sitter.Node | None:
        """For a conditional, the branch its literal condition takes (None when unknown)."""
        parts = [c for c in node.named_children if c.type == "expression"]
        if len(parts) != 3:
            return None
        condition = self.evaluate(parts[0])
        return (parts[1] if condition else parts[2]) if isinstance(condition, bool) else None

    def _binary(self, node: tree_sitter.Node, depth: int) -> Any:
        children = [c for c in node.children if c.type != "comment"]
        split = next((i for i, c in enumerate(children) if not c.is_named and c.type in _OPERATORS and i > 0), None)
        if split is None:
            return Unknown(text_of(node))
        operator = children[split].type
        left = self.sequence(node, children[:split], depth + 1)
        if operator == "&&" and left is False:
            return False
        if operator == "||" and left is True:
            return True
        right = self.sequence(node, children[split + 1 :], depth + 1)
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return Unknown(text_of(node))
        return _apply(operator, left, right, text_of(node))

    def _unary(self, node: tree_sitter.Node, depth: int) -> Any:
        children = [c for c in node.children if c.type != "comment"]
        if not children:
            return Unknown(text_of(node))
        operand = self.sequence(node, children[1:], depth + 1)
        if children[0].type == "!" and isinstance(operand, bool):
            return not operand
        if children[0].type == "-" and _number(operand) is not None and not isinstance(operand, str):
            return -operand
        return Unknown(text_of(node))

    def _call(self, node: tree_sitter.Node, depth: int) -> Any:
        name = text_of(node.named_children[0])
        arguments = [c for c in node.named_children if c.type == "function_arguments"]
        exprs = [c for c in arguments[0].named_children if c.type == "expression"] if arguments else []
        args = [self.evaluate(e, depth + 1) for e in exprs]
        if name == "try":
            return next((a for a in args if _is_known(a)), Unknown(text_of(node)))
        function = _FUNCTIONS.get(name)
        if function is None or not args or (name not in _LAZY and not all(_is_known(a) for a in args)):
            return Unknown(text_of(node))
        try:
            value = function(args)
        except (TypeError, ValueError, IndexError, KeyError, AttributeError, OverflowError):
            return Unknown(text_of(node))
        return Unknown(text_of(node)) if isinstance(value, Unknown) else value

    def references(self, node: tree_sitter.Node, depth: int = 0) -> Iterator[tuple[str, tree_sitter.Node]]:
        """``type.name`` of every resource (``data.type.name``, ``module.name.output``) the expression names.

        A conditional whose condition is literal contributes only the branch it takes.
        """
        for root, attrs, at in named_references(node, self.branch):
            if root in ("var", "local", "each", "count", "path", "self", "terraform"):
                continue
            if root in ("data", "module"):
                yield ".".join([root, *attrs[:2]]), at  # data.type.name, module.name.output
            else:
                yield f"{root}.{attrs[0]}", at


def named_references(
    node: tree_sitter.Node,
    branch: Callable[[tree_sitter.Node], tree_sitter.Node | None] | None = None,
    depth: int = 0,
) -> Iterator[tuple[str, list[str], tree_sitter.Node]]:
    """Every ``root.attr...`` traversal inside ``node``: (root, its first two attribute names, the node holding it).

    ``branch`` picks the one branch of a conditional to follow (None: follow both, as a structural check must).
    A bare name (an object key, ``ignore_changes = [desired_count]``) is not a reference and is not yielded.
    """
    if depth > _MAX_DEPTH:
        return
    if node.type == "conditional" and branch is not None:
        chosen = branch(node)
        if chosen is not None:
            yield from named_references(chosen, branch, depth + 1)
            return
    children = node.children
    for index, child in enumerate(children):
        if child.type == "variable_expr":
            attrs = [text_of(c.named_children[-1]) for c in children[index + 1 : index + 3] if c.type == "get_attr"]
            if attrs:
                yield text_of(child), attrs, node
        else:
            yield from named_references(child, branch, depth + 1)


def _apply(operator: str, left: Any, right: Any, text: str) -> Any:
    if operator == "==":
        return left == right
    if operator == "!=":
        return left != right
    if operator in ("&&", "||"):
        if isinstance(left, bool) and isinstance(right, bool):
            return (left and right) if operator == "&&" else (left or right)
        return Unknown(text)
    a, b = _number(left), _number(right)
    if a is None or b is None:
        return Unknown(text)
    if operator in ("<", ">", "<=", ">="):
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[operator]
    if operator == "+":
        return a + b
    if operator == "-":
        return a - b
    if operator == "*":
        return a * b
    if operator == "/":
        return a / b if b else Unknown(text)
    if operator == "%":
        return a % b if b else Unknown(text)
    return Unknown(text)


def plain(value: Any) -> Any:
    """A value as JSON-able data (unknown parts as ``${expression}``)."""
    if isinstance(value, Unknown):
        return "${" + value.expression + "}"
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def unknown_of(value: Any) -> Unknown:
    """A collection that is not a literal attribute value, as `Unknown` with a stable rendering."""
    return Unknown(json.dumps(plain(value), sort_keys=True))
