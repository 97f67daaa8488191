"""A small CDK app in Python: two Lambda functions on x86 and a Fargate task built from a local Dockerfile."""

import aws_cdk as cdk
from aws_cdk import (
    aws_ecs as ecs,
    aws_lambda as _lambda,
)
from constructs import Construct


class WorkerStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)

        _lambda.Function(
            self,
            "Resizer",
            runtime=_lambda.Runtime.PYTHON_3_12,
            handler="handler.main",
            code=_lambda.Code.from_asset("lambda"),
            architecture=_lambda.Architecture.X86_64,  # stated
        )
        _lambda.Function(self, "Thumbnailer", runtime=_lambda.Runtime.PYTHON_3_12, handler="handler.main", code=_lambda.Code.from_asset("lambda"))

        task = ecs.FargateTaskDefinition(
            self,
            "WorkerTask",
            cpu=512,
            memory_limit_mib=1024,
        )
        task.add_container(
            "worker",
            image=ecs.ContainerImage.from_asset("worker"),
            logging=ecs.LogDrivers.aws_logs(stream_prefix="worker"),
        )


app = cdk.App()
WorkerStack(app, "Worker")
app.synth()
