"""Findings for training scripts: what stands between a script run by hand on EC2 and a SageMaker job."""

from __future__ import annotations

from replatform.assess.context import Context
from replatform.assess.prescan import Extractor
from replatform.assess.training.analysis import MAX_SCRIPT_BYTES, analyse
from replatform.assess.training.channels import channels_of, environment_for
from replatform.assess.training.facts import PathUse, TrainingScript
from replatform.discover.source import SourceFile
from replatform.model import Confidence

#: Bytes a file must contain to be worth parsing (memchr-speed filters before libcst): an entry point, a framework
#: and something that trains (a backward pass, a fit, a trainer step, a model put in training mode).
_ENTRY = b"__main__"
_FRAMEWORK_IMPORTS = (b"torch", b"tensorflow", b"keras", b"sklearn", b"xgboost", b"transformers")
_TRAINING_SIGNALS = (b".backward(", b".fit(", b"train_step(", b".train(")

#: Where the script's own checkpoints go in a job: the folder CheckpointConfig syncs to S3.
_UNMAPPED = "/opt/ml/checkpoints"


def _candidate(source: SourceFile) -> tuple[SourceFile, TrainingScript] | None:
    """A Python file that may be a training entry point, analysed; None for every other file.

    Runs on the bytes discovery read (see `Prescan`). Only the few files that pass the byte filters keep their
    bytes, because the findings need their line locations.
    """
    data = source.data
    if _ENTRY not in data or not any(m in data for m in _FRAMEWORK_IMPORTS):
        return None
    if not any(signal in data for signal in _TRAINING_SIGNALS) or len(data) > MAX_SCRIPT_BYTES:
        return None
    return source, analyse(source.path, data)


TRAINING_CANDIDATES: Extractor[tuple[SourceFile, TrainingScript]] = Extractor(
    "training-candidates", lambda path: path.endswith(".py"), _candidate
)


def training_scripts(ctx: Context) -> list[tuple[SourceFile, TrainingScript]]:
    """Every walked Python file that is a training entry point, analysed (parse errors become findings)."""
    found = []
    for path in ctx.report.walked:
        if not path.endswith(".py"):
            continue
        candidate = ctx.facts.get(TRAINING_CANDIDATES, path)
        if candidate is None:
            continue
        source, script = candidate
        if script.unparsed:
            ctx.emit("parse-error", source.whole(), f"{source.name}: {script.unparsed}", subject=path)
            continue
        if script.is_training_entry:
            found.append((source, script))
    return found


def check_training_scripts(ctx: Context) -> None:
    for source, script in training_scripts(ctx):
        _entry(ctx, source, script)
        _downloads(ctx, source, script)
        _checkpoints(ctx, source, script)
        _paths(ctx, source, script)
        _hyperparameters(ctx, source, script)
        _model_format(ctx, source, script)
        _distribution(ctx, source, script)


def _entry(ctx: Context, source: SourceFile, script: TrainingScript) -> None:
    assert script.entry is not None and script.training_line is not None
    framework = {
        "pytorch": "PyTorch",
        "tensorflow": "TensorFlow/Keras",
        "sklearn": "scikit-learn",
        "xgboost": "XGBoost",
        "huggingface": "Hugging Face Transformers",
    }.get(script.framework, script.framework or "an unknown framework")
    inputs = sorted({u.base for u in script.inputs if u.base})
    outputs = sorted({u.base for u in script.outputs if u.base})
    parts = [
        f"{source.name} trains with {framework} (line {script.training_line})",
        f"reads {', '.join(inputs) or 'no literal path'}",
        f"writes {', '.join(outputs) or 'no literal path'}",
        f"{len(script.hyperparameters)} hyperparameter(s)",
    ]
    ctx.emit(
        "sagemaker-training-script",
        source.location_of_line(script.entry.line),
        "; ".join(parts) + f"; migrate: replatform migrate --target sagemaker --entry {script.path}",
        subject=script.path,
        fix=(
            f"From the repository root run `replatform migrate . --target sagemaker --entry {script.path}`: it reads "
            "inputs from SM_CHANNEL_*, writes to SM_MODEL_DIR, takes hyperparameters as options, checkpoints, and "
            "generates the job, pipeline and CloudFormation."
        ),
    )


