"""One libcst walk over a training script, remembering what the analysis is built from.

Calls (with qualified names resolved through the script's own imports, at module and function
level: ``from torchvision import datasets`` makes ``datasets.MNIST`` read as
``torchvision.datasets.MNIST``), assignments, loops, imports, names and the ``__main__`` block,
each with its byte span and line; plus the small readers of literal syntax the analysis shares.
Only byte spans come from libcst's metadata (lines are computed from them): its qualified-name
and line providers cost four fifths of the time on large files.
"""

from __future__ import annotations

import builtins
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import ByteSpanPositionProvider

from replatform.assess.training.facts import Span, Value


@dataclass
class Call:
    names: frozenset[str]
    node: cst.Call
    function: str
    line: int
    span: Span
    statement: cst.SimpleStatementLine | None


@dataclass
class Assignment:
    target: str
    value: cst.BaseExpression
    statement: cst.SimpleStatementLine | None
    function: str
    line: int


@dataclass
class LoopRecord:
    node: cst.For | cst.While
    function: str
    line: int
    parent: int | None
    backward: bool = False
    step: bool = False
    called: set[str] = field(default_factory=set)


@dataclass
class Import:
    statement: cst.SimpleStatementLine
    modules: tuple[str, ...]
    bound: tuple[str, ...]


class Collector(cst.CSTVisitor):
    """One walk over the module, remembering everything the facts are built from."""

    def __init__(self, data: bytes, wrapper: cst.MetadataWrapper) -> None:
        super().__init__()
        self.data = data
        self.module = wrapper.module
        self.spans = wrapper.resolve(ByteSpanPositionProvider)
        self.line_starts = [0] + [i + 1 for i, byte in enumerate(data) if byte == 0x0A]
        self.call_names: dict[int, frozenset[str]] = {}
        #: scope ("" for the module, else the function) -> local name -> the qualified name it was imported as
        self.bindings: dict[str, dict[str, str]] = defaultdict(dict)
        self._pending: list[tuple[cst.Call, str, str]] = []
        self.functions: list[str] = []
        self.classes: list[str] = []
        self.statement: list[cst.SimpleStatementLine] = []
        self.loops: list[LoopRecord] = []
        self.loop_stack: list[int] = []
        self.calls: list[Call] = []
        self.assignments: list[Assignment] = []
        self.parameters: dict[str, set[str]] = defaultdict(set)
        self.names: list[tuple[str, int]] = []
        self.imports: list[Import] = []
        self.entry: cst.If | None = None
        self.strings: list[tuple[str, int]] = []
        self.returns_parse: set[str] = set()
        self.blocks = 0  # how many indented blocks deep the walk is (0: a module-level statement)

    # -- helpers -------------------------------------------------------------------------------------------------
    def names_of(self, call: cst.BaseExpression) -> frozenset[str]:
        """The qualified names of a call's function (empty when it is not a dotted name)."""
        return self.call_names.get(id(call), frozenset())

    def qualify(self, dotted: str, scope: str) -> str:
        """``nn.Conv2d`` -> ``torch.nn.Conv2d`` through the imports of ``scope`` or the module."""
        root, _, rest = dotted.partition(".")
        bound = self.bindings.get(scope, {}).get(root) or self.bindings[""].get(root)
        if bound is not None:
            return f"{bound}.{rest}" if rest else bound
        if hasattr(builtins, root) and root not in self.parameters.get(scope, set()):
            return f"builtins.{dotted}"
        return dotted

    def span(self, node: cst.CSTNode) -> Span:
        code_span = self.spans[node]
        start = code_span.start
        return Span(start, start + code_span.length, bisect_right(self.line_starts, start))

    def line(self, node: cst.CSTNode) -> int:
        return bisect_right(self.line_starts, self.spans[node].start)

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    @property
    def function(self) -> str:
        return self.functions[-1] if self.functions else ""

    # -- scopes --------------------------------------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        name = ".".join([*self.classes, node.name.value]) if self.classes else node.name.value
        self.functions.append(name)
        for param in (*node.params.params, *node.params.posonly_params, *node.params.kwonly_params):
            self.parameters[name].add(param.name.value)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.functions.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node.name.value)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.classes.pop()

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = self.code(alias.name)
            if alias.asname is not None:
                self.bindings[self.function][self.code(alias.asname.name)] = name
            else:
                root = name.split(".", 1)[0]
                self.bindings[self.function][root] = root

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is None or node.relative or isinstance(node.names, cst.ImportStar):
            return
        module = self.code(node.module)
        for alias in node.names:
            name = self.code(alias.name)
            local = self.code(alias.asname.name) if alias.asname is not None else name
            self.bindings[self.function][local] = f"{module}.{name}"

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.blocks += 1

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        self.blocks -= 1

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.statement.append(node)
        if self.blocks == 0:
            for small in node.body:
                if isinstance(small, cst.Import):
                    modules = tuple(self.code(a.name) for a in small.names)
                    bound = tuple(
                        self.code(a.asname.name) if a.asname else self.code(a.name).split(".", 1)[0]
                        for a in small.names
                    )
                    self.imports.append(Import(node, modules, bound))
                elif isinstance(small, cst.ImportFrom) and small.module is not None:
                    module = "." * len(small.relative) + self.code(small.module)
                    names = () if isinstance(small.names, cst.ImportStar) else small.names
                    bound = tuple(self.code(a.asname.name) if a.asname else self.code(a.name) for a in names)
                    self.imports.append(Import(node, (module,), bound))

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine) -> None:
        self.statement.pop()

    def visit_If(self, node: cst.If) -> None:
        if not self.functions and not self.classes and is_main_guard(node.test):
            self.entry = node

    # -- what happens ----------------------------------------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) != 1:
            return
        target = node.targets[0].target
        if isinstance(target, cst.Name) and not self.classes:
            statement = self.statement[-1] if self.statement and len(self.statement[-1].body) == 1 else None
            self.assignments.append(Assignment(target.value, node.value, statement, self.function, self.line(node)))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name) and node.value is not None and not self.classes:
            statement = self.statement[-1] if self.statement and len(self.statement[-1].body) == 1 else None
            self.assignments.append(
                Assignment(node.target.value, node.value, statement, self.function, self.line(node))
            )

    def visit_Return(self, node: cst.Return) -> None:
        value = node.value
        if (
            isinstance(value, cst.Call)
            and isinstance(value.func, cst.Attribute)
            and value.func.attr.value in ("parse_args", "parse_known_args")
            and self.function
        ):
            self.returns_parse.add(self.function)

    def visit_For(self, node: cst.For) -> None:
        self._enter_loop(node)

    def visit_While(self, node: cst.While) -> None:
        self._enter_loop(node)

    def _enter_loop(self, node: cst.For | cst.While) -> None:
        parent = self.loop_stack[-1] if self.loop_stack else None
        self.loops.append(LoopRecord(node, self.function, self.line(node), parent))
        self.loop_stack.append(len(self.loops) - 1)

    def leave_While(self, original_node: cst.While) -> None:
        self.leave_For(original_node)  # type: ignore[arg-type]

    def leave_For(self, original_node: cst.For) -> None:
        index = self.loop_stack.pop()
        record = self.loops[index]
        if record.parent is not None and self.loops[record.parent].function == record.function:
            parent = self.loops[record.parent]
            parent.backward |= record.backward
            parent.step |= record.step
            parent.called |= record.called

    def visit_Call(self, node: cst.Call) -> None:
        dotted = _dotted(node.func)
        names: frozenset[str] = frozenset()  # resolved in leave_Module, once every import is known
        if dotted:
            self._pending.append((node, dotted, self.function))
        statement = self.statement[-1] if self.statement and len(self.statement[-1].body) == 1 else None
        self.calls.append(Call(names, node, self.function, self.line(node), self.span(node), statement))
        if self.loop_stack:
            loop = self.loops[self.loop_stack[-1]]
            attribute = node.func.attr.value if isinstance(node.func, cst.Attribute) else ""
            if attribute == "backward":
                loop.backward = True
            elif attribute == "train_step":  # a trainer object's step: forward, backward and optimizer step
                loop.backward = loop.step = True
            elif attribute == "step" and not is_scheduler_name(self.code(node.func.value)):  # type: ignore[attr-defined]
                loop.step = True
            if isinstance(node.func, cst.Name):
                loop.called.add(node.func.value)

    def leave_Module(self, original_node: cst.Module) -> None:
        for node, dotted, scope in self._pending:
            self.call_names[id(node)] = frozenset({self.qualify(dotted, scope)})
        for call in self.calls:
            call.names = self.call_names.get(id(call.node), frozenset())

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append((node.value, self.span(node).start))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = node.evaluated_value
        if isinstance(value, str) and value.startswith("s3://"):
            self.strings.append((value, self.line(node)))


