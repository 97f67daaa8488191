"""The SageMaker training contract for a script migrated from EC2 (written by ``replatform migrate --target sagemaker``).

What a SageMaker training job gives a script, and what it expects back:

- Hyperparameters arrive as ``--key value``: sorted with ``str()`` values from the SDK v2 toolkit
  (``--dry-run False``) or in insertion order with JSON values from the SDK v3 drivers
  (``--dry-run false``). ``hyperparameters()`` accepts both spellings of every key (``--batch-size``
  and ``--batch_size``), reads booleans as True/true/1 or False/false/0, and rejects anything it
  does not know, so a misspelt hyperparameter fails the job instead of being ignored.
- Data is in ``SM_CHANNEL_<NAME>`` and the model goes to ``SM_MODEL_DIR`` (the script reads both with
  its old paths as local defaults).
- Managed Spot stops a job with SIGTERM and 120 seconds. ``checkpoints`` saves the tracked objects
  (model, optimizer, scheduler) atomically to /opt/ml/checkpoints every N batches, at each epoch end
  and after SIGTERM (then exits), and resumes from the latest checkpoint when the job restarts.
- The PyTorch serving container's default handler loads TorchScript ``model.pt``;
  ``save_torchscript()`` writes it beside the script's own state_dict.

Standard library only; functions that need PyTorch import it when called.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

#: SageMaker waits this long after SIGTERM; the contract gives up waiting for a step boundary a little earlier.
SIGTERM_GRACE_SECONDS = 120
GIVE_UP_AFTER_SECONDS = 100
#: Exit status after a SIGTERM checkpoint (128 + SIGTERM, as a shell reports it).
EXIT_AFTER_SIGTERM = 143
CHECKPOINT_FILE = "checkpoint.pt"
DEFAULT_CHECKPOINT_EVERY = 100
_TRUE = ("true", "1")
_FALSE = ("false", "0")


def on_sagemaker() -> bool:
    """True inside a training job (the toolkit and the v3 drivers both set SM_MODEL_DIR)."""
    return "SM_MODEL_DIR" in os.environ


def boolean(text: str) -> bool:
    """An argparse type for booleans as SageMaker renders them: True/true/1 and False/false/0."""
    lowered = str(text).strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise argparse.ArgumentTypeError(f"expected True, true, 1, False, false or 0, got {text!r}")


def spellings(name: str) -> list[str]:
    """Both option spellings of a key: ``batch_size`` -> ``--batch-size``, ``--batch_size`` (each once)."""
    key = name.lower()
    return list(dict.fromkeys([f"--{key.replace('_', '-')}", f"--{key.replace('-', '_')}"]))


def add_option(parser: argparse.ArgumentParser, name: str, default: Any) -> None:
    """One option typed after its default (bool, int, float or str), under both spellings."""
    if isinstance(default, bool):
        parser.add_argument(*spellings(name), dest=name, type=boolean, nargs="?", const=True, default=default)
    elif isinstance(default, (int, float)):
        parser.add_argument(*spellings(name), dest=name, type=type(default), default=default)
    else:
        parser.add_argument(*spellings(name), dest=name, default=default)


class _CheckpointDirectory(argparse.Action):
    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: str | None = None) -> None:
        checkpoints.directory = str(values)
        setattr(namespace, self.dest, values)


class _CheckpointEvery(argparse.Action):
    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: str | None = None) -> None:
        checkpoints.every = int(values)
        setattr(namespace, self.dest, values)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The contract's own options: where checkpoints go and how often (in batches)."""
    parser.add_argument(
        *spellings("checkpoint_dir"),
        dest="checkpoint_dir",
        action=_CheckpointDirectory,
        default=checkpoints.directory,
        help="checkpoint folder (SageMaker syncs /opt/ml/checkpoints with CheckpointConfig.S3Uri)",
    )
    parser.add_argument(
        *spellings("checkpoint_every"),
        dest="checkpoint_every",
        action=_CheckpointEvery,
        type=int,
        default=checkpoints.every,
        help="save a checkpoint every N batches (0: only at epoch ends and on SIGTERM)",
    )


def hyperparameters(**defaults: Any) -> dict[str, Any]:
    """Parse the command line into the script's hyperparameters; the defaults are the script's old constants."""
    parser = argparse.ArgumentParser(description="SageMaker hyperparameters (defaults: the values in the script)")
    for name, default in defaults.items():
        add_option(parser, name, default)
    add_arguments(parser)
    parsed = vars(parser.parse_args())
    values = {name: parsed[name] for name in defaults}
    print(f"sagemaker_contract: hyperparameters {values}", flush=True)
    return values


