from aws_cdk import Stack
from aws_cdk import aws_lambda as lambda_


class S(Stack):
    def __init__(self, scope, id):
        super().__init__(scope, id)
        lambda_.Function(
            self,
            "Py",
            # ruleid: lambda-runtime-end-of-support
            runtime=lambda_.Runtime.PYTHON_3_9,
            architecture=lambda_.Architecture.ARM_64,
            handler="index.handler",
            code=lambda_.Code.from_inline("x"),
        )
