"""The minimal edits that make a training script honour the SageMaker training contract.

Each edit is a byte-span splice on the original file at a position libcst reported; nothing is
re-serialised. Fixes are grouped by concern (paths, hyperparameters, booleans and spellings,
checkpoints, prepared data, TorchScript), each with its own reason, so a reviewer can read the
diff concern by concern. All of them rely on the contract import, which the first fix adds.
"""

from __future__ import annotations

import json
import os

from replatform.assess.training.channels import environment_for
from replatform.assess.training.facts import PathUse, Span
from replatform.migrate.targets.sagemaker.plan import CONTRACT_MODULE, JobPlan
from replatform.model import Applicability, Edit, Fix

C = CONTRACT_MODULE


def _string(text: str, quote: str) -> str:
    """A Python string literal in the file's own quote style."""
    if quote == "'":
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return json.dumps(text)


class ScriptEdits:
    """Builds the edits for one script from the plan and the file's bytes."""

    def __init__(self, plan: JobPlan, data: bytes) -> None:
        self.plan = plan
        self.script = plan.script
        self.data = data
        self.path = plan.script.path
        self.rewritten: dict[str, str] = {}  # original literal source -> its replacement
        self.bases: list[str] = []  # the literal paths rewritten
        self.needs_os = False

    def source(self, span: Span) -> str:
        return self.data[span.start : span.end].decode("utf-8")

    def replace(self, span: Span, text: str) -> Edit:
        return Edit(self.path, span.start, span.end, text)

    def insert(self, offset: int, text: str) -> Edit:
        return Edit(self.path, offset, offset, text)

    # -- paths ------------------------------------------------------------------------------------------------------
    def paths(self) -> list[Edit]:
        by_span: dict[Span, list[PathUse]] = {}
        for use in (*self.script.inputs, *self.script.outputs):
            if use.base_span is not None and use.base is not None and not use.base.startswith("s3://"):
                by_span.setdefault(use.base_span, []).append(use)
        edits = []
        for span, uses in sorted(by_span.items()):
            env = self._environment(uses)
            if env is None:
                continue
            literal = self.source(span)
            quote = literal[-1]
            assert uses[0].base is not None
            if any(u.directory for u in uses):
                text = f"os.environ.get({_string(env, quote)}, {literal})"
            else:
                folder, _, name = uses[0].base.rpartition("/")
                local = folder or "."
                text = f"os.path.join(os.environ.get({_string(env, quote)}, {_string(local, quote)}), {_string(name, quote)})"
            self.rewritten[literal] = text
            self.bases.append(uses[0].base)
            self.needs_os = True
            edits.append(self.replace(span, text))
        return edits

    def _environment(self, uses: list[PathUse]) -> str | None:
        """The job's variable for a literal; None leaves it to a person (the script's own checkpoints: the
        contract checkpoints already).
        """
        return environment_for(self.plan.channels, uses)

    # -- hyperparameters ---------------------------------------------------------------------------------------------
    def hyperparameters(self) -> list[Edit]:
        script = self.script
        if script.entry_body is None:
            return []
        if script.parser is not None:
            return self._argparse()
        names = [h.name for h in script.hyperparameters if h.source == "constant"]
        if not names and not self.plan.checkpoints:
            return []
        indent = script.entry_indent
        if names:
            lines = [f"{indent}globals().update(", f"{indent}    {C}.hyperparameters("]
            lines += [f"{indent}        {name}={name}," for name in names]
            lines += [f"{indent}    )", f"{indent})"]
        else:
            lines = [f"{indent}{C}.hyperparameters()"]
        return [self.insert(script.entry_body.start, "\n".join(lines) + "\n")]

    def _argparse(self) -> list[Edit]:
        edits = []
        for option in (h for h in self.script.hyperparameters if h.source == "argparse"):
            long = next((o for o in option.options if o.startswith("--")), "")
            if long and ("-" in long[2:] or "_" in long[2:]):
                name = long[2:]
                twin = "--" + (name.replace("-", "_") if "-" in name else name.replace("_", "-"))
                if twin not in option.options:
                    edits.append(self.insert(option.options_end, f", {json.dumps(twin)}"))
            if option.keyword_span is not None:
                if option.action in ("store_true", "store_false"):
                    const = option.action == "store_true"
                    text = f'type={C}.boolean, nargs="?", const={const}'
                    if not option.has_default:
                        text += f", default={not const}"
                else:
                    text = f"type={C}.boolean"
                edits.append(self.replace(option.keyword_span, text))
        return edits

    # -- checkpoints -------------------------------------------------------------------------------------------------
    def checkpoints(self) -> list[Edit]:
        script = self.script
        if not self.plan.checkpoints or script.epoch_loop is None or script.step_loop is None:
            return []
        epoch, step = script.epoch_loop, script.step_loop
        if epoch.iterable is None or step.iterable is None:
            return []  # a while loop has no iterable to resume (the plan says so)
        tracked = ", ".join(f"{name}={name}" for name, _ in script.tracked)
        edits = [
            self.insert(epoch.statement.start, f"{epoch.indent}{C}.checkpoints.track({tracked})\n"),
            self.replace(epoch.iterable, f"{C}.checkpoints.epochs({epoch.iterable_source})"),
            self.replace(step.iterable, f"{C}.checkpoints.batches({step.iterable_source})"),
        ]
        if script.parser is not None:
            parser = script.parser
            edits.append(self.insert(parser.statement.start, f"{parser.indent}{C}.add_arguments({parser.variable})\n"))
        return edits

    # -- datasets ----------------------------------------------------------------------------------------------------
    def datasets(self) -> list[Edit]:
        module = self.plan.prepare_module
        if module is None:
            return []
        edits = [
            self.replace(
                d.span,
                f"{C}.prepared_dataset({self.rewritten.get(d.root_source, d.root_source)}, "
                f"{json.dumps(d.name)}, {json.dumps(d.split)}, {module}.prepare)",
            )
            for d in self.script.datasets
        ]
        edits += [self.replace(s.span, "") for s in self.script.dataset_statements]
        return edits

    # -- TorchScript -------------------------------------------------------------------------------------------------
    def torchscript(self) -> list[Edit]:
        edits = []
        for save in self.script.model_saves:
            if save.call != "torch.save" or save.format not in ("state_dict", "module") or save.file_name == "model.pt":
                continue
            path = self.rewritten.get(save.path_source, save.path_source)
            self.needs_os = True
            edits.append(
                self.insert(
                    save.statement.end,
                    f"{save.indent}{C}.save_torchscript({save.model_source}, os.path.dirname({path}))\n",
                )
            )
        return edits

    # -- imports -----------------------------------------------------------------------------------------------------
    def imports(self, other_edits: list[Edit]) -> tuple[list[Edit], list[Edit]]:
        """The import edit, merged into a removal that ends where the imports end; returns (imports, others)."""
        lines = []
        if self.needs_os and not self.script.imports_os:
            lines.append("import os")
        if self.plan.prepare_module:
            lines.append(f"import {self.plan.prepare_module}")
        lines.append(f"import {C}")
        block = "\n" + "\n".join(sorted(lines, key=lambda line: (line != "import os", line))) + "\n"
        end = self.script.imports_end
        for edit in other_edits:
            if edit.end_byte == end and edit.replacement == "" and edit.start_byte < end:
                rest = [e for e in other_edits if e is not edit]
                return [Edit(self.path, edit.start_byte, edit.end_byte, block)], rest
        return [self.insert(end, block)], other_edits