class Checkpoints:
    """Atomic checkpoints of the objects a training loop changes, and resumption from the latest one.

    ``track(model=..., optimizer=...)`` loads the latest checkpoint into the objects (if there is one of
    an unfinished run) and installs the SIGTERM handler; ``epochs(iterable)`` skips finished epochs and
    saves at each epoch end; ``batches(iterable)`` skips the batches of the resumed epoch that were done,
    saves every ``every`` batches, and after SIGTERM saves once more and exits.
    """

    def __init__(self) -> None:
        self.directory = "/opt/ml/checkpoints" if on_sagemaker() else "checkpoints"
        self.every = DEFAULT_CHECKPOINT_EVERY
        self.objects: dict[str, Any] = {}
        self.epochs_done = 0
        self.batches_done = 0
        self._resume_batches = 0
        self._stopping = False
        self._pid = os.getpid()

    @property
    def path(self) -> str:
        return os.path.join(self.directory, CHECKPOINT_FILE)

    def track(self, **objects: Any) -> None:
        """Checkpoint these objects (anything with state_dict/load_state_dict) and resume them if a run was cut short."""
        self.objects = objects
        if os.path.exists(self.path):
            self._resume()
        signal.signal(signal.SIGTERM, self._on_sigterm)

    def _resume(self) -> None:
        import torch

        state = torch.load(self.path, map_location="cpu", weights_only=True)
        if state.get("complete"):
            print(f"sagemaker_contract: {self.path} is from a finished run; starting afresh", flush=True)
            return
        for name, obj in self.objects.items():
            obj.load_state_dict(state["objects"][name])
        torch.set_rng_state(state["rng"])
        self.epochs_done = int(state["epochs_done"])
        self._resume_batches = int(state["batches_done"])
        print(
            f"sagemaker_contract: resumed from {self.path}: {self.epochs_done} epoch(s) "
            f"and {self._resume_batches} batch(es) of the next done",
            flush=True,
        )

    def epochs(self, iterable: Iterable[T]) -> Iterator[T]:
        """The epochs still to train; a checkpoint after each one."""
        for position, epoch in enumerate(iterable):
            if position < self.epochs_done:
                continue
            yield epoch
            self.epochs_done = position + 1
            self.batches_done = 0
            self._resume_batches = 0
            self.save()
            self._exit_if_stopping()
        self.save(complete=True)

    def batches(self, iterable: Iterable[T]) -> Iterator[T]:
        """The batches of this epoch still to train; a checkpoint every ``every`` and after SIGTERM."""
        skip, self._resume_batches = self._resume_batches, 0
        self.batches_done = skip
        for index, batch in enumerate(iterable):
            if index < skip:
                continue
            yield batch
            self.batches_done = index + 1
            if self._stopping:
                self.save()
                self._exit_if_stopping()
            elif self.every > 0 and self.batches_done % self.every == 0:
                self.save()

    def save(self, complete: bool = False) -> None:
        """Write the checkpoint atomically: a temporary file, fsync, then rename over the old one."""
        if not self.objects:
            return
        import torch

        os.makedirs(self.directory, exist_ok=True)
        state = {
            "epochs_done": self.epochs_done,
            "batches_done": self.batches_done,
            "complete": complete,
            "objects": {name: obj.state_dict() for name, obj in self.objects.items()},
            "rng": torch.get_rng_state(),
        }
        temporary = os.path.join(self.directory, f".{CHECKPOINT_FILE}.{os.getpid()}.tmp")
        with open(temporary, "wb") as handle:
            torch.save(state, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
        directory = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def _on_sigterm(self, signum: int, frame: Any) -> None:
        if os.getpid() != self._pid:  # a DataLoader worker inherited the handler: die as before
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        if self._stopping:
            return
        self._stopping = True
        print("sagemaker_contract: SIGTERM: checkpointing after the current batch, then exiting", flush=True)
        timer = threading.Timer(GIVE_UP_AFTER_SECONDS, self._give_up)
        timer.daemon = True
        timer.start()

    def _give_up(self) -> None:
        print(
            f"sagemaker_contract: no batch ended within {GIVE_UP_AFTER_SECONDS} s of SIGTERM; "
            "exiting on the last checkpoint",
            flush=True,
        )
        os._exit(EXIT_AFTER_SIGTERM)

    def _exit_if_stopping(self) -> None:
        if self._stopping:
            print(
                f"sagemaker_contract: checkpoint saved to {self.path} after {self.epochs_done} epoch(s) and "
                f"{self.batches_done} batch(es); exiting after SIGTERM",
                flush=True,
            )
            sys.exit(EXIT_AFTER_SIGTERM)


checkpoints = Checkpoints()


def save_torchscript(model: Any, directory: str, file_name: str = "model.pt") -> str:
    """Save ``model`` compiled with TorchScript as ``directory/model.pt`` (what the default serving handler loads)."""
    import torch

    module = getattr(model, "module", model)  # unwrap DataParallel / DistributedDataParallel
    scripted = torch.jit.script(module)
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, file_name)
    temporary = os.path.join(directory, f".{file_name}.tmp")
    scripted.save(temporary)
    os.replace(temporary, path)
    return path


def prepared_path(root: str, name: str, split: str) -> str:
    """Where the prepared tensors of one dataset split live: ``<root>/<name>-<split>.pt``."""
    return os.path.join(root, f"{name}-{split}.pt")


def save_prepared_dataset(dataset: Any, path: str) -> None:
    """Stack a map-style dataset of (tensor, label) into one file: {"data": Tensor, "targets": Tensor}."""
    import torch

    items = [dataset[i] for i in range(len(dataset))]
    data = torch.stack([torch.as_tensor(x) for x, _ in items])
    targets = torch.tensor([int(y) for _, y in items], dtype=torch.int64)
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, exist_ok=True)
    temporary = f"{path}.tmp"
    torch.save({"data": data, "targets": targets}, temporary)
    os.replace(temporary, path)


def prepared_dataset(root: str, name: str, split: str, prepare: Callable[[str], None] | None = None) -> Any:
    """A TensorDataset of the prepared split; outside SageMaker, ``prepare(root)`` makes it first if it is missing.

    Inside a job nothing is downloaded: a missing file is an error that says how to make it.
    """
    import torch

    path = prepared_path(root, name, split)
    if not os.path.exists(path):
        if on_sagemaker() or prepare is None:
            raise FileNotFoundError(
                f"{path} is missing: run the generated prepare script once and upload its output to the "
                "training channel (the job does not download data)"
            )
        prepare(root)
    state = torch.load(path, map_location="cpu", weights_only=True)
    return torch.utils.data.TensorDataset(state["data"], state["targets"])