def _downloads(ctx: Context, source: SourceFile, script: TrainingScript) -> None:
    for download in script.downloads:
        ctx.emit(
            "sagemaker-runtime-download",
            source.location_of_line(download.line),
            f"{source.name} downloads {download.what} at run time ({download.call}); a network-isolated job fails here",
            subject=f"{script.path}:{download.call}",
            fix=(
                "`replatform migrate --target sagemaker` replaces it with tensors a generated prepare_data.py writes "
                "once; upload them to the training channel (SM_CHANNEL_TRAINING)."
                if download.call.startswith("torchvision.datasets.")
                else f"Fetch what {download.call} downloads once, outside the job, into S3 and pass it as an input "
                "channel (read from SM_CHANNEL_<NAME>); `migrate` lists this as manual."
            ),
        )


def _checkpoints(ctx: Context, source: SourceFile, script: TrainingScript) -> None:
    loop = script.epoch_loop or script.step_loop
    if loop is None or (script.checkpoint_saves and script.checkpoint_loads):
        return
    missing = "never saves a checkpoint or resumes from one"
    if script.checkpoint_saves:
        missing = f"saves checkpoints (line {script.checkpoint_saves[0]}) but never resumes from one"
    elif script.checkpoint_loads:
        missing = f"resumes (line {script.checkpoint_loads[0]}) but never saves a checkpoint"
    ctx.emit(
        "sagemaker-no-checkpoint",
        source.location_of_line(loop.line),
        f"the training loop in {source.name} {missing}: a Spot interruption restarts it from the first epoch",
        subject=script.path,
    )


def _paths(ctx: Context, source: SourceFile, script: TrainingScript) -> None:
    by_base: dict[str, list[PathUse]] = {}
    for use in (*script.inputs, *script.outputs):
        if use.base is not None and use.base_span is not None and not use.base.startswith("s3://"):
            by_base.setdefault(use.base, []).append(use)
    channels = channels_of(script)
    for base, uses in sorted(by_base.items(), key=lambda item: item[1][0].base_span or item[1][0].line):
        first = uses[0]
        assert first.base_span is not None
        roles = sorted({f"{u.role} {u.what}" for u in uses})
        calls = sorted({f"{u.call} (line {u.line})" for u in uses})
        env = environment_for(channels, uses) or _UNMAPPED
        ctx.emit(
            "sagemaker-local-path",
            source.location_of_line(first.base_span.line),
            f"{base!r}{f' ({first.via})' if first.via else ''} is {' and '.join(roles)} for {', '.join(calls)}; "
            f"in a training job it is {env}",
            subject=f"{script.path}:{base}",
            fix=(
                f"Read {env} with {base!r} as the local default"
                if any(u.directory for u in uses)
                else f"Join {base.rpartition('/')[2]!r} to {env}, with {base.rpartition('/')[0] or '.'!r} as the local default"
            )
            + " (migrate --target sagemaker does).",
        )