def script_fixes(plan: JobPlan, data: bytes) -> list[Fix]:
    """The script's fixes, each concern on its own, all applied by ``migrate --apply``."""
    edits = ScriptEdits(plan, data)
    path_edits = edits.paths()
    dataset_edits = edits.datasets()  # after paths(): a literal root inside a dataset call is rewritten there
    path_edits = [
        p
        for p in path_edits
        if not any(d.start_byte <= p.start_byte and p.end_byte <= d.end_byte for d in dataset_edits)
    ]
    concerns: list[tuple[str, str, list[Edit], str]] = [
        (
            "sagemaker-local-path",
            "Read inputs from SM_CHANNEL_* and write the model to SM_MODEL_DIR, with the old paths as local defaults",
            path_edits,
            "outside SageMaker the variables are unset and the old paths are used",
        ),
        (
            "sagemaker-hardcoded-hyperparameter",
            "Take hyperparameters as options (both --batch-size and --batch_size; typed booleans); misspelt ones fail",
            edits.hyperparameters(),
            "with no options given every value is the one the script had",
        ),
        (
            "sagemaker-no-checkpoint",
            "Checkpoint model, optimizer and scheduler atomically every N batches, at epoch ends and on SIGTERM; "
            "resume from the latest checkpoint",
            edits.checkpoints(),
            "a run that is not interrupted trains exactly as before; an interrupted one resumes from its last "
            "checkpoint (./checkpoints outside SageMaker)",
        ),
        (
            "sagemaker-runtime-download",
            "Read prepared dataset tensors from the training channel instead of downloading at run time",
            dataset_edits,
            "outside SageMaker a missing file is prepared (downloaded) once as before; inside a job nothing is downloaded",
        ),
        (
            "sagemaker-model-not-servable",
            "Also save a TorchScript model.pt beside the state_dict, for the default PyTorch serving handler",
            edits.torchscript(),
            "an extra file; a network TorchScript cannot compile fails at save time instead of at deployment",
        ),
    ]
    removals = [e for _, _, group, _ in concerns for e in group]
    import_edits, _ = edits.imports(removals)
    merged = import_edits[0]
    fixes = [
        Fix(
            f"Import the SageMaker training contract ({C}.py, generated beside {os.path.basename(plan.script.path)})",
            (merged,),
            Applicability.SAFE,
            "sagemaker-training-script",
            "",
            "an import of a generated, standard-library module; every other fix of this script uses it",
        )
    ]
    for rule, description, group, why in concerns:
        group = [e for e in group if not (e.start_byte == merged.start_byte and e.end_byte == merged.end_byte)]
        if group:
            fixes.append(Fix(description, tuple(sorted(group)), Applicability.SAFE, rule, "", why))
    return fixes


def rewritten_bases(plan: JobPlan, data: bytes) -> set[str]:
    """The literal paths the script's edits move to SageMaker variables."""
    edits = ScriptEdits(plan, data)
    edits.paths()
    return set(edits.bases)
