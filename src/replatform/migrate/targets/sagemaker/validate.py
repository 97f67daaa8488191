"""Check the generated job request, pipeline and template without AWS.

- A request is checked against botocore's SageMaker service model: botocore's own parameter
  validator (types, required members, unknown members, minimums) plus what it leaves out:
  enumerations (instance types), maximum lengths and patterns.
- A pipeline definition: version, parameters, unique step names, known step types, every
  ``{"Get": ...}`` resolving (a declared parameter, an execution variable, or a step property
  that exists in the output shape of the step's Describe API, or a declared property file), each
  step's arguments valid for its API with the expressions standing in as values of the right
  type, MaxWaitTimeInSeconds >= MaxRuntimeInSeconds for Managed Spot, and the serialised size
  within CreatePipeline's limit.
The CloudFormation template is checked by migrate's own validators (cfn-lint), like every template it changes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

#: Placeholders of the generated files and the sample values they are checked with.
PLACEHOLDERS = {
    "${TrainingJobName}": "example-job-20260101-000000",
    "${ExecutionRoleArn}": "arn:aws:iam::123456789012:role/example-execution-role",
    "${DataBucket}": "example-bucket",
}
EXECUTION_VARIABLES = {
    "CurrentDateTime",
    "StartDateTime",
    "PipelineExecutionId",
    "PipelineExecutionArn",
    "PipelineName",
    "PipelineArn",
    "TrainingJobName",
    "ProcessingJobName",
}
#: Step type -> (request operation, the job-name member the pipeline fills, the Describe operation for properties)
STEP_TYPES = {
    "Training": ("CreateTrainingJob", "TrainingJobName", "DescribeTrainingJob"),
    "Processing": ("CreateProcessingJob", "ProcessingJobName", "DescribeProcessingJob"),
    "RegisterModel": ("CreateModelPackage", "", "DescribeModelPackage"),
    "Condition": ("", "", ""),
    "Fail": ("", "", ""),
}
CONDITIONS = {"Equals", "GreaterThan", "GreaterThanOrEqualTo", "LessThan", "LessThanOrEqualTo", "In", "Not", "Or"}
PARAMETER_TYPES: dict[str, type | tuple[type, ...]] = {
    "String": str,
    "Integer": int,
    "Float": (int, float),
    "Boolean": bool,
}
_EXPRESSIONS = ("Get", "Std:Join", "Std:JsonGet")
_TOKEN = re.compile(r"\.?([A-Za-z0-9_]+)|\[(?:'([^']*)'|(\d+))\]")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a generated file."""

    file: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}"


@cache
def _model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("sagemaker")


def _substitute(value: Any) -> Any:
    if isinstance(value, str):
        for placeholder, sample in PLACEHOLDERS.items():
            value = value.replace(placeholder, sample)
        return value
    if isinstance(value, dict):
        return {k: _substitute(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v) for v in value]
    return value


