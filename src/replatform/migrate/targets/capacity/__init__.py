"""ECS capacity edits shared by the Spot targets (``spot``: Fargate Spot; ``ec2-spot``: ECS on EC2 Spot).

A service's capacity provider strategy (with ``launch_type`` removed: the two are mutually exclusive),
its cluster's capacity provider association, draining that fits a Spot notice (container ``stopTimeout``,
the target group's deregistration delay) and how the change rolls out, in Terraform, CloudFormation
(YAML, JSON) and CDK (TypeScript, Python). Each helper reads the service through the resource graph and
returns edits, or a reason why it cannot edit (the fix then becomes manual).
"""
