"""The SageMaker target: an EC2 training script -> script edits plus a job, pipeline, template and README.

``fixes(report, options)`` reads the training script the assessment found (or ``options.entry``),
plans the job once (``plan``), and returns Fixes: byte-span edits of the script (``script``) and
new files (``contract`` beside the script; ``job``, ``pipeline``, ``template``, ``programs``,
``readme`` under ``options.output_dir``). ``validate`` checks the generated request, pipeline and
template without AWS.
"""

from __future__ import annotations

import itertools
import json
import os
import posixpath
from dataclasses import dataclass
from importlib import resources

import libcst

from replatform.assess.training.analysis import MAX_SCRIPT_BYTES, analyse
from replatform.errors import ReplatformError
from replatform.migrate.targets import Proposal, TargetOptions
from replatform.migrate.targets.sagemaker.job import training_job_request
from replatform.migrate.targets.sagemaker.pipeline import pipeline_definition
from replatform.migrate.targets.sagemaker.plan import CONTRACT_MODULE, JobPlan, PlanError, build_plan
from replatform.migrate.targets.sagemaker.programs import evaluate_program, inference_program, prepare_program
from replatform.migrate.targets.sagemaker.readme import readme
from replatform.migrate.targets.sagemaker.script import rewritten_bases, script_fixes
from replatform.migrate.targets.sagemaker.template import template
from replatform.migrate.targets.sagemaker.validate import pipeline_problems, training_job_problems
from replatform.migrate.workspace import Workspace, read_inside
from replatform.model import Applicability, Edit, Finding, Fix, Report, Severity

__all__ = ["SageMakerMigrationError", "SageMakerOptions", "fixes", "plan_for", "propose"]


class SageMakerMigrationError(ReplatformError):
    """The repository has no script this target can migrate (or several, and no --entry)."""


@dataclass(frozen=True)
class SageMakerOptions:
    """What the user chose; everything else comes from the repository."""

    root: str  # the repository on disk (Report.root is only its name)
    entry: str | None = None  # the training script, relative to root; None: the one the assessment found
    output_dir: str = "sagemaker"
    region: str = "us-east-1"
    instance_type: str | None = None  # ml.*; None: today's EC2 shape mapped to its training twin
    project: str | None = None  # S3 prefix / pipeline / model package group name; None: the root's name
    checkpoint_every: int = 100
    max_runtime_seconds: int = 24 * 3600


def _entry(report: Report, options: SageMakerOptions) -> str:
    if options.entry:
        return posixpath.normpath(options.entry.replace(os.sep, "/"))
    found = sorted({f.location.path for f in report.findings if f.rule_id == "sagemaker-training-script"})
    if len(found) == 1:
        return found[0]
    if not found:
        raise SageMakerMigrationError("no training script found (a __main__ script with a training loop); pass --entry")
    raise SageMakerMigrationError(f"several training scripts ({', '.join(found)}): pass --entry FILE")


def _read(root: str, path: str) -> bytes:
    """The script's bytes, read as migrate reads every file it edits: inside the root, no symlink on the way, bounded."""
    try:
        return read_inside(root, path, MAX_SCRIPT_BYTES)
    except OSError as exc:
        raise SageMakerMigrationError(f"{path}: {exc.strerror or exc}") from exc


def _existing(root: str, plan_paths: list[str]) -> frozenset[str]:
    return frozenset(p for p in plan_paths if os.path.lexists(os.path.join(root, p)))


def plan_for(report: Report, options: SageMakerOptions) -> tuple[JobPlan, bytes]:
    """The job plan for the training script (and the script's bytes)."""
    output = posixpath.normpath(options.output_dir.replace(os.sep, "/"))
    if posixpath.isabs(output) or output.split("/", 1)[0] == "..":
        raise SageMakerMigrationError(f"--output-dir {options.output_dir} must be a folder inside {options.root}")
    path = _entry(report, options)
    data = _read(options.root, path)
    script = analyse(path, data)
    if script.unparsed:
        raise SageMakerMigrationError(f"{path} does not parse: {script.unparsed}")
    if not script.is_training_entry:
        raise SageMakerMigrationError(f"{path} is not a training entry point (no __main__ block or no training loop)")
    folder = os.path.dirname(path)
    siblings = [f"{folder}/{name}" if folder else name for name in ("prepare_data.py",)]
    try:
        plan = build_plan(
            report,
            script,
            output_dir=options.output_dir,
            region=options.region,
            project=options.project,
            instance_type=options.instance_type,
            checkpoint_every=options.checkpoint_every,
            max_runtime=options.max_runtime_seconds,
            existing=_existing(options.root, siblings),
        )
    except (PlanError, ValueError) as exc:
        raise SageMakerMigrationError(str(exc)) from exc
    return plan, data


def contract_source() -> str:
    """The text of the runtime contract module written beside the script."""
    return resources.files(__package__).joinpath("contract.py").read_text(encoding="utf-8")


def generated_files(plan: JobPlan) -> dict[str, str]:
    """Every new file, by path relative to the root."""
    files = {plan.sibling(f"{CONTRACT_MODULE}.py"): contract_source()}
    if plan.prepare_module:
        files[plan.sibling(f"{plan.prepare_module}.py")] = prepare_program(plan)
    files[plan.output("training-job.json")] = json.dumps(training_job_request(plan), indent=2) + "\n"
    files[plan.output("pipeline.json")] = json.dumps(pipeline_definition(plan), indent=2) + "\n"
    files[plan.output("template.yaml")] = template(plan)
    if plan.evaluation is not None:
        files[plan.output("evaluate.py")] = evaluate_program(plan)
    if plan.inference_script:
        files[plan.output("inference.py")] = inference_program(plan)
    readme_path = plan.output("README.md")
    files[readme_path] = readme(plan, sorted([*files, readme_path]))
    return files


