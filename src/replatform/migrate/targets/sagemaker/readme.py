"""The README of the generated folder: what was found (with file:line), what the files are, how to deploy and run."""

from __future__ import annotations

import posixpath

from replatform.assess.training.channels import channel_for
from replatform.migrate.targets.sagemaker import images
from replatform.migrate.targets.sagemaker.job import CHECKPOINT_LOCAL_PATH
from replatform.migrate.targets.sagemaker.pipeline import DEFAULT_MIN_ACCURACY, pipeline_name
from replatform.migrate.targets.sagemaker.plan import CONTRACT_MODULE, JobPlan


def _findings(plan: JobPlan) -> list[str]:
    script = plan.script
    name = plan.entry_name
    rows = []

    def row(what: str, line: int | None, detail: str) -> None:
        rows.append(f"| {what} | {f'`{name}:{line}`' if line else '-'} | {detail} |")

    if script.entry is not None:
        row("entry point", script.entry.line, '`if __name__ == "__main__":`')
    row("framework", None, ", ".join(script.frameworks) or "none found")
    if script.epoch_loop:
        row(
            "epoch loop",
            script.epoch_loop.line,
            f"`for ... in {script.epoch_loop.iterable_source}` in {script.epoch_loop.function}()",
        )
    if script.step_loop:
        row(
            "batch loop",
            script.step_loop.line,
            f"`for ... in {script.step_loop.iterable_source}` in {script.step_loop.function}()",
        )
    elif script.training_line:
        row("training", script.training_line, "a fit/train call")
    for use in script.inputs:
        channel = channel_for(plan.channels, use)
        target = f" -> channel `{channel.name}` (`{channel.env}`)" if channel else ""
        row(
            "input",
            use.base_span.line if use.base_span else use.line,
            f"`{use.base}` {f'({use.via}) ' if use.via else ''}read by `{use.call}` (line {use.line}){target}",
        )
    for download in script.downloads:
        row("download at run time", download.line, f"{download.what} -> prepared once instead")
    for use in script.outputs:
        row(
            "output",
            use.base_span.line if use.base_span else use.line,
            f"{use.what} `{use.base}` {f'({use.via}) ' if use.via else ''}written by `{use.call}` (line {use.line})",
        )
    for save in script.model_saves:
        row("model save", save.line, f"{save.format} of `{save.model_source}` with `{save.call}`")
    for hyperparameter in script.hyperparameters:
        detail = f"`{hyperparameter.name}` = {hyperparameter.value!r} ({hyperparameter.type}, {hyperparameter.source})"
        if hyperparameter.action:
            detail += f", action={hyperparameter.action}"
        row("hyperparameter", hyperparameter.line, detail)
    for metric in script.metrics:
        row("metric", metric.line, f"`{metric.name}`: `{metric.regex}`")
    for what, line in script.distributed:
        row("distributed", line, what)
    for what, line in script.gpu:
        row("GPU", line, what)
    saves = ", ".join(str(line) for line in script.checkpoint_saves) or "none"
    loads = ", ".join(str(line) for line in script.checkpoint_loads) or "none"
    row("checkpoints", None, f"saves at lines {saves}; resumes at lines {loads}")
    return rows


def _left_out(plan: JobPlan) -> list[str]:
    """What the request does not set, and why (a flag the toolkit cannot pass; constants of a script with a parser)."""
    lines = []
    if plan.flags:
        flags = ", ".join(f"`{flag}`" for flag in plan.flags)
        lines.append(
            f"- Not hyperparameters: {flags} (store_true/store_false flags). The toolkit passes every hyperparameter "
            "as `--key value` and cannot give a bare flag, so the job runs with the flag's default. The script now "
            "reads it as a typed boolean: add the key with `true` or `false` to HyperParameters to change it."
        )
    if plan.constants:
        names = ", ".join(f"`{name}`" for name in plan.constants)
        lines.append(
            f"- Not hyperparameters: {names} {'stays a constant' if len(plan.constants) == 1 else 'stay constants'} "
            "in the script (it parses its own options, and a second "
            "parser would reject them); add an option to its parser to tune one per job."
        )
    return lines


