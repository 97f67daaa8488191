from aws_cdk import App, Stack
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from constructs import Construct


class Hosts(Stack):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        vpc = ec2.Vpc(self, "Vpc", max_azs=2)
        cluster = ecs.Cluster(self, "Cluster", vpc=vpc)
        asg = autoscaling.AutoScalingGroup(
            self,
            "Asg",
            vpc=vpc,
            instance_type=ec2.InstanceType("m5.xlarge"),
            machine_image=ecs.EcsOptimizedImage.amazon_linux2023(),
        )
        provider = ecs.AsgCapacityProvider(self, "Cp", auto_scaling_group=asg)
        cluster.add_asg_capacity_provider(provider)
        task = ecs.Ec2TaskDefinition(self, "Td")
        task.add_container("web", image=ecs.ContainerImage.from_registry("nginx:1.25"), memory_limit_mib=512)
        ecs.Ec2Service(
            self,
            "Svc",
            cluster=cluster,
            task_definition=task,
            capacity_provider_strategies=[ecs.CapacityProviderStrategy(capacity_provider=provider.capacity_provider_name, weight=1)],
        )
        ec2.Instance(
            self,
            "Box",
            vpc=vpc,
            instance_type=ec2.InstanceType("c5.large"),
            machine_image=ec2.MachineImage.from_ssm_parameter(
                "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
            ),
        )


app = App()
Hosts(app, "Hosts")
app.synth()
