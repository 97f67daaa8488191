"""Read a Python training script with libcst (never run it) and say what it does.

``analyse`` walks the module once (``collector``), then resolves paths through constants, joins
and argparse defaults (``resolver``), finds inputs, outputs, downloads and saves (``paths``), the
epoch and batch loops and the objects a checkpoint must hold (``loops``), the hyperparameters and
the printed metrics (``metrics``). Everything is a literal reading of the source: a value that is
not a literal is not guessed.
"""

from __future__ import annotations

import ast

import libcst as cst

from replatform.assess.training import catalog
from replatform.assess.training.collector import Collector, argument, literal, type_name
from replatform.assess.training.facts import Hyperparameter, Metric, PathUse, Span, TrainingScript
from replatform.assess.training.loops import LoopsMixin
from replatform.assess.training.metrics import printed_metrics
from replatform.assess.training.paths import PathsMixin

#: Scripts larger than this are not analysed: real training scripts are far smaller, and libcst needs about a second
#: per 50 KB on one core, so this bounds the time a hostile file can take.
MAX_SCRIPT_BYTES = 256 * 1024


def analyse(path: str, data: bytes) -> TrainingScript:
    """The facts of one script; a file that does not parse gives ``unparsed`` and nothing else.

    CPython's own parser reads the file first: it bounds nesting (deep parentheses, operators or
    lambdas are a SyntaxError, RecursionError or MemoryError), while libcst's native parser would
    overflow the C stack on them and kill the process. Nothing is compiled or run.
    """
    try:
        ast.parse(data, path)
    except (SyntaxError, RecursionError, MemoryError, ValueError) as exc:
        return TrainingScript(path, (), None, None, unparsed=f"{type(exc).__name__}: {exc}".splitlines()[0][:200])
    try:
        module = cst.parse_module(data)
        wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
        collector = Collector(data, wrapper)
        wrapper.visit(collector)
    except (cst.ParserSyntaxError, RecursionError, ValueError, UnicodeDecodeError) as exc:
        message = str(exc).strip().splitlines()
        return TrainingScript(path, (), None, None, unparsed=message[0] if message else type(exc).__name__)
    return _Facts(collector).script(path)


