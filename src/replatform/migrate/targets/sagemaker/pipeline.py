"""The SageMaker Pipeline definition: train -> evaluate -> condition on accuracy -> register, or fail.

The JSON is the definition format the SageMaker Python SDK serialises (``Version 2020-12-01``:
Parameters, Steps with Name/Type/Arguments; step arguments are the request shapes of the
underlying APIs without the job name; ``{"Get": ...}`` references and ``Std:Join`` /
``Std:JsonGet`` functions). ``${DataBucket}`` and ``${ExecutionRoleArn}`` are filled by the
CloudFormation template's ``Fn::Sub``.
"""

from __future__ import annotations

import copy
from typing import Any

from replatform.migrate.targets.sagemaker.job import input_channels, training_job_request
from replatform.migrate.targets.sagemaker.plan import MODEL_FRAMEWORKS, JobPlan

PIPELINE_VERSION = "2020-12-01"
PROCESSING_BASE = "/opt/ml/processing"
DEFAULT_MIN_ACCURACY = 0.9
TRAIN, EVALUATE, CHECK, REGISTER, FAIL = "Train", "Evaluate", "CheckAccuracy", "RegisterModel", "AccuracyBelowThreshold"
REPORT = "EvaluationReport"


def pipeline_name(plan: JobPlan) -> str:
    return f"{plan.project}-training"


def _get(path: str) -> dict[str, str]:
    return {"Get": path}


def _join(on: str, *values: Any) -> dict[str, Any]:
    return {"Std:Join": {"On": on, "Values": list(values)}}


def _s3_input(name: str, uri: Any, local: str) -> dict[str, Any]:
    return {
        "InputName": name,
        "AppManaged": False,
        "S3Input": {
            "S3Uri": uri,
            "LocalPath": local,
            "S3DataType": "S3Prefix",
            "S3InputMode": "File",
            "S3DataDistributionType": "FullyReplicated",
        },
    }


def _train_step(plan: JobPlan) -> dict[str, Any]:
    arguments = copy.deepcopy(training_job_request(plan))
    del arguments["TrainingJobName"]  # the pipeline names each job
    arguments["ResourceConfig"]["InstanceType"] = _get("Parameters.TrainingInstanceType")
    arguments["InputDataConfig"] = input_channels(plan, _get("Parameters.InputData"))
    if plan.checkpoints:
        arguments["CheckpointConfig"]["S3Uri"] = _join(
            "/", plan.s3("checkpoints"), _get("Execution.PipelineExecutionId")
        )
    return {"Name": TRAIN, "Type": "Training", "Arguments": arguments}


