"""CloudFormation and SAM templates (YAML or JSON) -> compute components.

Works on the spanned `Node` tree, so short-form tags (``!Ref``) and long-form
intrinsics look the same. ``Ref`` to a parameter with a literal ``Default``
resolves to it; other intrinsics stay `Unknown`. SAM ``Globals.Function``
properties apply to every ``AWS::Serverless::Function`` that does not set them.
"""

from __future__ import annotations

from collections.abc import Callable

from replatform.discover import compute_vocabulary as v
from replatform.discover.result import ParseResult
from replatform.discover.runtime_pins import add_lambda_runtime
from replatform.discover.source import SourceFile
from replatform.discover.tree import Node, render
from replatform.model import Attribute, AttributeValue, ComponentKind, Unknown

LAMBDA = {
    "Architectures": v.ARCHITECTURE,
    "MemorySize": v.MEMORY_MB,
    "Runtime": v.RUNTIME,
    "Timeout": v.TIMEOUT,
    "PackageType": v.PACKAGE_TYPE,
    "Handler": v.HANDLER,
    "ImageUri": v.IMAGE,
    "Code.ImageUri": v.IMAGE,
}
TYPES: dict[str, tuple[ComponentKind, dict[str, str]]] = {
    "AWS::Lambda::Function": (ComponentKind.LAMBDA_FUNCTION, LAMBDA),
    "AWS::Serverless::Function": (ComponentKind.LAMBDA_FUNCTION, LAMBDA),
    "AWS::ECS::TaskDefinition": (
        ComponentKind.ECS_TASK_DEFINITION,
        {
            "Cpu": v.CPU,
            "Memory": v.MEMORY_MB,
            "RequiresCompatibilities": v.COMPATIBILITIES,
            "RuntimePlatform.CpuArchitecture": v.ARCHITECTURE,
            "RuntimePlatform.OperatingSystemFamily": v.OS_FAMILY,
            "Volumes.Host.SourcePath": "volume_host_path",
            "Volumes.EFSVolumeConfiguration.FilesystemId": "volume_efs",
            "Volumes.DockerVolumeConfiguration.Scope": "volume_docker_scope",
        },
    ),
    "AWS::ECS::Service": (
        ComponentKind.ECS_SERVICE,
        {
            "LaunchType": v.LAUNCH_TYPE,
            "DesiredCount": v.DESIRED_COUNT,
            "CapacityProviderStrategy.CapacityProvider": v.CAPACITY_PROVIDER,
            "PlatformVersion": v.PLATFORM_VERSION,
            "TaskDefinition": v.TASK_DEFINITION,
            "LoadBalancers.TargetGroupArn": v.LOAD_BALANCED,
        },
    ),
    "AWS::EC2::Instance": (ComponentKind.EC2_INSTANCE, {"InstanceType": v.INSTANCE_TYPE, "ImageId": v.IMAGE_ID}),
    "AWS::EC2::LaunchTemplate": (
        ComponentKind.LAUNCH_TEMPLATE,
        {
            "LaunchTemplateData.InstanceType": v.INSTANCE_TYPE,
            "LaunchTemplateData.ImageId": v.IMAGE_ID,
            "LaunchTemplateData.InstanceMarketOptions.MarketType": v.MARKET_TYPE,
        },
    ),
    "AWS::AutoScaling::LaunchConfiguration": (
        ComponentKind.LAUNCH_TEMPLATE,
        {"InstanceType": v.INSTANCE_TYPE, "ImageId": v.IMAGE_ID, "SpotPrice": v.SPOT_PRICE},
    ),
    "AWS::AutoScaling::AutoScalingGroup": (
        ComponentKind.AUTOSCALING_GROUP,
        {
            "MinSize": v.MIN_SIZE,
            "MaxSize": v.MAX_SIZE,
            "DesiredCapacity": v.DESIRED_COUNT,
            "MixedInstancesPolicy.LaunchTemplate.Overrides.InstanceType": v.INSTANCE_TYPE,
        },
    ),
    "AWS::EKS::Nodegroup": (
        ComponentKind.EKS_NODE_GROUP,
        {
            "InstanceTypes": v.INSTANCE_TYPES,
            "AmiType": v.AMI_TYPE,
            "CapacityType": v.CAPACITY_TYPE,
            "ScalingConfig.DesiredSize": v.DESIRED_COUNT,
            "ScalingConfig.MinSize": v.MIN_SIZE,
            "ScalingConfig.MaxSize": v.MAX_SIZE,
        },
    ),
    "AWS::EKS::FargateProfile": (ComponentKind.EKS_FARGATE_PROFILE, {}),
    "AWS::Batch::ComputeEnvironment": (
        ComponentKind.BATCH_COMPUTE_ENVIRONMENT,
        {
            "Type": "managed",
            "ComputeResources.Type": v.COMPUTE_TYPE,
            "ComputeResources.InstanceTypes": v.INSTANCE_TYPES,
            "ComputeResources.MaxvCpus": v.MAX_VCPUS,
        },
    ),
    "AWS::SageMaker::EndpointConfig": (
        ComponentKind.SAGEMAKER_JOB,
        {
            "ProductionVariants.InstanceType": v.INSTANCE_TYPE,
            "ProductionVariants.InitialInstanceCount": v.INSTANCE_COUNT,
        },
    ),
    "AWS::SageMaker::NotebookInstance": (ComponentKind.SAGEMAKER_JOB, {"InstanceType": v.INSTANCE_TYPE}),
}


