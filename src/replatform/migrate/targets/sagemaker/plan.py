"""Decide the job once: channels, image, instance, hyperparameters, checkpoints, evaluation.

Every generated file (script edits, job request, pipeline, template, README) reads this
plan, so the S3 layout, channel names and hyperparameter keys agree everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from replatform.assess.training.channels import Channel, channels_of
from replatform.assess.training.facts import Hyperparameter, Metric, TrainingScript, Value
from replatform.migrate.targets.sagemaker import images
from replatform.migrate.targets.sagemaker.images import Image
from replatform.model import ComponentKind, Report
from replatform.paths import directory_of
from replatform.price.sagemaker import training_shape

#: The PyPI package whose pinned version picks the framework container.
FRAMEWORK_PACKAGES = {"pytorch": "torch", "sklearn": "scikit-learn", "xgboost": "xgboost", "tensorflow": "tensorflow"}
#: Container framework names in CreateModelPackage's InferenceSpecification.
MODEL_FRAMEWORKS = {"pytorch": "PYTORCH", "sklearn": "SKLEARN", "xgboost": "XGBOOST", "tensorflow": "TENSORFLOW"}
SUPPORTED_FRAMEWORKS = ("pytorch", "sklearn")
CONTRACT_MODULE = "sagemaker_contract"
DEFAULT_INSTANCE = "ml.m5.large"


class PlanError(ValueError):
    """The script cannot be migrated automatically (the message says why and what to do)."""


@dataclass(frozen=True)
class Evaluation:
    """What the pipeline's evaluation step loads and scores."""

    kind: str  # torchscript-classifier | sklearn
    channel: str
    test_file: str
    label: str = ""


@dataclass(frozen=True)
class JobPlan:
    """Everything the generated files agree on."""

    project: str
    script: TrainingScript
    output_dir: str
    region: str
    framework: str
    framework_version: str
    training_image: Image
    inference_image: Image
    instance_type: str
    instance_reason: str
    channels: tuple[Channel, ...]
    hyperparameters: tuple[tuple[str, Value], ...]
    #: store_true/store_false options left out of the request (the toolkit passes ``--key value``, never a bare flag).
    flags: tuple[str, ...]
    #: Module constants that stay constants (the script parses its own options; no second parser is added).
    constants: tuple[str, ...]
    metrics: tuple[Metric, ...]
    checkpoints: bool
    checkpoint_every: int
    spot: bool
    max_runtime: int
    evaluation: Evaluation | None
    inference_script: bool
    prepare_module: str | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def script_dir(self) -> str:
        return directory_of(self.script.path)

    @property
    def entry_name(self) -> str:
        return self.script.path.rsplit("/", 1)[-1]

    @property
    def max_wait(self) -> int:
        """Managed Spot: how long to wait for capacity plus run, at least MaxRuntimeInSeconds (twice it)."""
        return 2 * self.max_runtime

    @property
    def source_files(self) -> tuple[str, ...]:
        """What goes into sourcedir.tar.gz (relative to the script's folder)."""
        files = [self.entry_name, f"{CONTRACT_MODULE}.py"]
        if self.prepare_module:
            files.append(f"{self.prepare_module}.py")
        return tuple(files)

    def sibling(self, name: str) -> str:
        """A path beside the script, relative to the root."""
        return f"{self.script_dir}/{name}" if self.script_dir else name

    def output(self, name: str) -> str:
        """A generated file's path, relative to the root."""
        return f"{self.output_dir.strip('/')}/{name}" if self.output_dir.strip("/") else name

    def s3(self, *parts: str) -> str:
        """An S3 URI under the project prefix of the bucket the template is deployed with."""
        return "/".join(["s3://${DataBucket}", self.project, *parts])


def project_name(report: Report, requested: str | None) -> str:
    """A name usable in S3 prefixes, pipeline and model package group names (a-z, 0-9, hyphen)."""
    text = (requested or report.root or "training").lower()
    name = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40].strip("-")
    return name or "training"


