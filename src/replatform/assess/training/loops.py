"""The training loops (epoch and batch), fit/train calls, and existing checkpoint logic."""

from __future__ import annotations

import libcst as cst

from replatform.assess.training import catalog
from replatform.assess.training.collector import Call, LoopRecord, argument
from replatform.assess.training.facts import Loop
from replatform.assess.training.resolver import Resolver


class LoopsMixin(Resolver):
    """Where training happens and whether it can already resume."""

    def checkpoints(self) -> tuple[list[int], list[int]]:
        saves, loads = [], []
        optimizers = {v for v, kind in self.tracked_candidates() if kind == "optimizer"}
        for call in self.c.calls:
            names = call.names
            attribute = call.node.func.attr.value if isinstance(call.node.func, cst.Attribute) else ""
            if any(n.startswith(f"{catalog.CONTRACT}checkpoints.") for n in names):
                saves.append(call.line)  # the contract saves (epochs, batches) and resumes (track)
                loads.append(call.line)
            elif "torch.save" in names and self._saved_what(call) == "checkpoint":
                saves.append(call.line)
            elif "torch.save" in names:
                obj = argument(call.node, 0, "obj")
                if (
                    isinstance(obj, cst.Call)
                    and isinstance(obj.func, cst.Attribute)
                    and obj.func.attr.value == "state_dict"
                    and isinstance(obj.func.value, cst.Name)
                    and obj.func.value.value in optimizers
                ):
                    saves.append(call.line)
            elif attribute == "load_state_dict" and isinstance(call.node.func, cst.Attribute):
                receiver = call.node.func.value
                if isinstance(receiver, cst.Name) and receiver.value in optimizers:
                    loads.append(call.line)
            elif names & {"tensorflow.keras.callbacks.ModelCheckpoint", "keras.callbacks.ModelCheckpoint"}:
                saves.append(call.line)
            elif "torch.load" in names:
                found = self.resolve(argument(call.node, 0, "f"), call.function)
                if found is not None and catalog.CHECKPOINT_WORDS.search(found.base + found.via):
                    loads.append(call.line)
            if any(a.keyword is not None and a.keyword.value == "resume_from_checkpoint" for a in call.node.args):
                loads.append(call.line)
            called = (min(names) if names else attribute).rsplit(".", 1)[-1].lower()
            if "checkpoint" in called and "save" in called:
                saves.append(call.line)  # a library's own checkpointing (save_checkpoint)
            elif "checkpoint" in called and ("load" in called or "restore" in called or "resume" in called):
                loads.append(call.line)
        return sorted(set(saves)), sorted(set(loads))

    def loops(self) -> tuple[Loop | None, Loop | None, int | None]:
        records = self.c.loops
        steps = [
            i
            for i, r in enumerate(records)
            if r.backward and r.step and not any(c.parent == i and c.backward and c.step for c in records)
        ]
        fit_lines = [
            call.line
            for call in self.c.calls
            if isinstance(call.node.func, cst.Attribute)
            and call.node.func.attr.value in ("fit", "train")
            and (call.names & {"xgboost.train"} or call.node.func.attr.value == "fit" or self._trainer(call))
        ]
        if not steps:
            return None, None, (min(fit_lines) if fit_lines else None)
        step_record = records[steps[0]]
        step = self._loop(step_record)
        epoch_record = None
        if step_record.parent is not None and records[step_record.parent].function == step_record.function:
            epoch_record = records[step_record.parent]
        else:
            for record in records:
                if step_record.function and step_record.function in record.called:
                    epoch_record = record
                    break
        epoch = self._loop(epoch_record) if epoch_record is not None else None
        first = epoch or step
        return epoch, step, first.line if first is not None else None

    def _trainer(self, call: Call) -> bool:
        func = call.node.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
            return False
        assignment = self.single_assignment(func.value.value, call.function)
        if assignment is None or not isinstance(assignment.value, cst.Call):
            return False
        return any(n.startswith("transformers.") and n.endswith("Trainer") for n in self.c.names_of(assignment.value))

    def _loop(self, record: LoopRecord | None) -> Loop | None:
        if record is None:
            return None
        located = self.statement_span(record.node)
        if located is None:
            return None
        statement, indent = located
        if isinstance(record.node, cst.While):
            return Loop(record.line, None, "", statement, indent, record.function)
        iterable = self.c.span(record.node.iter)
        return Loop(record.line, iterable, self.source(iterable), statement, indent, record.function)