def is_template(document: Node) -> bool:
    """A CloudFormation/SAM template: the version key, or AWS:: resource types."""
    if document.get("AWSTemplateFormatVersion") is not None:
        return True
    resources = document.get("Resources")
    if resources is None:
        return False
    for _name, resource in resources.items():
        kind = resource.get("Type")
        if kind is not None and (kind.text() or "").startswith(("AWS::", "Custom::", "Alexa::")):
            return True
    return False


def _lookup(node: Node | None, path: str) -> Node | None:
    for part in path.split("."):
        if node is None:
            return None
        if isinstance(node.value, list):
            node = node.value[0] if node.value else None
            if node is None:
                return None
        node = node.get(part)
    return node


class _Resolver:
    def __init__(self, document: Node) -> None:
        self.parameters: dict[str, Node] = {}
        for name, parameter in (document.get("Parameters") or Node({}, document.location)).items():
            default = parameter.get("Default")
            if default is not None and default.scalar is not None:
                self.parameters[name] = default

    def value(self, node: Node) -> AttributeValue | None:
        if isinstance(node.value, dict) and set(node.value) == {"Ref"}:
            target = node.value["Ref"].text()
            if target in self.parameters:
                return self.parameters[target].scalar
        if isinstance(node.value, list):
            items = [self.value(item) for item in node.elements()]
            if all(isinstance(i, (str, int, float, bool, Unknown)) for i in items):
                return tuple(i for i in items if isinstance(i, (str, int, float, bool, Unknown)))
            return Unknown(render(node))
        return node.literal()


def extract(source: SourceFile, document: Node, result: ParseResult) -> None:
    """Add a component for every compute resource of one template."""
    resolver = _Resolver(document)
    globals_function = document.get("Globals", "Function")
    for logical_id, resource in (document.get("Resources") or Node({}, source.whole())).items():
        rtype = resource.get("Type")
        type_name = rtype.text() if rtype is not None else None
        if type_name not in TYPES:
            continue
        kind, table = TYPES[type_name]
        properties = resource.get("Properties")
        attributes = [Attribute("resource_type", type_name, None)]
        for path, canonical in table.items():
            found = _lookup(properties, path)
            if found is None and type_name == "AWS::Serverless::Function" and globals_function is not None:
                found = _lookup(globals_function, path)
            if found is None:
                continue
            value = resolver.value(found)
            if canonical == v.ARCHITECTURE and isinstance(value, tuple) and len(value) == 1:
                value = value[0]
            if canonical == v.LOAD_BALANCED:
                value = True
            if value is not None and not any(a.name == canonical for a in attributes):
                attributes.append(Attribute(canonical, value, found.location))
        component = result.add(kind, logical_id, resource.location, attributes)
        add_lambda_runtime(result, component)
        if type_name == "AWS::ECS::TaskDefinition" and properties is not None:
            containers = properties.get("ContainerDefinitions")
            for container in containers.elements() if containers is not None else []:
                add_container(result, container, component.id, resolver.value)


def add_container(
    result: ParseResult,
    container: Node,
    parent: str,
    resolve: Callable[[Node], AttributeValue | None] = Node.literal,
) -> None:
    """A container definition (CFN or task-definition JSON) -> container_image."""
    image = container.get("Image") or container.get("image")
    if image is None:
        return
    value = resolve(image)
    name_node = container.get("Name") or container.get("name")
    name = name_node.text() if name_node is not None else None
    attributes = [Attribute(v.IMAGE, value if value is not None else Unknown("null"), image.location)]
    for keys, canonical in (
        (("Cpu", "cpu"), v.CPU),
        (("Memory", "memory"), v.MEMORY_MB),
        (("StopTimeout", "stopTimeout"), v.STOP_TIMEOUT),
    ):
        for key in keys:
            node = container.get(key)
            if node is not None and node.scalar is not None:
                attributes.append(Attribute(canonical, node.scalar, node.location))
    label = name or (value if isinstance(value, str) else render(image))
    result.add(ComponentKind.CONTAINER_IMAGE, str(label), image.location, attributes, parent)
