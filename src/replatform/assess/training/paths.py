"""Inputs, outputs, downloads, dataset construction and model saves: where data comes from and goes to."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from replatform.assess.training import catalog
from replatform.assess.training.collector import Call, argument
from replatform.assess.training.facts import DatasetCall, Download, ModelSave, PathUse, Span, Statement
from replatform.assess.training.resolver import Resolver


class PathsMixin(Resolver):
    """Paths read and written, downloads, torchvision datasets, model saves, label columns."""

    def path_uses(self) -> tuple[list[PathUse], list[PathUse]]:
        inputs: list[PathUse] = []
        outputs: list[PathUse] = []
        for call in self.c.calls:
            names = call.names
            name = min(names) if names else ""
            attribute = call.node.func.attr.value if isinstance(call.node.func, cst.Attribute) else ""
            if names & catalog.READS_FILE or names & catalog.READS_DIRECTORY:
                directory = bool(names & catalog.READS_DIRECTORY)
                self._use(inputs, "input", "data", name, call, argument(call.node, 0, "path", "root"), directory)
            elif any(n.startswith(catalog.TORCHVISION_DATASETS) for n in names):
                self._use(inputs, "input", "dataset", name, call, argument(call.node, 0, "root"), True)
            elif names & {"builtins.open"}:
                mode = argument(call.node, 1, "mode")
                text = mode.evaluated_value if isinstance(mode, cst.SimpleString) else "r"
                role = "output" if isinstance(text, str) and any(ch in text for ch in "wax") else "input"
                self._use(outputs if role == "output" else inputs, role, "data" if role == "input" else "artifact", name, call, argument(call.node, 0, "file"), False)  # fmt: skip
            elif names & {"torch.load"}:
                target = argument(call.node, 0, "f")
                found = self.resolve(target, call.function)
                what = "checkpoint" if found and catalog.CHECKPOINT_WORDS.search(found.base + found.via) else "data"
                self._use(inputs, "input", what, name, call, target, False)
            elif names & {"torch.save", "joblib.dump", "torch.jit.save"}:
                target = argument(call.node, 1, "f", "filename")
                self._use(outputs, "output", self._saved_what(call), name, call, target, False)
            elif names & {"os.makedirs", "os.mkdir"}:
                self._use(outputs, "output", "directory", name, call, argument(call.node, 0, "name", "path"), True)
            elif attribute in ("savefig",):
                self._use(outputs, "output", "plot", name or attribute, call, argument(call.node, 0, "fname"), False)
            elif attribute in ("to_csv", "to_parquet", "to_json") or names & {"numpy.save", "numpy.savez"}:
                self._use(outputs, "output", "artifact", name or attribute, call, argument(call.node, 0), False)
            elif attribute in ("save_pretrained", "save_model") or (attribute == "save" and self._keras()):
                self._use(outputs, "output", "model", name or attribute, call, argument(call.node, 0), True)
        # A folder made for a model file is the model's folder.
        model_bases = {u.base for u in outputs if u.what == "model"}
        outputs = [
            PathUse(u.role, "model", u.call, u.line, u.base, u.base_span, u.via, u.directory, u.tail)
            if u.what == "directory" and u.base in model_bases
            else u
            for u in outputs
        ]
        return inputs, outputs

    def _use(
        self,
        bucket: list[PathUse],
        role: str,
        what: str,
        call_name: str,
        call: Call,
        target: cst.BaseExpression | None,
        directory: bool,
    ) -> None:
        found = self.resolve(target, call.function)
        if found is None:
            bucket.append(PathUse(role, what, call_name, call.line))
            return
        is_directory = (directory and not found.parent) or found.joined
        bucket.append(
            PathUse(
                role,
                what,
                call_name,
                call.line,
                found.base,
                self.c.span(found.node),
                found.via,
                is_directory,
                found.tail,
            )
        )

    def downloads_and_datasets(self) -> tuple[list[Download], list[DatasetCall]]:
        downloads: list[Download] = []
        datasets: list[DatasetCall] = []
        for call in self.c.calls:
            names = call.names
            torchvision = sorted(n for n in names if n.startswith(catalog.TORCHVISION_DATASETS))
            if torchvision:
                cls = torchvision[0].rsplit(".", 1)[-1]
                if cls in ("ImageFolder", "DatasetFolder"):
                    continue
                download = argument(call.node, 99, "download")
                if isinstance(download, cst.Name) and download.value == "True":
                    downloads.append(Download(f"the {cls} dataset (torchvision, download=True)", torchvision[0], call.line, call.span))  # fmt: skip
                root = argument(call.node, 0, "root")
                datasets.append(
                    DatasetCall(
                        cls,
                        self._split(call.node),
                        self.c.code(root) if root is not None else "'.'",
                        call.span,
                        self.c.code(call.node),
                    )
                )
                continue
            for name in sorted(names):
                if name in catalog.DOWNLOADS:
                    downloads.append(Download(catalog.DOWNLOADS[name], name, call.line, call.span))
                    break
                if name.endswith(catalog.FROM_PRETRAINED):
                    first = argument(call.node, 0, "pretrained_model_name_or_path")
                    value = first.evaluated_value if isinstance(first, cst.SimpleString) else None
                    if isinstance(value, str) and not catalog.looks_like_path(value):
                        downloads.append(Download(f"{value} from the Hugging Face Hub", name, call.line, call.span))
                    break
                if name.startswith("torchvision.models.") and any(
                    a.keyword is not None and a.keyword.value in ("pretrained", "weights") for a in call.node.args
                ):
                    downloads.append(Download("pretrained weights (torchvision)", name, call.line, call.span))
                    break
        return downloads, datasets

    def _split(self, call: cst.Call) -> str:
        split = argument(call, 99, "split")
        if isinstance(split, cst.SimpleString) and isinstance(split.evaluated_value, str):
            return split.evaluated_value
        train = argument(call, 99, "train")
        if isinstance(train, cst.Name) and train.value == "False":
            return "test"
        return "train"

    def model_saves(self) -> list[ModelSave]:
        saves = []
        model_variables = {v for v, kind in self.tracked_candidates() if kind == "model"}
        for call in self.c.calls:
            names = call.names
            fmt = ""
            model_node: cst.BaseExpression | None = None
            path_node: cst.BaseExpression | None = None
            attribute = call.node.func.attr.value if isinstance(call.node.func, cst.Attribute) else ""
            if f"{catalog.CONTRACT}save_torchscript" in names:
                fmt, model_node, path_node = "torchscript", argument(call.node, 0), argument(call.node, 1)
            elif "torch.save" in names:
                obj = argument(call.node, 0, "obj")
                path_node = argument(call.node, 1, "f")
                if (
                    isinstance(obj, cst.Call)
                    and isinstance(obj.func, cst.Attribute)
                    and obj.func.attr.value == "state_dict"
                ):
                    fmt, model_node = "state_dict", obj.func.value
                elif isinstance(obj, cst.Name) and (obj.value in model_variables or "model" in obj.value.lower()):
                    fmt, model_node = "module", obj
                else:
                    continue
                if self._saved_what(call) == "checkpoint":
                    continue
            elif "torch.jit.save" in names:
                fmt, model_node, path_node = "torchscript", argument(call.node, 0), argument(call.node, 1, "f")
            elif "joblib.dump" in names:
                fmt, model_node, path_node = (
                    "joblib",
                    argument(call.node, 0, "value"),
                    argument(call.node, 1, "filename"),
                )
            elif "pickle.dump" in names:
                fmt, model_node, path_node = "pickle", argument(call.node, 0, "obj"), argument(call.node, 1, "file")
            elif attribute == "save_pretrained":
                fmt, model_node, path_node = "huggingface", call.node.func.value, argument(call.node, 0)  # type: ignore[attr-defined]
            elif attribute == "save_model":
                framework = "xgboost" if "xgboost" in self.frameworks() else "huggingface"
                fmt, model_node, path_node = framework, call.node.func.value, argument(call.node, 0)  # type: ignore[attr-defined]
            elif attribute == "save" and self._keras():
                fmt, model_node, path_node = "keras", call.node.func.value, argument(call.node, 0)  # type: ignore[attr-defined]
            else:
                continue
            located = self._statement_of(call)
            if located is None or model_node is None:
                continue
            span, indent = located
            found = self.resolve(path_node, call.function)
            file_name = None
            if found is not None:
                file_name = found.tail or None if found.joined else found.base.rsplit("/", 1)[-1]
            saves.append(
                ModelSave(
                    min(names) if names else attribute,
                    fmt,
                    call.line,
                    self.c.code(model_node),
                    self.c.code(path_node) if path_node is not None else "",
                    span,
                    indent,
                    file_name,
                )
            )
        return saves

    def label_columns(self) -> list[str]:
        """Literal columns popped or selected as the target from DataFrames the script reads."""
        frames = {
            a.target
            for a in self.c.assignments
            if isinstance(a.value, cst.Call) and any(n.startswith("pandas.read_") for n in self.c.names_of(a.value))
        }
        labels: list[str] = []
        for call in self.c.calls:
            func = call.node.func
            if not (isinstance(func, cst.Attribute) and func.attr.value == "pop" and isinstance(func.value, cst.Name)):
                continue
            if func.value.value not in frames:
                continue
            column = argument(call.node, 0)
            if isinstance(column, cst.SimpleString) and isinstance(column.evaluated_value, str):
                labels.append(column.evaluated_value)
            elif isinstance(column, cst.Attribute) and isinstance(column.value, cst.Name):
                option = next((o for o in self.options if o.dest == column.attr.value), None)
                default = argument(option.call.node, 99, "default") if option else None
                if isinstance(default, cst.SimpleString) and isinstance(default.evaluated_value, str):
                    labels.append(default.evaluated_value)
        return list(dict.fromkeys(labels))

    def dataset_statements(self, datasets: list[DatasetCall]) -> list[Statement]:
        """The transform assignments and torchvision imports that only the dataset calls use."""
        if not datasets:
            return []
        removed: list[Span] = [d.span for d in datasets]
        statements: list[Statement] = []
        calls = [c for c in self.c.calls if any(c.span == d.span for d in datasets)]
        for call in calls:
            for arg in call.node.args:
                if arg.keyword is None or arg.keyword.value not in ("transform", "target_transform", "transforms"):
                    continue
                if not isinstance(arg.value, cst.Name):
                    continue
                assignment = self.single_assignment(arg.value.value, call.function)
                if assignment is None or assignment.statement is None:
                    continue
                names: set[str] = set()
                for inner in self.c.calls:
                    inside = self.c.span(assignment.value)
                    if inside.start <= inner.span.start and inner.span.end <= inside.end:
                        names |= inner.names
                if not names or not all(n.startswith("torchvision.") for n in names):
                    continue
                located = self.statement_span(assignment.statement)
                if located is None:
                    continue
                span, _ = located
                if any(s.span == span for s in statements):
                    continue
                statements.append(Statement(span, self.source(span), (assignment.target,)))
                removed.append(span)
        movable_names = {n for s in statements for n in s.names}
        for name in movable_names:
            if not self._only_within(name, removed):
                return []
        for imported in self.c.imports:
            if not all(m.split(".", 1)[0] == "torchvision" for m in imported.modules):
                continue
            located = self.statement_span(imported.statement)
            if located is None:
                continue
            span, _ = located
            if all(self._only_within(name, [*removed, span]) for name in imported.bound):
                statements.append(Statement(span, self.source(span), imported.bound))
        return sorted(statements, key=lambda s: s.span.start)

    def _only_within(self, name: str, spans: Sequence[Span]) -> bool:
        return all(any(s.start <= offset < s.end for s in spans) for value, offset in self.c.names if value == name)