class _Facts(PathsMixin, LoopsMixin):
    """Turns what the collector saw into a TrainingScript."""

    def hyperparameters(self, path_bases: set[str]) -> list[Hyperparameter]:
        found: list[Hyperparameter] = []
        module_level = self.assigned.get("", {})
        for name, assignments in module_level.items():
            if len(assignments) != 1 or name.startswith("_") or name in path_bases:
                continue
            assignment = assignments[0]
            ok, value = literal(assignment.value)
            if not ok or assignment.statement is None:
                continue
            if isinstance(value, str) and catalog.looks_like_path(value):
                continue
            found.append(
                Hyperparameter(
                    name,
                    value,
                    type_name(value),
                    assignment.line,
                    "constant",
                    self.c.span(assignment.value),
                    has_default=True,
                )
            )
        for option in self.options:
            if option.dest in ("help",) or set(option.options) & path_bases:
                continue
            call = option.call.node
            type_node = argument(call, 99, "type")
            action_node = argument(call, 99, "action")
            default_node = argument(call, 99, "default")
            action = action_node.evaluated_value if isinstance(action_node, cst.SimpleString) else ""
            type_is_bool = isinstance(type_node, cst.Name) and type_node.value == "bool"
            ok, default = literal(default_node) if default_node is not None else (False, None)
            if action in ("store_true", "store_false") and default_node is None:
                ok, default = True, action == "store_false"  # argparse's implicit default
            if action in ("store_true", "store_false"):
                kind = "bool"
            elif isinstance(type_node, cst.Name) and type_node.value in ("int", "float", "str", "bool"):
                kind = type_node.value
            else:
                kind = type_name(default) if ok else "str"
            keyword = None
            for arg in call.args:
                if (
                    arg.keyword is not None
                    and arg.keyword.value in ("action", "type")
                    and (
                        (arg.keyword.value == "action" and action in ("store_true", "store_false"))
                        or (arg.keyword.value == "type" and type_is_bool)
                    )
                ):
                    keyword = self.c.span(arg)
            last_option = [a for a in call.args if a.keyword is None and isinstance(a.value, cst.SimpleString)][-1]
            found.append(
                Hyperparameter(
                    option.dest,
                    default if ok else None,
                    kind,
                    option.call.line,
                    "argparse",
                    option.call.span,
                    option.options,
                    action if isinstance(action, str) else "",
                    type_is_bool,
                    keyword,
                    self.c.span(last_option.value).end,
                    default_node is not None,
                )
            )
        return sorted(found, key=lambda h: h.line)

    def metrics(self) -> list[Metric]:
        prints = [
            (call.node.args[0].value, call.line)
            for call in self.c.calls
            if call.names & {"builtins.print"} and call.node.args
        ]
        return printed_metrics(prints)

    def distributed_and_gpu(self) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
        distributed, gpu = [], []
        for call in self.c.calls:
            for name in sorted(call.names):
                if name in catalog.DISTRIBUTED:
                    distributed.append((catalog.DISTRIBUTED[name], call.line))
                if name in catalog.GPU:
                    gpu.append((catalog.GPU[name], call.line))
            func = call.node.func
            if isinstance(func, cst.Attribute) and func.attr.value == "cuda" and not call.names & {"torch.cuda"}:
                gpu.append((".cuda()", call.line))
            if call.names & {"torch.device"}:
                first = argument(call.node, 0, "type")
                if isinstance(first, cst.SimpleString) and str(first.evaluated_value).startswith("cuda"):
                    gpu.append(('torch.device("cuda")', call.line))
        return sorted(set(distributed), key=lambda x: x[1]), sorted(set(gpu), key=lambda x: x[1])

    def imports_end(self) -> tuple[int, bool]:
        end, has_os = 0, False
        for imported in self.c.imports:
            located = self.statement_span(imported.statement)
            if located is not None:
                end = max(end, located[0].end)
            if "os" in imported.bound and "os" in imported.modules:
                has_os = True
        return end, has_os

    def entry(self) -> tuple[Span | None, Span | None, str]:
        node = self.c.entry
        if node is None:
            return None, None, "    "
        located = self.statement_span(node)
        body = node.body
        if located is None or not isinstance(body, cst.IndentedBlock) or not body.body:
            return None, None, "    "
        first = self.statement_span(body.body[0])
        if first is None:
            return located[0], None, "    "
        return located[0], first[0], first[1]

    def script(self, path: str) -> TrainingScript:
        inputs, outputs = self.path_uses()
        epoch, step, training_line = self.loops()
        downloads, datasets = self.downloads_and_datasets()
        checkpoint_saves, checkpoint_loads = self.checkpoints()
        distributed, gpu = self.distributed_and_gpu()
        entry, entry_body, entry_indent = self.entry()
        imports_end, imports_os = self.imports_end()
        loop = epoch or step
        loop_function = loop.function if loop is not None else None
        tracked = tuple(
            (name, kind)
            for name, kind in self.tracked_candidates()
            if loop_function is not None and name in self.assigned.get(loop_function, {})
        )
        path_bases = {u.via for u in (*inputs, *outputs) if u.via} | {
            a.target
            for a in self.c.assignments
            if isinstance(a.value, cst.SimpleString)
            and isinstance(a.value.evaluated_value, str)
            and catalog.looks_like_path(a.value.evaluated_value)
        }
        s3_inputs = [
            PathUse("input", "data", "s3 URI", line, value)
            for value, line in self.c.strings
            if value.startswith("s3://")
        ]
        return TrainingScript(
            path=path,
            frameworks=self.frameworks(),
            entry=entry,
            entry_body=entry_body,
            entry_indent=entry_indent,
            training_line=training_line,
            epoch_loop=epoch,
            step_loop=step,
            tracked=tracked,
            inputs=tuple(sorted([*inputs, *s3_inputs], key=lambda u: (u.line, u.call))),
            outputs=tuple(sorted(outputs, key=lambda u: (u.line, u.call))),
            hyperparameters=tuple(self.hyperparameters(path_bases)),
            parser=self.parser(),
            downloads=tuple(downloads),
            datasets=tuple(datasets),
            model_saves=tuple(self.model_saves()),
            distributed=tuple(distributed),
            gpu=tuple(gpu),
            checkpoint_saves=tuple(checkpoint_saves),
            checkpoint_loads=tuple(checkpoint_loads),
            metrics=tuple(self.metrics()),
            label_columns=tuple(self.label_columns()),
            positionals=tuple(self.positionals),
            contract_hyperparameters=tuple(
                sorted(
                    arg.keyword.value
                    for call in self.c.calls
                    if f"{catalog.CONTRACT}hyperparameters" in call.names
                    for arg in call.node.args
                    if arg.keyword is not None
                )
            ),
            dataset_statements=tuple(self.dataset_statements(datasets)),
            imports_end=imports_end,
            imports_os=imports_os,
        )