def _hyperparameters(ctx: Context, source: SourceFile, script: TrainingScript) -> None:
    constants = [
        h for h in script.hyperparameters if h.source == "constant" and h.name not in script.contract_hyperparameters
    ]
    if constants:
        names = ", ".join(f"{h.name}={h.value!r}" for h in constants)
        example = next((h.name for h in constants if "_" in h.name), constants[0].name).lower()
        ctx.emit(
            "sagemaker-hardcoded-hyperparameter",
            source.location_of_line(constants[0].line),
            f"{source.name} fixes {len(constants)} hyperparameter(s) in code: {names}",
            subject=script.path,
            count=len(constants),
            fix=(
                f"Parse {', '.join(h.name for h in constants)} as options defaulting to today's values (each under "
                f"both spellings, e.g. `--{example.replace('_', '-')}` and `--{example}`; booleans typed); "
                + (
                    "the script has its own parser (line "
                    f"{script.parser.statement.line}): add them there (`migrate --target sagemaker` leaves them "
                    "constants)."
                    if script.parser is not None
                    else "`migrate --target sagemaker` adds the parsing in the `__main__` block."
                )
            ),
        )
    known_args = script.parser is not None and script.parser.method == "parse_known_args"
    for option in (h for h in script.hyperparameters if h.source == "argparse"):
        if option.action in ("store_true", "store_false") or option.type_is_bool:
            how = f'action="{option.action}"' if option.action else "type=bool"
            const = option.action != "store_false"
            wanted = f'type=boolean, nargs="?", const={const}, default={not const}' if option.action else "type=boolean"
            ctx.emit(
                "sagemaker-boolean-flag",
                source.location_of_line(option.line),
                f"{option.options[0]} uses {how}: a job passing `{option.options[0]} False` (SDK v2) or "
                f"`false` (SDK v3) {'gets True' if known_args or option.type_is_bool else 'fails'}",
                subject=f"{script.path}:{option.name}",
                fix=(
                    f"Replace {how} of {option.options[0]} with `{wanted}`, where boolean reads "
                    "True/true/1/False/false/0 (the generated sagemaker_contract.boolean)."
                ),
            )
        spellings = {o.lstrip("-") for o in option.options if o.startswith("--")}
        name = next(iter(spellings), "")
        twin = name.replace("-", "_") if "-" in name else name.replace("_", "-")
        if ("-" in name or "_" in name) and twin not in spellings and len(spellings) == 1:
            ctx.emit(
                "sagemaker-option-spelling",
                source.location_of_line(option.line),
                f"--{name} has no --{twin} spelling: a hyperparameter keyed {twin} "
                f"{'is ignored' if known_args else 'fails the job'}",
                subject=f"{script.path}:{option.name}",
                confidence=Confidence.HIGH,
                fix=f'Add "--{twin}" as a second option string of this add_argument call.',
            )
    for name, line in script.positionals:
        ctx.emit(
            "sagemaker-positional-argument",
            source.location_of_line(line),
            f"{source.name} requires the positional argument {name!r}: a training job passes hyperparameters as "
            "--key value only, so the script cannot start",
            subject=f"{script.path}:{name}",
        )
    if known_args and script.parser is not None:
        ctx.emit(
            "sagemaker-unknown-hyperparameters-ignored",
            source.location_of_line(script.parser.statement.line),
            f"{source.name} parses with parse_known_args(): a misspelt hyperparameter is ignored silently",
            subject=script.path,
            fix=(
                f"Call parse_args() instead of parse_known_args() (line {script.parser.statement.line}) so that an "
                "unknown option fails the job at once; if other tools add options, declare them."
            ),
        )


def _model_format(ctx: Context, source: SourceFile, script: TrainingScript) -> None:
    saves = [s for s in script.model_saves if s.call in ("torch.save", "torch.jit.save")]
    if not saves or any(s.format == "torchscript" for s in script.model_saves):
        return
    first = saves[0]
    kind = "a state_dict" if first.format == "state_dict" else "a pickled module"
    ctx.emit(
        "sagemaker-model-not-servable",
        source.location_of_line(first.line),
        f"{source.name} saves {first.model_source} as {kind} only ({first.file_name or first.path_source}); "
        "the default PyTorch serving model_fn loads model.pt with torch.jit.load",
        subject=script.path,
        fix=(
            f"Keep the state_dict and also save `torch.jit.script({first.model_source})` as model.pt in SM_MODEL_DIR "
            "(the generated sagemaker_contract.save_torchscript)."
        ),
    )


def _distribution(ctx: Context, source: SourceFile, script: TrainingScript) -> None:
    if script.distributed:
        what, line = script.distributed[0]
        ctx.emit(
            "sagemaker-distributed-training",
            source.location_of_line(line),
            f"{source.name} uses {what}: set the job's distribution and instance count",
            subject=script.path,
        )
    if script.gpu:
        what, line = script.gpu[0]
        ctx.emit(
            "sagemaker-gpu-training",
            source.location_of_line(line),
            f"{source.name} uses a GPU when present ({what}): the ml.* type picks CPU or GPU speed and price",
            subject=script.path,
        )