def _pinned_version(report: Report, script: TrainingScript, package: str) -> str | None:
    """The version the project pins for ``package``, preferring the manifest nearest the script."""
    candidates = []
    for component in report.components:
        if component.kind is not ComponentKind.PACKAGE_DEPENDENCY or component.name.lower() != package:
            continue
        version = component.get("version")
        if isinstance(version, str) and version:
            folder = directory_of(component.location.path)
            near = script.path.startswith(f"{folder}/") or not folder
            candidates.append((not near, -len(folder), version))
    return sorted(candidates)[0][2] if candidates else None


def _ec2_shape(report: Report) -> tuple[str | None, str]:
    """Today's instance type when the repository states exactly one, with where it is stated."""
    found = []
    for component in report.components:
        if component.kind not in (ComponentKind.EC2_INSTANCE, ComponentKind.LAUNCH_TEMPLATE):
            continue
        value = component.get("instance_type")
        if isinstance(value, str) and "." in value:
            found.append((value, f"{component.name} ({component.location.short()})"))
    unique = sorted(set(found))
    return (unique[0][0], unique[0][1]) if len(unique) == 1 else (None, "")


def hyperparameter_keys(script: TrainingScript) -> tuple[tuple[str, Value], ...]:
    """Keys and defaults for the job request: constants by name, argparse options by their first long option.

    A ``store_true``/``store_false`` flag is never a key: the toolkit renders every hyperparameter as
    ``--key value``, and a flag given a value (``--verbose False``) is an "unrecognized arguments" error
    that kills the job at start (or, as a typed boolean, just repeats the default). It keeps its default.
    """
    found: list[tuple[str, Value]] = []
    for hyperparameter in script.hyperparameters:
        if hyperparameter.value is None or hyperparameter in _flags(script):
            continue
        if hyperparameter.source == "argparse":
            if script.parser is None:
                continue
            key = _long_option(hyperparameter)
        elif script.parser is None:
            key = hyperparameter.name
        else:
            continue  # the script has its own parser: constants stay constants
        found.append((key, hyperparameter.value))
    return tuple(found)


def _long_option(hyperparameter: Hyperparameter) -> str:
    return next((o for o in hyperparameter.options if o.startswith("--")), hyperparameter.options[0]).lstrip("-")


def _flags(script: TrainingScript) -> tuple[Hyperparameter, ...]:
    return tuple(
        h for h in script.hyperparameters if h.source == "argparse" and h.action in ("store_true", "store_false")
    )


def kept_constants(script: TrainingScript) -> tuple[str, ...]:
    """Module constants the migration leaves alone because the script parses its own options."""
    if script.parser is None:
        return ()
    return tuple(h.name for h in script.hyperparameters if h.source == "constant")


def _evaluation(script: TrainingScript, channels: tuple[Channel, ...]) -> tuple[Evaluation | None, str]:
    if script.framework == "pytorch":
        tests = [d for d in script.datasets if d.split in ("test", "val", "valid", "validation")]
        if tests and channels:
            return Evaluation("torchscript-classifier", channels[0].name, f"{tests[0].name}-{tests[0].split}.pt"), ""
        return None, "no held-out torchvision split to evaluate on: the pipeline has no quality gate"
    if script.framework == "sklearn":
        for use in script.inputs:
            tail = (use.base or "").rsplit("/", 1)[-1]
            if use.call.startswith("pandas.read_") and channels:
                test_file = use.tail or tail
                if re.search(r"test|valid|holdout", test_file, re.IGNORECASE) and script.label_columns:
                    return Evaluation("sklearn", channels[0].name, test_file, script.label_columns[0]), ""
        return None, "no test CSV with a known label column: the pipeline has no quality gate"
    return None, f"no evaluation for {script.framework}"


