"""Where a training script's paths go in a job: input channels, one per folder it reads (``training`` when
there is one), and the model or output folder for what it writes.

A SageMaker job mounts each input channel at ``/opt/ml/input/data/<name>`` and names it in
``SM_CHANNEL_<NAME>``; it uploads ``SM_MODEL_DIR`` as the model artifact and ``SM_OUTPUT_DATA_DIR`` as other
output. The findings and the migration decide both here, so the advice and the edit agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from replatform.assess.training.facts import PathUse, TrainingScript


@dataclass(frozen=True)
class Channel:
    """One input channel: ``/opt/ml/input/data/<name>`` in the job, ``local`` outside it."""

    name: str
    local: str

    @property
    def env(self) -> str:
        return f"SM_CHANNEL_{self.name.upper()}"


def channels_of(script: TrainingScript) -> tuple[Channel, ...]:
    """One channel per folder the script reads (``training`` when there is one)."""
    bases: list[PathUse] = []
    for use in script.inputs:
        usable = use.base is not None and use.base_span is not None and not use.base.startswith("s3://")
        if usable and all(b.base != use.base for b in bases):
            bases.append(use)
    if len(bases) == 1:
        return (Channel("training", _folder(bases[0])),)
    channels: list[Channel] = []
    for use in bases:
        folder = _folder(use)
        name = re.sub(r"[^a-z0-9]+", "_", folder.rstrip("/").rsplit("/", 1)[-1].lower()).strip("_") or "training"
        while any(c.name == name for c in channels):
            name += "_2"
        channels.append(Channel(name, folder))
    return tuple(channels)


def _folder(use: PathUse) -> str:
    assert use.base is not None
    if use.directory:
        return use.base
    folder = use.base.rsplit("/", 1)[0] if "/" in use.base else "."
    return folder or "/"


def channel_for(plan_channels: tuple[Channel, ...], use: PathUse) -> Channel | None:
    """The channel an input literal becomes."""
    if use.base is None:
        return None
    folder = _folder(use)
    return next((c for c in plan_channels if c.local == folder), None)


def environment_for(channels: tuple[Channel, ...], uses: list[PathUse]) -> str | None:
    """The job's variable for the paths one literal names: an input's channel, ``SM_MODEL_DIR`` for a model
    (saved models and the folders made for what the script writes: a fitted estimator pickled to a file is the
    model), ``SM_OUTPUT_DATA_DIR`` for other output (plots, CSVs); None for the script's own checkpoints, which
    the job's checkpoint folder replaces, and for an input no channel covers.
    """
    inputs = [u for u in uses if u.role == "input"]
    if inputs:
        channel = channel_for(channels, inputs[0])
        return channel.env if channel is not None else None
    if any(u.what == "checkpoint" for u in uses):
        return None
    if any(u.what in ("model", "directory") for u in uses):
        return "SM_MODEL_DIR"
    if any(u.what == "artifact" and (u.tail or u.base or "").lower().endswith(_MODEL_FILES) for u in uses):
        return "SM_MODEL_DIR"
    return "SM_OUTPUT_DATA_DIR"


#: Files a fitted model is written to (pickle, joblib, ONNX, XGBoost/LightGBM boosters, safetensors).
_MODEL_FILES = (".pkl", ".pickle", ".joblib", ".onnx", ".ubj", ".bst", ".model", ".safetensors", ".pt", ".pth", ".h5")
