"""What the analysis knows about one training script: frozen facts with lines and byte spans.

Spans are byte offsets into the file as read (end exclusive), so ``migrate``
can splice exactly there; lines are 1-based for people.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Value = bool | int | float | str


@dataclass(frozen=True, order=True)
class Span:
    """A byte range of the script and the line it starts on."""

    start: int
    end: int
    line: int


@dataclass(frozen=True)
class PathUse:
    """A path the script reads or writes, and (when it is a literal) where that literal is written.

    ``role`` is ``input`` or ``output``; ``what`` says what goes there: ``dataset``
    (a folder a dataset class reads), ``data`` (a file or folder of data), ``model``,
    ``checkpoint``, ``metrics``, ``plot`` or ``artifact``. ``base`` is the literal
    the path is built from (``"./data"`` for ``os.path.join(data_dir, "x.csv")``),
    ``via`` the constant or argparse option that carries it, ``directory`` whether
    ``base`` names a folder (joined onto, or a dataset root) rather than a file.
    """

    role: str
    what: str
    call: str
    line: int
    base: str | None = None
    base_span: Span | None = None
    via: str = ""
    directory: bool = False
    #: The literal file name joined onto ``base`` (``"test.csv"`` in ``os.path.join(data_dir, "test.csv")``).
    tail: str = ""


@dataclass(frozen=True)
class Hyperparameter:
    """A value the script trains with that SageMaker should pass as a hyperparameter.

    ``source`` is ``constant`` (a module-level literal) or ``argparse`` (an
    ``add_argument`` option). For argparse, ``options`` are its option strings and
    ``action`` its ``store_true``/``store_false`` action, if any.
    """

    name: str
    value: Value | None
    type: str
    line: int
    source: str
    span: Span
    options: tuple[str, ...] = ()
    action: str = ""
    type_is_bool: bool = False
    #: The span of ``action=...`` / ``type=bool`` keyword (argparse), for the typed-boolean rewrite.
    keyword_span: Span | None = None
    #: Where a new option string can be inserted (just after the last option string).
    options_end: int = 0
    has_default: bool = False


@dataclass(frozen=True)
class Download:
    """Something fetched from the network at run time."""

    what: str
    call: str
    line: int
    span: Span


@dataclass(frozen=True)
class DatasetCall:
    """A torchvision dataset built (and downloaded) at run time: replaced by prepared tensors."""

    name: str
    split: str
    root_source: str
    span: Span
    source: str


@dataclass(frozen=True)
class ModelSave:
    """A call that saves the model, with the format the file will have."""

    call: str
    format: str  # state_dict | module | torchscript | joblib | pickle | keras | huggingface | xgboost | unknown
    line: int
    model_source: str
    path_source: str
    statement: Span
    indent: str
    file_name: str | None = None


@dataclass(frozen=True)
class Loop:
    """A ``for`` loop (where its iterable is written) or a ``while`` loop (no iterable), and its statement."""

    line: int
    iterable: Span | None
    iterable_source: str
    statement: Span
    indent: str
    function: str


@dataclass(frozen=True)
class Metric:
    """A printed training metric and the regular expression that reads it from the log."""

    name: str
    regex: str
    line: int


@dataclass(frozen=True)
class Statement:
    """A whole statement (line-aligned) that the migration may remove or move."""

    span: Span
    source: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArgumentParser:
    """The script's argparse parser and how it parses."""

    variable: str
    method: str  # parse_args | parse_known_args
    statement: Span
    indent: str
    result: str  # the variable the parsed namespace goes to ("args"), "" when not assigned


@dataclass(frozen=True)
class TrainingScript:
    """Everything the SageMaker migration needs to know about one script (no code was run)."""

    path: str
    frameworks: tuple[str, ...]
    entry: Span | None  # the ``if __name__ == "__main__":`` statement
    entry_body: Span | None  # its first body statement (line-aligned)
    entry_indent: str = "    "
    training_line: int | None = None  # the first place that trains (loop or fit call)
    epoch_loop: Loop | None = None
    step_loop: Loop | None = None
    tracked: tuple[tuple[str, str], ...] = ()  # (variable, kind) to checkpoint: model, optimizer, scheduler, scaler
    inputs: tuple[PathUse, ...] = ()
    outputs: tuple[PathUse, ...] = ()
    hyperparameters: tuple[Hyperparameter, ...] = ()
    parser: ArgumentParser | None = None
    downloads: tuple[Download, ...] = ()
    datasets: tuple[DatasetCall, ...] = ()
    model_saves: tuple[ModelSave, ...] = ()
    distributed: tuple[tuple[str, int], ...] = ()
    gpu: tuple[tuple[str, int], ...] = ()
    checkpoint_saves: tuple[int, ...] = ()
    checkpoint_loads: tuple[int, ...] = ()
    metrics: tuple[Metric, ...] = ()
    #: Module constants passed to the contract's ``hyperparameters()`` (options already, not hard-coded).
    contract_hyperparameters: tuple[str, ...] = ()
    #: argparse positional arguments (name, line): SageMaker passes hyperparameters as --key value only.
    positionals: tuple[tuple[str, int], ...] = ()
    #: Columns popped off a DataFrame read from a file (``y = df.pop("label")``): the label of tabular data.
    label_columns: tuple[str, ...] = ()
    #: Statements that exist only to build the downloaded datasets (their import, their transform).
    dataset_statements: tuple[Statement, ...] = ()
    #: Byte offset just after the last top-level import (line-aligned), for inserting an import.
    imports_end: int = 0
    imports_os: bool = False
    unparsed: str = ""  # a parse error, when the file is not valid Python
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_training_entry(self) -> bool:
        """A ``__main__`` script that trains."""
        return self.entry is not None and self.training_line is not None

    @property
    def framework(self) -> str:
        """The main framework (the first one found), or ``""``."""
        return self.frameworks[0] if self.frameworks else ""
