from aws_cdk import App, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_lambda as _lambda
from constructs import Construct

# Module-level constants: SIZE is read by two instances, ARCH by the function only.
ARCH = _lambda.Architecture.X86_64
SIZE = "m5.xlarge"
CPU = ecs.CpuArchitecture.X86_64


class Constants(Stack):
    TYPE = "c5.large"

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        vpc = ec2.Vpc(self, "Vpc", max_azs=2)
        ec2.Instance(
            self,
            "Box",
            vpc=vpc,
            instance_type=ec2.InstanceType(SIZE),
            machine_image=ec2.MachineImage.latest_amazon_linux2023(),
        )
        ec2.Instance(
            self,
            "Spare",
            vpc=vpc,
            instance_type=ec2.InstanceType(SIZE),
            machine_image=ec2.MachineImage.latest_amazon_linux2023(),
        )
        ec2.Instance(
            self,
            "Small",
            vpc=vpc,
            instance_type=ec2.InstanceType(self.TYPE),
            machine_image=ec2.MachineImage.latest_amazon_linux2023(),
        )
        _lambda.Function(
            self,
            "Fn",
            runtime=_lambda.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=_lambda.Code.from_asset("fn"),
            architecture=ARCH,
        )
        task = ecs.FargateTaskDefinition(
            self,
            "Td",
            cpu=256,
            memory_limit_mib=512,
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=CPU,
                operating_system_family=ecs.OperatingSystemFamily.LINUX,
            ),
        )
        task.add_container("web", image=ecs.ContainerImage.from_registry("nginx:1.25"))


app = App()
Constants(app, "Constants")
app.synth()
