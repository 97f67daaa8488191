"""What a name or a path expression stands for: constants, joins, argparse defaults, statements.

``Resolver`` is the base of the analysis: it follows a path argument back to the literal it is
built from (through module and local constants, ``os.path.join``/``dirname``, pathlib ``/``,
f-strings and argparse defaults), knows the script's argparse options, the statement a call sits
in, and which variables hold the model, optimizer, scheduler and scaler.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import libcst as cst

from replatform.assess.training import catalog
from replatform.assess.training.collector import Assignment, Call, Collector, argument
from replatform.assess.training.facts import ArgumentParser, Span


@dataclass(frozen=True)
class PathRef:
    base: str
    node: cst.SimpleString
    via: str
    joined: bool  # something is joined onto the literal: it names a folder
    parent: bool = False  # the call gets the literal's folder (os.path.dirname): the literal names a file
    tail: str = ""  # the literal last part joined onto it ("model.joblib"), when there is one


@dataclass
class Option:
    options: tuple[str, ...]
    dest: str
    call: Call


class Resolver:
    """Resolution over one collected script."""

    def __init__(self, collector: Collector) -> None:
        self.c = collector
        self.data = collector.data
        by_function: dict[str, dict[str, list[Assignment]]] = defaultdict(lambda: defaultdict(list))
        for assignment in collector.assignments:
            by_function[assignment.function][assignment.target].append(assignment)
        self.assigned = by_function
        self.positionals: list[tuple[str, int]] = []
        self.options = self._argparse_options()
        self.parse_result = self._parse_result()

    def statement_span(self, node: cst.CSTNode) -> tuple[Span, str] | None:
        """The whole lines of a statement (indent to newline) and its indent; None if shared with other code."""
        span = self.c.span(node)
        line_start = self.data.rfind(b"\n", 0, span.start) + 1
        indent = self.data[line_start : span.start]
        if indent.strip():
            return None
        newline = self.data.find(b"\n", span.end)
        end = len(self.data) if newline == -1 else newline + 1
        if self.data[span.end : end].strip() and not self.data[span.end : end].strip().startswith(b"#"):
            return None
        return Span(line_start, end, span.line), indent.decode("utf-8", "replace")

    def source(self, span: Span) -> str:
        return self.data[span.start : span.end].decode("utf-8", "replace")

    def single_assignment(self, name: str, function: str) -> Assignment | None:
        scopes = [function, ""] if function else [""]
        for scope in scopes:
            if scope and name in self.c.parameters.get(scope, set()):
                return None
            found = self.assigned.get(scope, {}).get(name)
            if found:
                return found[0] if len(found) == 1 else None
        return None

    def resolve(self, node: cst.BaseExpression | None, function: str, depth: int = 0) -> PathRef | None:
        """The literal a path expression is built from, following constants, joins and argparse defaults."""
        if node is None or depth > 8:
            return None
        if isinstance(node, cst.SimpleString):
            value = node.evaluated_value
            return PathRef(value, node, "", False) if isinstance(value, str) else None
        if isinstance(node, cst.Name):
            assignment = self.single_assignment(node.value, function)
            if assignment is None:
                return None
            found = self.resolve(assignment.value, assignment.function, depth + 1)
            if found is not None and not found.via:
                return PathRef(found.base, found.node, node.value, found.joined, found.parent)
            return found
        if (
            isinstance(node, cst.Attribute)
            and isinstance(node.value, cst.Name)
            and node.value.value == self.parse_result
        ):
            option = next((o for o in self.options if o.dest == node.attr.value), None)
            default = argument(option.call.node, 99, "default") if option else None
            if option is not None and isinstance(default, cst.SimpleString):
                value = default.evaluated_value
                if isinstance(value, str):
                    return PathRef(value, default, option.options[0], False)
            return None
        if isinstance(node, cst.Call):
            names = self.c.names_of(node)
            first = argument(node, 0)
            if names & {"os.path.join", "posixpath.join"}:
                found = self.resolve(first, function, depth + 1)
                last = node.args[-1].value if len(node.args) > 1 else None
                tail = last.evaluated_value if isinstance(last, cst.SimpleString) else ""
                return PathRef(found.base, found.node, found.via, True, tail=str(tail)) if found else None
            if names & {"os.path.dirname"}:
                found = self.resolve(first, function, depth + 1)
                return PathRef(found.base, found.node, found.via, found.joined, not found.joined) if found else None
            if names & {"os.path.abspath", "os.path.expanduser", "pathlib.Path", "str"}:
                return self.resolve(first, function, depth + 1)
            return None
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            found = self.resolve(node.left, function, depth + 1)
            return PathRef(found.base, found.node, found.via, True) if found else None
        if isinstance(node, cst.FormattedString) and node.parts:
            first_part = node.parts[0]
            if isinstance(first_part, cst.FormattedStringExpression):
                found = self.resolve(first_part.expression, function, depth + 1)
                return PathRef(found.base, found.node, found.via, True) if found else None
        return None

    def _parser_variables(self) -> set[str]:
        return {
            a.target
            for a in self.c.assignments
            if isinstance(a.value, cst.Call) and "argparse.ArgumentParser" in self.c.names_of(a.value)
        }

    def _argparse_options(self) -> list[Option]:
        parsers = self._parser_variables()
        options = []
        for call in self.c.calls:
            func = call.node.func
            if not (isinstance(func, cst.Attribute) and func.attr.value == "add_argument"):
                continue
            if not (isinstance(func.value, cst.Name) and func.value.value in parsers):
                continue
            strings = []
            for arg in call.node.args:
                if arg.keyword is None and isinstance(arg.value, cst.SimpleString):
                    value = arg.value.evaluated_value
                    if isinstance(value, str):
                        strings.append(value)
            flags = tuple(s for s in strings if s.startswith("-"))
            if not flags:
                if strings:
                    self.positionals.append((strings[0], call.line))
                continue
            dest_node = argument(call.node, 99, "dest")
            dest_value = dest_node.evaluated_value if isinstance(dest_node, cst.SimpleString) else None
            long = next((f for f in flags if f.startswith("--")), flags[0])
            dest = dest_value if isinstance(dest_value, str) else long.lstrip("-").replace("-", "_")
            options.append(Option(flags, dest, call))
        return options

    def _parse_result(self) -> str:
        parsers = self._parser_variables()
        for assignment in self.c.assignments:
            value = assignment.value
            if not isinstance(value, cst.Call):
                continue
            func = value.func
            parses = isinstance(func, cst.Attribute) and func.attr.value in ("parse_args", "parse_known_args")
            if parses and isinstance(func.value, cst.Name) and func.value.value in parsers:  # type: ignore[attr-defined]
                return assignment.target
            if isinstance(func, cst.Name) and func.value in self.c.returns_parse:
                return assignment.target
        return ""

    def parser(self) -> ArgumentParser | None:
        parsers = self._parser_variables()
        for call in self.c.calls:
            func = call.node.func
            if not (isinstance(func, cst.Attribute) and func.attr.value in ("parse_args", "parse_known_args")):
                continue
            if not (isinstance(func.value, cst.Name) and func.value.value in parsers):
                continue
            statement = self._statement_of(call)
            if statement is None:
                continue
            span, indent = statement
            return ArgumentParser(func.value.value, func.attr.value, span, indent, self.parse_result)
        return None

    def _statement_of(self, call: Call) -> tuple[Span, str] | None:
        return self.statement_span(call.statement) if call.statement is not None else None

    def frameworks(self) -> tuple[str, ...]:
        found = set()
        for imported in self.c.imports:
            for module in imported.modules:
                framework = catalog.framework_of(module.lstrip("."))
                if framework:
                    found.add(framework)
        order = [f for _, f in catalog.FRAMEWORKS]
        return tuple(sorted(found, key=order.index))

    def _keras(self) -> bool:
        return "tensorflow" in self.frameworks()

    def _saved_what(self, call: Call) -> str:
        obj = argument(call.node, 0, "obj")
        target = self.resolve(argument(call.node, 1, "f"), call.function)
        text = (target.base + target.via) if target else ""
        if isinstance(obj, cst.Dict) or catalog.CHECKPOINT_WORDS.search(text):
            return "checkpoint"
        if isinstance(obj, cst.Name) and catalog.CHECKPOINT_WORDS.search(obj.value):
            return "checkpoint"
        return "model"

    def tracked_candidates(self) -> list[tuple[str, str]]:
        """Variables holding the model, optimizer, LR scheduler and AMP scaler (assigned from calls)."""
        found: list[tuple[str, str]] = []
        for assignment in self.c.assignments:
            value = assignment.value
            if not isinstance(value, cst.Call):
                continue
            names = self.c.names_of(value)
            if any(n.startswith(catalog.SCHEDULERS) for n in names):
                found.append((assignment.target, "scheduler"))
            elif any(n.startswith(catalog.OPTIMIZERS) for n in names):
                found.append((assignment.target, "optimizer"))
                for arg in value.args:
                    inner = arg.value
                    if (
                        isinstance(inner, cst.Call)
                        and isinstance(inner.func, cst.Attribute)
                        and inner.func.attr.value == "parameters"
                        and isinstance(inner.func.value, cst.Name)
                    ):
                        found.append((inner.func.value.value, "model"))
            elif names & catalog.SCALERS:
                found.append((assignment.target, "scaler"))
        order = {"model": 0, "optimizer": 1, "scheduler": 2, "scaler": 3}
        unique = {name: kind for name, kind in found}
        return sorted(unique.items(), key=lambda item: (order[item[1]], item[0]))