def _evaluate_step(plan: JobPlan) -> dict[str, Any]:
    evaluation = plan.evaluation
    assert evaluation is not None
    arguments = {
        "ProcessingResources": {
            "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 30}
        },
        "AppSpecification": {
            "ImageUri": plan.training_image.uri,
            "ContainerEntrypoint": ["python3", f"{PROCESSING_BASE}/input/code/evaluate.py"],
        },
        "RoleArn": "${ExecutionRoleArn}",
        "ProcessingInputs": [
            _s3_input("model", _get(f"Steps.{TRAIN}.ModelArtifacts.S3ModelArtifacts"), f"{PROCESSING_BASE}/model"),
            _s3_input("test", _join("/", _get("Parameters.InputData"), evaluation.channel), f"{PROCESSING_BASE}/test"),
            _s3_input("code", plan.s3("code", "evaluate.py"), f"{PROCESSING_BASE}/input/code"),
        ],
        "ProcessingOutputConfig": {
            "Outputs": [
                {
                    "OutputName": "evaluation",
                    "AppManaged": False,
                    "S3Output": {
                        "S3Uri": _join("/", plan.s3("evaluation"), _get("Execution.PipelineExecutionId")),
                        "LocalPath": f"{PROCESSING_BASE}/evaluation",
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "NetworkConfig": {"EnableNetworkIsolation": True},
    }
    return {
        "Name": EVALUATE,
        "Type": "Processing",
        "Arguments": arguments,
        "PropertyFiles": [{"PropertyFileName": REPORT, "OutputName": "evaluation", "FilePath": "evaluation.json"}],
    }


def _register_step(plan: JobPlan) -> dict[str, Any]:
    container: dict[str, Any] = {
        "Image": plan.inference_image.uri,
        "ModelDataUrl": _get(f"Steps.{TRAIN}.ModelArtifacts.S3ModelArtifacts"),
        "Framework": MODEL_FRAMEWORKS[plan.framework],
        "FrameworkVersion": plan.inference_image.version,
    }
    if plan.inference_script:
        container["Environment"] = {
            "SAGEMAKER_PROGRAM": "inference.py",
            "SAGEMAKER_SUBMIT_DIRECTORY": plan.s3("code", "inference.tar.gz"),
        }
    content = ["text/csv"] if plan.framework == "sklearn" else ["application/json"]
    arguments = {
        "ModelPackageGroupName": plan.project,
        "ModelApprovalStatus": _get("Parameters.ModelApprovalStatus"),
        "InferenceSpecification": {
            "Containers": [container],
            "SupportedContentTypes": content,
            "SupportedResponseMIMETypes": ["application/json"],
            "SupportedRealtimeInferenceInstanceTypes": ["ml.m5.large"],
            "SupportedTransformInstanceTypes": ["ml.m5.large"],
        },
        "ModelMetrics": {
            "ModelQuality": {
                "Statistics": {
                    "ContentType": "application/json",
                    "S3Uri": _join(
                        "/",
                        _get(f"Steps.{EVALUATE}.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri"),
                        "evaluation.json",
                    ),
                }
            }
        },
    }
    return {"Name": REGISTER, "Type": "RegisterModel", "Arguments": arguments}


def _fail_step() -> dict[str, Any]:
    message = _join(" ", "Evaluation accuracy is below MinAccuracy", _get("Parameters.MinAccuracy"))
    return {"Name": FAIL, "Type": "Fail", "Arguments": {"ErrorMessage": message}}


def _condition_step(plan: JobPlan) -> dict[str, Any]:
    accuracy = {
        "Std:JsonGet": {
            "PropertyFile": _get(f"Steps.{EVALUATE}.PropertyFiles.{REPORT}"),
            "Path": "metrics.accuracy.value",
        }
    }
    condition = {"Type": "GreaterThanOrEqualTo", "LeftValue": accuracy, "RightValue": _get("Parameters.MinAccuracy")}
    return {
        "Name": CHECK,
        "Type": "Condition",
        "Arguments": {"Conditions": [condition], "IfSteps": [_register_step(plan)], "ElseSteps": [_fail_step()]},
    }


def pipeline_definition(plan: JobPlan) -> dict[str, Any]:
    """The whole definition; without an evaluation, train and register (no quality gate, said in the README)."""
    parameters: list[dict[str, Any]] = [
        {"Name": "InputData", "Type": "String", "DefaultValue": plan.s3("data")},
        {"Name": "TrainingInstanceType", "Type": "String", "DefaultValue": plan.instance_type},
        {"Name": "ModelApprovalStatus", "Type": "String", "DefaultValue": "PendingManualApproval"},
    ]
    steps = [_train_step(plan)]
    if plan.evaluation is not None:
        parameters.append({"Name": "MinAccuracy", "Type": "Float", "DefaultValue": DEFAULT_MIN_ACCURACY})
        steps += [_evaluate_step(plan), _condition_step(plan)]
    else:
        register = _register_step(plan)
        del register["Arguments"]["ModelMetrics"]
        steps.append(register)
    return {"Version": PIPELINE_VERSION, "Metadata": {}, "Parameters": parameters, "Steps": steps}
