"""A small CDK app in Python: a web service on x86 Fargate behind an ALB, scaling between 2 and 4 tasks."""

import aws_cdk as cdk
from aws_cdk import (
    aws_ec2 as ec2,
    aws_ecs as ecs,
    aws_elasticloadbalancingv2 as elbv2,
)
from constructs import Construct


class WebStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)

        vpc = ec2.Vpc(self, "Vpc", max_azs=2)
        cluster = ecs.Cluster(self, "WebCluster", vpc=vpc)

        task = ecs.FargateTaskDefinition(self, "WebTask", cpu=512, memory_limit_mib=1024)
        task.add_container(
            "web",
            image=ecs.ContainerImage.from_registry("public.ecr.aws/nginx/nginx:1.27"),
            port_mappings=[ecs.PortMapping(container_port=80)],
        )

        service = ecs.FargateService(
            self,
            "WebService",
            cluster=cluster,
            task_definition=task,
            desired_count=2,
        )
        service.auto_scale_task_count(min_capacity=2, max_capacity=4)

        alb = elbv2.ApplicationLoadBalancer(self, "Alb", vpc=vpc, internet_facing=True)
        listener = alb.add_listener("Http", port=80)
        listener.add_targets("Web", port=80, targets=[service])


app = cdk.App()
WebStack(app, "Web", env=cdk.Environment(account="123456789012", region="us-east-1"))
app.synth()
