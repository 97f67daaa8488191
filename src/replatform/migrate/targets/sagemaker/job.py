"""The CreateTrainingJob request (the API's own shape), with Managed Spot and checkpoints when the script resumes.

Hyperparameter values are JSON-encoded strings, exactly as the SageMaker Python SDK v2 writes them
for framework containers (the toolkit ``json.loads`` each one). The source code travels in a ``code``
input channel (as the SDK does under network isolation), so the container needs no network at all.
``${DataBucket}``, ``${ExecutionRoleArn}`` and ``${TrainingJobName}`` are placeholders: the README fills
them with ``envsubst`` and the CloudFormation template with ``Fn::Sub``.
"""

from __future__ import annotations

import json
from typing import Any

from replatform.migrate.targets.sagemaker.plan import JobPlan

#: Where the SDK puts the source tarball under network isolation (a channel named "code").
CODE_CHANNEL_TARBALL = "/opt/ml/input/data/code/sourcedir.tar.gz"
CHECKPOINT_LOCAL_PATH = "/opt/ml/checkpoints"
VOLUME_GB = 30


def hyperparameters(plan: JobPlan) -> dict[str, str]:
    """The HyperParameters map: the script's own (defaults), the contract's, and the toolkit's sagemaker_* keys."""
    values: dict[str, Any] = dict(plan.hyperparameters)
    if plan.checkpoints:
        values["checkpoint-dir"] = CHECKPOINT_LOCAL_PATH
        values["checkpoint-every"] = plan.checkpoint_every
    values.update(
        {
            "sagemaker_program": plan.entry_name,
            "sagemaker_submit_directory": CODE_CHANNEL_TARBALL,
            "sagemaker_region": plan.region,
            "sagemaker_container_log_level": 20,
        }
    )
    return {key: json.dumps(value) for key, value in values.items()}


def input_channels(plan: JobPlan, data_uri: Any = None) -> list[dict[str, Any]]:
    """The data channels and the code channel (``data_uri``: a pipeline expression for the data prefix)."""
    channels = []
    for channel in plan.channels:
        uri: Any = plan.s3("data", channel.name)
        if data_uri is not None:
            uri = {"Std:Join": {"On": "/", "Values": [data_uri, channel.name]}}
        channels.append(_channel(channel.name, uri))
    channels.append(_channel("code", plan.s3("code", "sourcedir.tar.gz")))
    return channels


def _channel(name: str, uri: Any) -> dict[str, Any]:
    return {
        "ChannelName": name,
        "DataSource": {
            "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri, "S3DataDistributionType": "FullyReplicated"}
        },
        "InputMode": "File",
    }


def training_job_request(plan: JobPlan) -> dict[str, Any]:
    """The whole CreateTrainingJob request for one job."""
    request: dict[str, Any] = {
        "TrainingJobName": "${TrainingJobName}",
        "RoleArn": "${ExecutionRoleArn}",
        "AlgorithmSpecification": {
            "TrainingImage": plan.training_image.uri,
            "TrainingInputMode": "File",
            "MetricDefinitions": [{"Name": m.name, "Regex": m.regex} for m in plan.metrics],
            "EnableSageMakerMetricsTimeSeries": True,
        },
        "HyperParameters": hyperparameters(plan),
        "InputDataConfig": input_channels(plan),
        "OutputDataConfig": {"S3OutputPath": plan.s3("output")},
        "ResourceConfig": {"InstanceType": plan.instance_type, "InstanceCount": 1, "VolumeSizeInGB": VOLUME_GB},
        "StoppingCondition": {"MaxRuntimeInSeconds": plan.max_runtime},
        "EnableNetworkIsolation": True,
        "Tags": [{"Key": "replatform:script", "Value": plan.script.path}],
    }
    if not plan.metrics:
        del request["AlgorithmSpecification"]["MetricDefinitions"]
    if plan.spot:
        request["EnableManagedSpotTraining"] = True
        request["StoppingCondition"]["MaxWaitTimeInSeconds"] = plan.max_wait
    if plan.checkpoints:
        request["CheckpointConfig"] = {
            "S3Uri": plan.s3("checkpoints", "${TrainingJobName}"),
            "LocalPath": CHECKPOINT_LOCAL_PATH,
        }
    return request