def _check(plan: JobPlan, data: bytes, script: list[Fix], files: dict[str, str]) -> None:
    """Offer nothing that does not hold: the edited script must parse, the request and pipeline must validate.

    (The template is linted by migrate's validators: cfn-lint, when installed, runs on every changed file.)
    """
    edits = sorted((e for fix in script for e in fix.edits), key=lambda e: (e.start_byte, e.end_byte))
    for before, after in itertools.pairwise(edits):
        if after.start_byte < before.end_byte:
            raise SageMakerMigrationError(
                f"two edits of {plan.script.path} overlap at bytes {after.start_byte}-{before.end_byte}"
            )
    spliced = bytearray(data)
    for edit in reversed(edits):
        spliced[edit.start_byte : edit.end_byte] = edit.replacement.encode("utf-8")
    try:
        libcst.parse_module(bytes(spliced))
    except libcst.ParserSyntaxError as exc:
        raise SageMakerMigrationError(f"the edits of {plan.script.path} would not parse: {exc}") from exc
    problems = training_job_problems(json.loads(files[plan.output("training-job.json")]))
    problems += pipeline_problems(json.loads(files[plan.output("pipeline.json")]))
    if problems:
        raise SageMakerMigrationError("the generated files do not validate: " + "; ".join(map(str, problems)))


def fixes(report: Report, options: SageMakerOptions) -> tuple[Fix, ...]:
    """The SageMaker migration of the repository's training script, as Fixes (nothing is written here)."""
    plan, data = plan_for(report, options)
    if f"import {CONTRACT_MODULE}".encode() in data:
        return ()  # already migrated: idempotent
    existing = _existing(options.root, list(generated_files(plan)))
    if existing:
        raise SageMakerMigrationError(f"would overwrite {', '.join(sorted(existing))}; move them or pick --output-dir")
    result = script_fixes(plan, data)
    files = generated_files(plan)
    _check(plan, data, result, files)
    edits = tuple(Edit(path, 0, 0, text, new_file=True) for path, text in sorted(files.items()))
    result.append(
        Fix(
            f"Generate the SageMaker job, pipeline, CloudFormation and README under {plan.output_dir}/ "
            f"and the runtime contract beside {plan.entry_name}",
            edits,
            Applicability.SAFE,
            "sagemaker-training-script",
            "",
            "new files only; nothing existing changes",
        )
    )
    return tuple(result)


def _answered(report: Report, plan: JobPlan, fix: Fix, rewritten: frozenset[str]) -> tuple[Finding, ...]:
    """The findings of the script a fix clears (the re-scan checks they are gone).

    Constants of a script with its own parser stay constants (the plan says so), so the hyperparameter
    fix does not claim their finding.
    """
    path = plan.script.path
    rules = {
        "sagemaker-local-path": ("sagemaker-local-path",),
        "sagemaker-hardcoded-hyperparameter": (
            "sagemaker-hardcoded-hyperparameter",
            "sagemaker-boolean-flag",
            "sagemaker-option-spelling",
        ),
        "sagemaker-no-checkpoint": ("sagemaker-no-checkpoint",),
        "sagemaker-runtime-download": ("sagemaker-runtime-download",),
        "sagemaker-model-not-servable": ("sagemaker-model-not-servable",),
    }.get(fix.rule_id, ())
    answered = []
    for finding in report.findings:
        if finding.location.path != path or finding.rule_id not in rules:
            continue
        if finding.rule_id == "sagemaker-local-path" and finding.subject.split(":", 1)[-1] not in rewritten:
            continue
        if finding.rule_id == "sagemaker-hardcoded-hyperparameter" and plan.constants:
            continue
        if finding.rule_id == "sagemaker-runtime-download" and ":torchvision.datasets." not in finding.subject:
            continue  # a URL or Hub download is left for a person
        answered.append(finding)
    return tuple(answered)


def propose(report: Report, options: TargetOptions, workspace: Workspace) -> list[Proposal]:
    """``replatform migrate --target sagemaker``: the fixes, each with the findings it clears."""
    sagemaker = SageMakerOptions(
        root=workspace.root, entry=options.entry, output_dir=options.output_dir, region=options.region
    )
    plan, data = plan_for(report, sagemaker)
    rewritten = frozenset(rewritten_bases(plan, data))
    changes = fixes(report, sagemaker)
    # One migration: the job passes options the script edits add and reads paths they move, and every edit
    # imports the generated contract, so a fix that is rejected takes all the others with it.
    proposals = [
        Proposal(
            fix, _answered(report, plan, fix, rewritten), needs=tuple(other for other in changes if other is not fix)
        )
        for fix in changes
    ]
    answered = {id(finding) for proposal in proposals for finding in proposal.findings}
    for finding in report.findings:
        if (
            finding.location.path == plan.script.path
            and finding.rule_id.startswith("sagemaker-")
            and finding.severity.rank >= Severity.WARNING.rank
            and id(finding) not in answered
        ):
            proposals.append(Proposal(_advice(finding), (finding,)))
    return proposals


def _advice(finding: Finding) -> Fix:
    """A finding of the script no edit answers (a URL download, DDP, ...): listed for a person, never applied."""
    return Fix(
        description=finding.fix.description if finding.fix is not None else finding.message,
        applicability=Applicability.MANUAL,
        rule_id=finding.rule_id,
        component=finding.location.path,
        why=f"No automatic edit for {finding.rule_id}: {finding.message}.",
    )