def _inference_image(framework: str, version: str, region: str, training: Image, notes: list[str]) -> Image:
    """The serving image of the same version (a pickled scikit-learn model needs the version it was saved with)."""
    try:
        return images.image_uri(framework, "inference", version, region, "cpu")
    except images.ImageError:
        pass
    if framework == "sklearn":
        notes.append(
            f"the image table lists no scikit-learn {version} serving image: the model package uses the training "
            "image, which also serves"
        )
        return training
    chosen, note = images.framework_version(framework, "inference", version)
    notes.append(f"serving image: {note or chosen}")
    return images.image_uri(framework, "inference", chosen, region, "cpu")


def build_plan(
    report: Report,
    script: TrainingScript,
    *,
    output_dir: str,
    region: str,
    project: str | None,
    instance_type: str | None,
    checkpoint_every: int,
    max_runtime: int,
    existing: frozenset[str],
) -> JobPlan:
    """The plan for one script, or PlanError when it cannot be migrated automatically."""
    framework = script.framework
    if framework not in SUPPORTED_FRAMEWORKS:
        raise PlanError(
            f"{script.path} trains with {framework or 'no known framework'}; the SageMaker target migrates "
            f"{' and '.join(SUPPORTED_FRAMEWORKS)} scripts"
        )
    notes: list[str] = []
    if instance_type is None:
        ec2_type, where = _ec2_shape(report)
        if ec2_type is None:
            instance_type, reason = (
                DEFAULT_INSTANCE,
                f"no single EC2 instance type in the repository: {DEFAULT_INSTANCE} (set --instance-type)",
            )
        else:
            shape = training_shape(ec2_type)
            if shape.ml_type is None:
                instance_type, reason = DEFAULT_INSTANCE, f"{where}: {shape.reason}; using {DEFAULT_INSTANCE}"
            else:
                instance_type, reason = shape.ml_type, f"{where} runs {ec2_type}: {shape.reason}"
    else:
        reason = "given with --instance-type"
    processor = "gpu" if instance_type.removeprefix("ml.").startswith(("p", "g")) else "cpu"
    package = FRAMEWORK_PACKAGES[framework]
    version, version_note = images.framework_version(framework, "training", _pinned_version(report, script, package))
    if version_note:
        notes.append(version_note)
    training_image = images.image_uri(framework, "training", version, region, processor)
    inference_image = _inference_image(framework, version, region, training_image, notes)
    channels = channels_of(script)
    loops = (script.epoch_loop, script.step_loop)
    resumable = all(loop is not None and loop.iterable is not None for loop in loops)
    checkpoints = resumable and {kind for _, kind in script.tracked} >= {"model", "optimizer"}
    if script.step_loop and not checkpoints:
        notes.append(
            "the training loop cannot be resumed automatically (a while loop, or the model and optimizer built outside "
            "the epoch loop's function): checkpoints need a manual change"
        )
    evaluation, evaluation_note = _evaluation(script, channels)
    if evaluation_note:
        notes.append(evaluation_note)
    prepare_module = None
    if script.datasets:
        prepare_module = (
            "prepare_data" if f"{_sibling(script, 'prepare_data.py')}" not in existing else "prepare_sagemaker_data"
        )
    return JobPlan(
        project=project_name(report, project),
        script=script,
        output_dir=output_dir,
        region=region,
        framework=framework,
        framework_version=version,
        training_image=training_image,
        inference_image=inference_image,
        instance_type=instance_type,
        instance_reason=reason,
        channels=channels,
        hyperparameters=hyperparameter_keys(script),
        flags=tuple(f"--{_long_option(h)}" for h in _flags(script)),
        constants=kept_constants(script),
        metrics=script.metrics,
        checkpoints=checkpoints,
        checkpoint_every=checkpoint_every,
        spot=checkpoints,
        max_runtime=max_runtime,
        evaluation=evaluation,
        inference_script=framework == "sklearn",
        prepare_module=prepare_module,
        notes=tuple(notes),
    )


def _sibling(script: TrainingScript, name: str) -> str:
    folder = directory_of(script.path)
    return f"{folder}/{name}" if folder else name