def readme(plan: JobPlan, files: list[str]) -> str:
    """The README text."""
    script = plan.script
    name = plan.entry_name
    folder = plan.script_dir or "."
    stack = f"{plan.project}-sagemaker"
    upload_data = []
    for channel in plan.channels:
        if plan.prepare_module:
            upload_data.append(
                f"(cd {folder} && python {plan.prepare_module}.py {channel.local})   # once, where the data can be downloaded"
            )
        local = channel.local if channel.local.startswith("/") else posixpath.normpath(f"{folder}/{channel.local}")
        upload_data.append(f"aws s3 sync {local} s3://$BUCKET/{plan.project}/data/{channel.name}/")
    code = " ".join(plan.source_files)
    spot = (
        f"Managed Spot is on: MaxWaitTimeInSeconds {plan.max_wait} >= MaxRuntimeInSeconds {plan.max_runtime}; "
        f"checkpoints go to `{CHECKPOINT_LOCAL_PATH}` (synced to `s3://$BUCKET/{plan.project}/checkpoints/<job>`) "
        f"every {plan.checkpoint_every} batches, at every epoch end and after SIGTERM, and a restarted job resumes "
        "from the latest one."
        if plan.spot
        else "Managed Spot is off: the script has no training loop the contract can checkpoint, so an interruption "
        "would restart it from zero. Turn it on (EnableManagedSpotTraining, MaxWaitTimeInSeconds) only for short runs."
    )
    gate = (
        f"The pipeline registers the model only when `evaluate.py` measures accuracy >= MinAccuracy "
        f"(default {DEFAULT_MIN_ACCURACY}, a pipeline parameter: set it for your data); otherwise it stops in a Fail step."
        if plan.evaluation
        else "The pipeline has no evaluation step (see the notes): it registers every trained model for manual approval."
    )
    lines = [
        f"# SageMaker training for `{script.path}`",
        "",
        f"Generated by `replatform migrate --target sagemaker` from `{script.path}`. The script's diff is minimal and",
        "reviewable on its own; everything else is new. Nothing here was run against AWS: the job request and the",
        "pipeline were validated against botocore's SageMaker service model and the template with cfn-lint.",
        "",
        "## What replatform found (libcst, nothing executed)",
        "",
        "| what | where | detail |",
        "|---|---|---|",
        *_findings(plan),
        "",
        "## The job",
        "",
        f"- Instance: `{plan.instance_type}` ({plan.instance_reason}).",
        f"- Training image: `{plan.training_image.uri}`; serving image: `{plan.inference_image.uri}` "
        f"(from {images.source()}).",
        f"- {spot}",
        "- Network isolation is on: the job reads its data and code from channels and downloads nothing.",
        f"- Hyperparameters (defaults: the script's values): {', '.join(f'`{k}`' for k, _ in plan.hyperparameters) or 'none'}."
        " Both `--batch-size` and `--batch_size` spellings work; booleans read True/true/1/False/false/0; an unknown key fails the job.",
        *_left_out(plan),
        f"- {gate}",
        "",
        "## Files",
        "",
        *[f"- `{path}`" for path in files],
        "",
        "## Deploy and run",
        "",
        "```sh",
        "export BUCKET=my-training-bucket AWS_REGION=" + plan.region,
        f"aws cloudformation deploy --stack-name {stack} --template-file {plan.output('template.yaml')} \\",
        "  --capabilities CAPABILITY_IAM --parameter-overrides DataBucket=$BUCKET",
        "",
        "# data: once",
        *upload_data,
        "",
        "# code: whenever the script changes",
        f"tar czf sourcedir.tar.gz -C {folder} {code}",
        f"aws s3 cp sourcedir.tar.gz s3://$BUCKET/{plan.project}/code/sourcedir.tar.gz",
        *(
            [f"aws s3 cp {plan.output('evaluate.py')} s3://$BUCKET/{plan.project}/code/evaluate.py"]
            if plan.evaluation
            else []
        ),
        *(
            [
                f"tar czf inference.tar.gz -C {plan.output_dir} inference.py",
                f"aws s3 cp inference.tar.gz s3://$BUCKET/{plan.project}/code/inference.tar.gz",
            ]
            if plan.inference_script
            else []
        ),
        "",
        "# one training job",
        f"export DataBucket=$BUCKET TrainingJobName={plan.project}-$(date +%Y%m%d-%H%M%S)",
        f"export ExecutionRoleArn=$(aws cloudformation describe-stacks --stack-name {stack} \\",
        "  --query \"Stacks[0].Outputs[?OutputKey=='ExecutionRoleArn'].OutputValue\" --output text)",
        f"envsubst '${{DataBucket}} ${{ExecutionRoleArn}} ${{TrainingJobName}}' < {plan.output('training-job.json')} > job.json",
        "aws sagemaker create-training-job --cli-input-json file://job.json",
        "",
        "# or the pipeline: train, evaluate, register",
        f"aws sagemaker start-pipeline-execution --pipeline-name {pipeline_name(plan)}"
        + (" --pipeline-parameters Name=MinAccuracy,Value=0.95" if plan.evaluation else ""),
        "```",
        "",
        "## Notes",
        "",
        f"- `{CONTRACT_MODULE}.py` beside `{name}` is the generated runtime part of the migration (standard library,"
        " PyTorch where needed); keep it with the script.",
        "- SIGTERM reaches the script only if the container forwards it; the checkpoints every N batches are what a"
        " Spot interruption can rely on.",
        *[f"- {note}" for note in plan.notes],
        "",
    ]
    return "\n".join(lines)
