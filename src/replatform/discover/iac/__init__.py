"""Infrastructure as code: one parser per format (Terraform, CloudFormation/SAM, CDK, serverless,
Kubernetes, Helm, compose, CI) -> compute components, their attributes and the links between them.
"""
