from aws_cdk import Stack, aws_ec2 as ec2, aws_eks as eks
from constructs import Construct


class Nodes(Stack):
    def __init__(self, scope: Construct, id: str, cluster: eks.Cluster) -> None:
        super().__init__(scope, id)
        eks.Nodegroup(
            self,
            "Spot",
            cluster=cluster,
            capacity_type=eks.CapacityType.SPOT,
            instance_types=[ec2.InstanceType("c5.xlarge"), ec2.InstanceType("c5a.xlarge")],
        )