def _dotted(node: cst.BaseExpression) -> str:
    """``a.b.c`` for a chain of names, else ``""``."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr.value}" if inner else ""
    return ""


def is_scheduler_name(receiver: str) -> bool:
    return "sched" in receiver.lower() or receiver.lower() in ("lr", "warmup")


def is_main_guard(test: cst.BaseExpression) -> bool:
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    left, target = test.left, test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return False
    right = target.comparator
    pairs = ((left, right), (right, left))
    return any(
        isinstance(a, cst.Name)
        and a.value == "__name__"
        and isinstance(b, cst.SimpleString)
        and b.evaluated_value == "__main__"
        for a, b in pairs
    )


def literal(node: cst.BaseExpression) -> tuple[bool, Value | None]:
    """(True, value) for a scalar literal; (False, None) otherwise."""
    if isinstance(node, cst.Integer):
        return True, int(node.evaluated_value)
    if isinstance(node, cst.Float):
        return True, float(node.evaluated_value)
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return (True, value) if isinstance(value, str) else (False, None)
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return True, node.value == "True"
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        ok, inner = literal(node.expression)
        if ok and isinstance(inner, (int, float)) and not isinstance(inner, bool):
            return True, -inner
    return False, None


def type_name(value: Value | None) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "str"


def argument(call: cst.Call, index: int, *keywords: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in keywords:
            return arg.value
    positional = [a for a in call.args if a.keyword is None and not a.star]
    return positional[index].value if index < len(positional) else None