def _is_expression(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _EXPRESSIONS


def _sample(shape: Any) -> Any:
    """A value of ``shape``'s type that satisfies its enum and pattern, standing in for an expression."""
    kind = shape.type_name
    if kind in ("integer", "long"):
        return max(1, shape.metadata.get("min", 1))
    if kind in ("double", "float"):
        return 1.0
    if kind == "boolean":
        return True
    if kind != "string":
        return None
    if shape.enum:
        return shape.enum[0]
    pattern = shape.metadata.get("pattern")
    for candidate in ("s3://example-bucket/sample", "sample", "PendingManualApproval", "1"):
        if pattern is None or _fullmatch(pattern, candidate):
            return candidate
    return None


def _fullmatch(pattern: str, text: str) -> bool:
    try:
        return re.fullmatch(pattern, text) is not None
    except re.error:
        return True  # a pattern Python cannot read is not checked here (botocore does not check it either)


def _stand_in(value: Any, shape: Any, path: str, problems: list[str]) -> Any:
    """``value`` with every pipeline expression replaced by a sample of the type the API expects there."""
    if _is_expression(value):
        sample = _sample(shape)
        if sample is None:
            problems.append(f"{path}: an expression where {shape.name} ({shape.type_name}) is expected")
        return sample
    if isinstance(value, dict) and shape.type_name == "structure":
        return {
            k: _stand_in(v, shape.members[k], f"{path}.{k}", problems) if k in shape.members else v
            for k, v in value.items()
        }
    if isinstance(value, dict) and shape.type_name == "map":
        return {k: _stand_in(v, shape.value, f"{path}.{k}", problems) for k, v in value.items()}
    if isinstance(value, list) and shape.type_name == "list":
        return [_stand_in(v, shape.member, f"{path}[{i}]", problems) for i, v in enumerate(value)]
    return value


def _constraints(value: Any, shape: Any, path: str) -> Iterator[str]:
    """Enumerations, maximum lengths and patterns (what botocore's validator does not check)."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for key, inner in value.items():
            if key in shape.members:
                yield from _constraints(inner, shape.members[key], f"{path}.{key}")
    elif kind == "list" and isinstance(value, list):
        if "max" in shape.metadata and len(value) > shape.metadata["max"]:
            yield f"{path}: {len(value)} items, at most {shape.metadata['max']}"
        for i, inner in enumerate(value):
            yield from _constraints(inner, shape.member, f"{path}[{i}]")
    elif kind == "map" and isinstance(value, dict):
        for key, inner in value.items():
            yield from _constraints(key, shape.key, f"{path} key")
            yield from _constraints(inner, shape.value, f"{path}.{key}")
    elif kind == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            yield f"{path}: {value!r} is not one of the {len(shape.enum)} values {shape.name} allows"
        if "max" in shape.metadata and len(value) > shape.metadata["max"]:
            yield f"{path}: {len(value)} characters, at most {shape.metadata['max']}"
        pattern = shape.metadata.get("pattern")
        if pattern and not _fullmatch(pattern, value):
            yield f"{path}: {value!r} does not match {shape.name}'s pattern {pattern}"
    elif kind in ("integer", "long") and isinstance(value, int) and value > shape.metadata.get("max", value):
        yield f"{path}: {value} is above the maximum {shape.metadata['max']}"


def request_problems(operation: str, request: dict[str, Any], file: str, where: str = "") -> list[Problem]:
    """Problems of one API request (placeholders filled with samples first)."""
    from botocore.validate import ParamValidator

    shape = _model().operation_model(operation).input_shape
    notes: list[str] = []
    params = _stand_in(_substitute(request), shape, operation, notes)
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        notes += [line.strip() for line in report.generate_report().splitlines() if line.strip()]
    notes += list(_constraints(params, shape, operation))
    return [Problem(file, where or operation, note) for note in notes]


def training_job_problems(request: dict[str, Any], file: str = "training-job.json") -> list[Problem]:
    """A CreateTrainingJob request: the service model, then Managed Spot's own rules."""
    problems = request_problems("CreateTrainingJob", request, file)
    problems += [Problem(file, "StoppingCondition", m) for m in _spot_rules(request)]
    return problems


def _spot_rules(arguments: dict[str, Any]) -> Iterator[str]:
    stopping = arguments.get("StoppingCondition", {})
    runtime, wait = stopping.get("MaxRuntimeInSeconds"), stopping.get("MaxWaitTimeInSeconds")
    if arguments.get("EnableManagedSpotTraining"):
        if wait is None:
            yield "Managed Spot needs MaxWaitTimeInSeconds"
        elif isinstance(runtime, int) and wait < runtime:
            yield f"MaxWaitTimeInSeconds {wait} < MaxRuntimeInSeconds {runtime}"
        if "CheckpointConfig" not in arguments:
            yield "Managed Spot without CheckpointConfig: an interruption restarts from zero"
    elif wait is not None:
        yield "MaxWaitTimeInSeconds is only allowed with EnableManagedSpotTraining"


def _steps(steps: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for step in steps:
        yield step
        arguments = step.get("Arguments", {})
        if step.get("Type") == "Condition" and isinstance(arguments, dict):
            yield from _steps(arguments.get("IfSteps", []))
            yield from _steps(arguments.get("ElseSteps", []))


def _expressions(value: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, dict):
        if _is_expression(value):
            yield path, value
        for key, inner in value.items():
            if key not in ("IfSteps", "ElseSteps"):
                yield from _expressions(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _expressions(inner, f"{path}[{i}]")


def _resolves(path: str, steps: dict[str, dict[str, Any]], parameters: set[str]) -> str | None:
    """None when a Get path resolves, else why not."""
    head, _, rest = path.partition(".")
    if head == "Parameters":
        return None if rest in parameters else f"no parameter {rest!r}"
    if head == "Execution":
        return None if rest in EXECUTION_VARIABLES else f"no execution variable {rest!r}"
    if head != "Steps":
        return f"{path!r} is not a parameter, execution variable or step property"
    name, _, prop = rest.partition(".")
    step = steps.get(name)
    if step is None:
        return f"no step {name!r}"
    if prop.startswith("PropertyFiles."):
        declared = {p.get("PropertyFileName") for p in step.get("PropertyFiles", [])}
        return None if prop.split(".", 1)[1] in declared else f"step {name} declares no property file {prop}"
    describe = STEP_TYPES.get(step.get("Type", ""), ("", "", ""))[2]
    if not describe:
        return f"step {name} ({step.get('Type')}) has no properties"
    shape = _model().operation_model(describe).output_shape
    for match in _TOKEN.finditer(prop):
        member, key, index = match.groups()
        if member is not None:
            if shape.type_name != "structure" or member not in shape.members:
                return f"{describe} has no {member!r} at {prop!r}"
            shape = shape.members[member]
        elif shape.type_name == "list" and (index is not None or key is not None):
            shape = shape.member
        elif shape.type_name == "map" and key is not None:
            shape = shape.value
        else:
            return f"cannot index {shape.name} at {prop!r}"
    return None


def pipeline_problems(definition: dict[str, Any], file: str = "pipeline.json") -> list[Problem]:
    """Everything the module docstring lists for a pipeline definition."""
    problems: list[Problem] = []

    def problem(where: str, message: str) -> None:
        problems.append(Problem(file, where, message))

    if definition.get("Version") != "2020-12-01":
        problem("Version", f"{definition.get('Version')!r}, expected '2020-12-01'")
    parameters = set()
    for parameter in definition.get("Parameters", []):
        name, kind = parameter.get("Name"), parameter.get("Type")
        if kind not in PARAMETER_TYPES:
            problem(f"Parameters.{name}", f"type {kind!r} is not one of {', '.join(PARAMETER_TYPES)}")
        elif "DefaultValue" in parameter and not isinstance(parameter["DefaultValue"], PARAMETER_TYPES[kind]):
            problem(f"Parameters.{name}", f"default {parameter['DefaultValue']!r} is not a {kind}")
        parameters.add(name)
    top = definition.get("Steps")
    if not isinstance(top, list) or not top:
        problem("Steps", "no steps")
        return problems
    steps: dict[str, dict[str, Any]] = {}
    for step in _steps(top):
        name = step.get("Name", "")
        if name in steps:
            problem(f"Steps.{name}", "duplicate step name")
        steps[name] = step
        if step.get("Type") not in STEP_TYPES:
            problem(f"Steps.{name}", f"unknown step type {step.get('Type')!r}")
    for name, step in steps.items():
        where = f"Steps.{name}"
        arguments = step.get("Arguments", {})
        for path, expression in _expressions(step, where):
            kind, value = next(iter(expression.items()))
            if kind == "Get" and isinstance(value, str):
                why = _resolves(value, steps, parameters)
                if why:
                    problem(path, f"Get {value!r} does not resolve: {why}")
            elif kind == "Std:JsonGet":
                target = value.get("PropertyFile", {}).get("Get", "")
                why = (
                    _resolves(target, steps, parameters) if target.startswith("Steps.") else "not a step property file"
                )
                if why or not isinstance(value.get("Path"), str):
                    problem(path, f"JsonGet {target!r}: {why or 'no Path'}")
            elif kind == "Std:Join" and not (
                isinstance(value.get("Values"), list) and isinstance(value.get("On"), str)
            ):
                problem(path, "Std:Join needs On (string) and Values (list)")
        operation, job_name, _ = STEP_TYPES.get(step.get("Type", ""), ("", "", ""))
        if operation:
            request = dict(arguments)
            if job_name:
                request[job_name] = "example-job"
            problems += request_problems(operation, request, file, where)
        if step.get("Type") == "Training":
            problems += [Problem(file, where, m) for m in _spot_rules(arguments)]
        if step.get("Type") == "Processing":
            outputs = {o.get("OutputName") for o in arguments.get("ProcessingOutputConfig", {}).get("Outputs", [])}
            for declared in step.get("PropertyFiles", []):
                if declared.get("OutputName") not in outputs:
                    problem(
                        where,
                        f"property file {declared.get('PropertyFileName')} reads output {declared.get('OutputName')!r}, which the step does not have",
                    )
        if step.get("Type") == "Condition":
            for condition in arguments.get("Conditions", []):
                if condition.get("Type") not in CONDITIONS:
                    problem(where, f"unknown condition {condition.get('Type')!r}")
            if not arguments.get("IfSteps") and not arguments.get("ElseSteps"):
                problem(where, "a condition with no steps")
        if step.get("Type") == "Fail" and "ErrorMessage" not in arguments:
            problem(where, "a Fail step without ErrorMessage")
    limit = _model().shape_for("PipelineDefinition").metadata["max"]
    size = len(json.dumps(definition).encode("utf-8"))
    if size > limit:
        problem("(whole)", f"{size} bytes, CreatePipeline accepts at most {limit}")
    return problems
