"""Input channels: one per folder a training script reads (``training`` when there is one).

A SageMaker job mounts each input channel at ``/opt/ml/input/data/<name>`` and names it in
``SM_CHANNEL_<NAME>``; the findings and the migration name channels the same way, here.
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
