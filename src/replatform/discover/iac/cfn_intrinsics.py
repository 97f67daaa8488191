"""CloudFormation intrinsic functions, evaluated as far as a template states them literally.

One evaluator for every place a template is read (YAML or JSON, SAM or plain):
``Ref`` to parameters (their ``Default``, or a ``--parameter K=V`` given by the
user), ``Fn::If`` through ``Conditions``, ``Fn::FindInMap`` over literal
``Mappings``, ``Fn::Join``/``Fn::Sub``/``Fn::Select``/``Fn::Split`` on literals.
``Ref``/``Fn::GetAtt``/``Fn::Sub`` naming a resource resolve to that logical id
(for links). Everything else stays `Unknown` with its rendering, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from replatform.discover.tree import Node, render
from replatform.model import Location, Scalar, Unknown

_NO_VALUE = "AWS::NoValue"
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")
_MAX_DEPTH = 32


class NoValue:
    """``Ref: AWS::NoValue``: the property is left out."""


NO_VALUE = NoValue()


def _single(node: Node) -> tuple[str, Node] | None:
    if isinstance(node.value, dict) and len(node.value) == 1:
        ((key, inner),) = node.value.items()
        if key == "Ref" or key == "Condition" or key.startswith("Fn::"):
            return key, inner
    return None


class Intrinsics:
    """Evaluate intrinsics of one template."""

    def __init__(self, document: Node, overrides: Mapping[str, str] | None = None) -> None:
        empty = Node({}, document.location)
        self.parameters: dict[str, Node] = {}
        self.parameter_origin: dict[str, str] = {}
        for name, parameter in (document.get("Parameters") or empty).items():
            if overrides and name in overrides:
                self.parameters[name] = Node(overrides[name], parameter.location)
                self.parameter_origin[name] = f"--parameter {name}={overrides[name]}"
                continue
            default = parameter.get("Default")
            if default is not None and default.scalar is not None:
                self.parameters[name] = default
                self.parameter_origin[name] = f"{name} defaults to {default.scalar}"
        self.mappings = document.get("Mappings") or empty
        self.conditions = document.get("Conditions") or empty
        self.resources = {name: r for name, r in (document.get("Resources") or empty).items()}
        self._condition_cache: dict[str, bool | None] = {}

    # ------------------------------------------------------------- values

    def resolve(self, node: Node | None, depth: int = 0) -> Node | NoValue | None:
        """The node with every intrinsic we can evaluate replaced by its value (location kept)."""
        if node is None:
            return None
        if depth > _MAX_DEPTH:
            return node
        single = _single(node)
        if single is not None:
            return self._intrinsic(node, *single, depth)
        if isinstance(node.value, dict):
            children = {}
            for key, child in node.value.items():
                resolved = self.resolve(child, depth + 1)
                if isinstance(resolved, Node):
                    children[key] = resolved
            return Node(children, node.location)
        if isinstance(node.value, list):
            items = [self.resolve(child, depth + 1) for child in node.value]
            return Node([i for i in items if isinstance(i, Node)], node.location)
        return node

    def _intrinsic(self, node: Node, key: str, inner: Node, depth: int) -> Node | NoValue:
        location = node.location
        if key == "Ref":
            name = inner.text()
            if name == _NO_VALUE:
                return NO_VALUE
            if name in self.parameters:
                return Node(self.parameters[name].scalar, location)
            return node
        if key == "Fn::If":
            args = list(inner.elements())
            if len(args) == 3:
                chosen = self.condition(args[0].text() or "")
                if chosen is not None:
                    result = self.resolve(args[1] if chosen else args[2], depth + 1)
                    return result if result is not None else node
            return node
        literal = self._literal_function(key, inner, depth)
        if literal is not None:
            return literal if isinstance(literal, Node) else Node(literal, location)
        return node

    def _literal_function(self, key: str, inner: Node, depth: int) -> Scalar | Node | None:
        if key == "Fn::FindInMap":
            keys = [self.scalar(a, depth) for a in inner.elements()]
            if len(keys) >= 3 and all(isinstance(a, (str, int)) for a in keys[:3]):
                found = self.mappings.get(str(keys[0]), str(keys[1]), str(keys[2]))
                if found is not None:
                    resolved = self.resolve(found, depth + 1)
                    return resolved if isinstance(resolved, Node) else None
            return None
        if key == "Fn::Join":
            args = list(inner.elements())
            if len(args) == 2:
                delimiter = self.scalar(args[0], depth)
                parts = self.resolve(args[1], depth + 1)
                if isinstance(delimiter, str) and isinstance(parts, Node) and isinstance(parts.value, list):
                    texts = [self.scalar(p, depth) for p in parts.value]
                    if all(isinstance(t, (str, int, float)) and not isinstance(t, bool) for t in texts):
                        return delimiter.join(str(t) for t in texts)
            return None
        if key == "Fn::Select":
            args = list(inner.elements())
            if len(args) == 2:
                index = self.scalar(args[0], depth)
                items = self.resolve(args[1], depth + 1)
                if isinstance(index, (int, str)) and str(index).isdigit() and isinstance(items, Node):
                    elements = items.value if isinstance(items.value, list) else None
                    if elements is not None and int(index) < len(elements):
                        return elements[int(index)]
            return None
        if key == "Fn::Split":
            args = list(inner.elements())
            if len(args) == 2:
                delimiter, text = self.scalar(args[0], depth), self.scalar(args[1], depth)
                if isinstance(delimiter, str) and delimiter and isinstance(text, str):
                    return Node([Node(part, inner.location) for part in text.split(delimiter)], inner.location)
            return None
        if key == "Fn::Sub":
            return self._sub(inner, depth)
        return None

    def _sub(self, inner: Node, depth: int) -> str | None:
        if isinstance(inner.value, list):
            args = list(inner.elements())
            template = args[0].text() if args else None
            variables = {k: v for k, v in args[1].items()} if len(args) > 1 else {}
        else:
            template, variables = inner.text(), {}
        if template is None:
            return None
        unresolved = False

        def replace(match: re.Match[str]) -> str:
            nonlocal unresolved
            name = match.group(1).strip()
            if name in variables:
                value = self.scalar(variables[name], depth)
            elif name in self.parameters:
                value = self.parameters[name].scalar
            else:
                value = None
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                return str(value)
            unresolved = True
            return match.group(0)

        text = _SUB_VARIABLE.sub(replace, template)
        return None if unresolved else text.replace("${!", "${")

    def scalar(self, node: Node | None, depth: int = 0) -> Scalar | Unknown | None:
        """A resolved scalar, `Unknown` for what stays an expression, None when absent or NoValue."""
        resolved = self.resolve(node, depth + 1)
        if not isinstance(resolved, Node):
            return None
        return resolved.literal()

    # ------------------------------------------------------------- conditions

    def condition(self, name: str) -> bool | None:
        """A named condition's value, None when it depends on something we cannot know."""
        if name in self._condition_cache:
            return self._condition_cache[name]
        self._condition_cache[name] = None  # cycle guard
        definition = self.conditions.get(name)
        value = self._truth(definition, 0) if definition is not None else None
        self._condition_cache[name] = value
        return value

    def _truth(self, node: Node, depth: int) -> bool | None:
        if depth > _MAX_DEPTH:
            return None
        single = _single(node)
        if single is None:
            return node.value if isinstance(node.value, bool) else None
        key, inner = single
        args = list(inner.elements())
        if key == "Condition":
            return self.condition(inner.text() or "")
        if key == "Fn::Equals" and len(args) == 2:
            left, right = self.scalar(args[0], depth), self.scalar(args[1], depth)
            if left is None or right is None or isinstance(left, Unknown) or isinstance(right, Unknown):
                return None
            return str(left) == str(right)
        if key == "Fn::Not" and len(args) == 1:
            value = self._truth(args[0], depth + 1)
            return None if value is None else not value
        if key in ("Fn::And", "Fn::Or"):
            values = [self._truth(a, depth + 1) for a in args]
            if key == "Fn::And":
                return False if False in values else (None if None in values else True)
            return True if True in values else (None if None in values else False)
        return None

    def explain(self, name: str) -> str:
        """Why a condition has its value: the parameters it reads and where their values come from."""
        definition = self.conditions.get(name)
        used = sorted(set(re.findall(r"Ref ([A-Za-z0-9]+)", render(definition)))) if definition else []
        origins = [self.parameter_origin[p] for p in used if p in self.parameter_origin]
        return f"condition {name} is false" + (f" ({'; '.join(origins)})" if origins else "")

    # ------------------------------------------------------------- references

    def resource_of(self, node: Node | None) -> str | Unknown | None:
        """The logical id a ``Ref``/``Fn::GetAtt``/``Fn::Sub`` names, `Unknown` when it names none we can tell."""
        resolved = self.resolve(node)
        if not isinstance(resolved, Node):
            return None
        single = _single(resolved)
        if single is None:
            text = resolved.text()
            return text if text in self.resources else None
        key, inner = single
        name: str | None = None
        if key == "Ref":
            name = inner.text()
        elif key == "Fn::GetAtt":
            parts = [e.text() or "" for e in inner.elements()] if isinstance(inner.value, list) else None
            name = parts[0] if parts else (inner.text() or "").split(".", 1)[0]
        elif key == "Fn::Sub":
            template = inner.value[0].text() if isinstance(inner.value, list) and inner.value else inner.text()
            names = {m.split(".", 1)[0] for m in _SUB_VARIABLE.findall(template or "")}
            named = [n for n in names if n in self.resources]
            name = named[0] if len(named) == 1 else None
        if name is not None and name in self.resources:
            return name
        return Unknown(render(resolved))

    def resources_named(self, node: Node | None, depth: int = 0) -> set[str]:
        """Every logical id a ``Ref``/``Fn::GetAtt``/``Fn::Sub`` anywhere inside ``node`` names (all branches)."""
        if node is None or depth > _MAX_DEPTH:
            return set()
        single = _single(node)
        if single is not None and single[0] in ("Ref", "Fn::GetAtt", "Fn::Sub"):
            key, inner = single
            if key == "Fn::Sub":
                template = inner.value[0].text() if isinstance(inner.value, list) and inner.value else inner.text()
                names = {m.split(".", 1)[0] for m in _SUB_VARIABLE.findall(template or "")}
                return {n for n in names if n in self.resources}
            named = self.resource_of(node)
            return {named} if isinstance(named, str) else set()
        found: set[str] = set()
        if isinstance(node.value, dict):
            for _key, child in node.items():
                found |= self.resources_named(child, depth + 1)
        elif isinstance(node.value, list):
            for child in node.elements():
                found |= self.resources_named(child, depth + 1)
        return found


def location_of(node: Node | None, fallback: Location) -> Location:
    return node.location if node is not None else fallback
