"""CloudFormation and SAM templates (YAML or JSON) -> compute components and their links.

Works on the spanned `Node` tree, so short-form tags (``!Ref``) and long-form
intrinsics look the same; `cfn_intrinsics.Intrinsics` evaluates them (parameter
defaults or ``--parameter``, ``Conditions``, ``Mappings``...). A resource whose
``Condition`` is false is still listed, marked as not deployed. SAM
``Globals.Function`` properties apply to every ``AWS::Serverless::Function``
that does not set them. Links (service -> task definition, ASG -> launch
template, capacity provider -> ASG, function -> code folder...) are resolved
here, once.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from contextvars import ContextVar

from replatform.discover import compute_vocabulary as v
from replatform.discover.iac.cfn_intrinsics import Intrinsics
from replatform.discover.result import ParseResult, relative_folder
from replatform.discover.software.runtime_pins import add_boot_script_runtime, add_lambda_runtime
from replatform.discover.source import SourceFile
from replatform.discover.tree import Node, render
from replatform.model import (
    Attribute,
    AttributeValue,
    Component,
    ComponentKind,
    LinkKind,
    Location,
    TargetKind,
    Unknown,
)

#: ``--parameter K=V`` values for every template of the current scan (set by discovery).
PARAMETERS: ContextVar[tuple[tuple[str, str], ...]] = ContextVar("cloudformation_parameters", default=())

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
            "CapacityProviderStrategy.CapacityProvider": v.CAPACITY_PROVIDERS,
            "PlatformVersion": v.PLATFORM_VERSION,
            "TaskDefinition": v.TASK_DEFINITION,
            "LoadBalancers.TargetGroupArn": v.LOAD_BALANCED,
        },
    ),
    "AWS::ECS::Cluster": (ComponentKind.ECS_CLUSTER, {"CapacityProviders": v.CAPACITY_PROVIDERS}),
    "AWS::ElasticLoadBalancingV2::TargetGroup": (ComponentKind.LB_TARGET_GROUP, {}),
    "AWS::EC2::Instance": (
        ComponentKind.EC2_INSTANCE,
        {
            "InstanceType": v.INSTANCE_TYPE,
            "ImageId": v.IMAGE_ID,
            "UserData": v.USER_DATA,
            "InstanceMarketOptions.MarketType": v.MARKET_TYPE,
        },
    ),
    "AWS::EC2::LaunchTemplate": (
        ComponentKind.LAUNCH_TEMPLATE,
        {
            "LaunchTemplateData.InstanceType": v.INSTANCE_TYPE,
            "LaunchTemplateData.ImageId": v.IMAGE_ID,
            "LaunchTemplateData.UserData": v.USER_DATA,
            "LaunchTemplateData.InstanceMarketOptions.MarketType": v.MARKET_TYPE,
            "LaunchTemplateData.InstanceMarketOptions.SpotOptions.MaxPrice": v.SPOT_PRICE,
        },
    ),
    "AWS::AutoScaling::LaunchConfiguration": (
        ComponentKind.LAUNCH_TEMPLATE,
        {"InstanceType": v.INSTANCE_TYPE, "ImageId": v.IMAGE_ID, "SpotPrice": v.SPOT_PRICE, "UserData": v.USER_DATA},
    ),
    "AWS::AutoScaling::AutoScalingGroup": (
        ComponentKind.AUTOSCALING_GROUP,
        {
            "MinSize": v.MIN_SIZE,
            "MaxSize": v.MAX_SIZE,
            "DesiredCapacity": v.DESIRED_COUNT,
            "MixedInstancesPolicy.LaunchTemplate.Overrides.InstanceType": v.INSTANCE_TYPE,
            "MixedInstancesPolicy.InstancesDistribution.OnDemandPercentageAboveBaseCapacity": v.ON_DEMAND_PERCENTAGE,
            "MixedInstancesPolicy.InstancesDistribution.OnDemandBaseCapacity": v.ON_DEMAND_BASE,
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
    "AWS::ECS::CapacityProvider": (ComponentKind.ECS_CAPACITY_PROVIDER, {}),
    "AWS::Batch::ComputeEnvironment": (
        ComponentKind.BATCH_COMPUTE_ENVIRONMENT,
        {
            "Type": "managed",
            "ComputeResources.Type": v.COMPUTE_TYPE,
            "ComputeResources.InstanceTypes": v.INSTANCE_TYPES,
            "ComputeResources.MaxvCpus": v.MAX_VCPUS,
            "ComputeResources.BidPercentage": "bid_percentage",
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
    "AWS::SQS::Queue": (
        ComponentKind.SQS_QUEUE,
        {
            "VisibilityTimeout": v.VISIBILITY_TIMEOUT,
            "ReceiveMessageWaitTimeSeconds": v.RECEIVE_WAIT_SECONDS,
            "MessageRetentionPeriod": "message_retention_seconds",
            "FifoQueue": "fifo",
            "RedrivePolicy.maxReceiveCount": v.MAX_RECEIVE_COUNT,
        },
    ),
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


def collect(node: Node | None, path: str) -> list[Node]:
    """Every node at ``path`` (dotted keys); lists on the way are walked element by element."""
    return _collect(node, path.split(".") if path else [])


def _collect(node: Node | None, parts: list[str]) -> list[Node]:
    if node is None:
        return []
    if not parts:
        return [node]
    if isinstance(node.value, list):
        return [found for element in node.value for found in _collect(element, parts)]
    return _collect(node.get(parts[0]), parts[1:])


def node_value(node: Node) -> AttributeValue:
    """A resolved node as an attribute value: a scalar, a tuple for a list, else `Unknown`."""
    if isinstance(node.value, list):
        items: list[str | int | float | bool | Unknown] = []
        for element in node.value:
            literal = element.literal()
            items.append(literal if literal is not None else Unknown("null"))
        return tuple(items)
    literal = node.literal()
    return literal if literal is not None else Unknown("null")


def _merged_value(found: list[Node]) -> AttributeValue:
    values = [node_value(n) for n in found]
    if len(values) == 1:
        return values[0]
    flat: list[str | int | float | bool | Unknown] = []
    for value in values:
        flat.extend(value if isinstance(value, tuple) else (value,))
    return tuple(flat)


def _elements(found: list[Node]) -> list[Node]:
    """List nodes replaced by their elements."""
    return [e for node in found for e in (node.elements() if isinstance(node.value, list) else [node])]


def _market(value: AttributeValue | None) -> str | None:
    if not isinstance(value, str):
        return None
    upper = value.upper()
    if upper in ("SPOT", "FARGATE_SPOT"):
        return "spot"
    if upper in ("ON_DEMAND", "EC2", "FARGATE", "ON-DEMAND"):
        return "on_demand"
    return None


def extract(source: SourceFile, document: Node, result: ParseResult) -> None:
    """Add a component for every compute resource of one template, then the links between them."""
    intrinsics = Intrinsics(document, dict(PARAMETERS.get()))
    globals_function = intrinsics.resolve(document.get("Globals", "Function"))
    emitted: dict[str, tuple[Component, Node | None, str]] = {}
    for logical_id, resource in intrinsics.resources.items():
        rtype = resource.get("Type")
        type_name = rtype.text() if rtype is not None else None
        if type_name not in TYPES:
            continue
        kind = TYPES[type_name][0]
        resolved = intrinsics.resolve(resource.get("Properties"))
        properties = resolved if isinstance(resolved, Node) else None
        defaults = globals_function if type_name == "AWS::Serverless::Function" else None
        attributes = resource_attributes(type_name or "", properties, defaults if isinstance(defaults, Node) else None)
        component = result.add(kind, logical_id, resource.location, attributes)
        condition = resource.get("Condition")
        if condition is not None and intrinsics.condition(condition.text() or "") is False:
            component = result.not_deployed(component, intrinsics.explain(condition.text() or ""))
        emitted[logical_id] = (component, properties, type_name or "")
        add_lambda_runtime(result, component)
        add_boot_script_runtime(result, component)
        if type_name == "AWS::ECS::TaskDefinition" and properties is not None:
            for container in (properties.get("ContainerDefinitions") or Node([], properties.location)).elements():
                add_container(result, container, component, intrinsics.scalar)
    ids = {name: component.id for name, (component, _p, _t) in emitted.items()}
    for logical_id, (component, properties, type_name) in emitted.items():
        _links(source, intrinsics, ids, component, properties, type_name, result, logical_id)
    _stated_elsewhere(intrinsics, emitted, result)


def _stated_elsewhere(
    intrinsics: Intrinsics, emitted: dict[str, tuple[Component, Node | None, str]], result: ParseResult
) -> None:
    """What other resources say about a component: a cluster's capacity provider association, a service's
    Application Auto Scaling bounds (``ResourceId`` names the service: ``service/<cluster>/<service name>``).
    """
    for _name, resource in intrinsics.resources.items():
        rtype = (resource.get("Type") or Node(None, resource.location)).text()
        raw = resource.get("Properties")
        if raw is None or rtype not in (
            "AWS::ECS::ClusterCapacityProviderAssociations",
            "AWS::ApplicationAutoScaling::ScalableTarget",
        ):
            continue
        resolved = intrinsics.resolve(raw)
        properties = resolved if isinstance(resolved, Node) else raw
        if rtype == "AWS::ECS::ClusterCapacityProviderAssociations":
            cluster = intrinsics.resource_of(raw.get("Cluster"))
            providers = properties.get("CapacityProviders")
            if isinstance(cluster, str) and cluster in emitted and emitted[cluster][2] == "AWS::ECS::Cluster":
                value = node_value(providers) if providers is not None else ()
                where = providers.location if providers is not None else raw.location
                attribute = Attribute(v.CAPACITY_PROVIDERS, value if isinstance(value, tuple) else (value,), where)
                _amend(emitted, cluster, [attribute], result)
            continue
        dimension = properties.get("ScalableDimension")
        if dimension is None or dimension.text() != "ecs:service:DesiredCount":
            continue
        services = [
            n
            for n in intrinsics.resources_named(raw.get("ResourceId"))
            if emitted.get(n, ("", "", ""))[2] == "AWS::ECS::Service"
        ]
        if len(services) != 1:
            continue
        bounds = [
            Attribute(canonical, node_value(node), node.location)
            for key, canonical in (("MinCapacity", v.SCALING_MIN), ("MaxCapacity", v.SCALING_MAX))
            if (node := properties.get(key)) is not None
        ]
        _amend(emitted, services[0], bounds, result)


def _amend(
    emitted: dict[str, tuple[Component, Node | None, str]], name: str, attributes: list[Attribute], result: ParseResult
) -> None:
    component, properties, type_name = emitted[name]
    emitted[name] = (result.amend(component, attributes), properties, type_name)


def resource_attributes(type_name: str, properties: Node | None, defaults: Node | None = None) -> list[Attribute]:
    """The canonical attributes of one resource from its (resolved) properties; ``defaults`` fill the gaps."""
    _kind, table = TYPES[type_name]
    attributes = [Attribute("resource_type", type_name, None)]
    for path, canonical in table.items():
        found = collect(properties, path)
        if not found and defaults is not None:
            found = collect(defaults, path)
        if not found or any(a.name == canonical for a in attributes):
            continue
        value = True if canonical == v.LOAD_BALANCED else _merged_value(found)
        if canonical == v.ARCHITECTURE and isinstance(value, tuple) and len(value) == 1:
            value = value[0]
        if canonical == v.CAPACITY_PROVIDERS and not isinstance(value, tuple):
            value = (value,)
        attributes.append(Attribute(canonical, value, found[0].location))
    if type_name == "AWS::ElasticLoadBalancingV2::TargetGroup":
        attributes += _target_group_attributes(properties)
    return attributes + _purchase_attributes(type_name, properties, attributes)


def _target_group_attributes(properties: Node | None) -> list[Attribute]:
    """``TargetGroupAttributes: [{Key: deregistration_delay.timeout_seconds, Value: "30"}]`` -> seconds."""
    for item in _elements(collect(properties, "TargetGroupAttributes")):
        key, value = item.get("Key"), item.get("Value")
        if key is None or value is None or key.text() != "deregistration_delay.timeout_seconds":
            continue
        literal = value.literal()
        if isinstance(literal, str) and literal.strip().isdigit():
            literal = int(literal)
        return [Attribute(v.DEREGISTRATION_DELAY, literal if literal is not None else Unknown("null"), value.location)]
    return []


def _purchase_attributes(
    type_name: str | None, properties: Node | None, attributes: list[Attribute]
) -> list[Attribute]:
    """How capacity is bought, normalised to ``market`` (on_demand | spot | mixed), where it is stated."""
    given = {a.name: a for a in attributes}
    out: list[Attribute] = []
    if type_name == "AWS::ECS::Service":
        markets = {_market(p) for p in _as_tuple(given.get(v.CAPACITY_PROVIDERS))}
        if given.get(v.CAPACITY_PROVIDERS) is not None and None not in markets:
            market = markets.pop() if len(markets) == 1 else "mixed"
            out.append(Attribute(v.MARKET, market or "mixed", given[v.CAPACITY_PROVIDERS].location))
        elif v.LAUNCH_TYPE in given and _market(given[v.LAUNCH_TYPE].value) == "on_demand":
            out.append(Attribute(v.MARKET, "on_demand", given[v.LAUNCH_TYPE].location))
    elif type_name in ("AWS::EC2::LaunchTemplate", "AWS::EC2::Instance") and v.MARKET_TYPE in given:
        market = _market(given[v.MARKET_TYPE].value)
        if market:
            out.append(Attribute(v.MARKET, market, given[v.MARKET_TYPE].location))
    elif type_name == "AWS::AutoScaling::LaunchConfiguration" and v.SPOT_PRICE in given:
        out.append(Attribute(v.MARKET, "spot", given[v.SPOT_PRICE].location))
    elif type_name == "AWS::AutoScaling::AutoScalingGroup":
        policy = properties.get("MixedInstancesPolicy") if properties is not None else None
        if policy is not None:
            percentage = given.get(v.ON_DEMAND_PERCENTAGE)
            value = percentage.value if percentage is not None else 100  # AWS's default
            where = percentage.location if percentage is not None else policy.location
            if percentage is None:
                out.append(Attribute(v.ON_DEMAND_PERCENTAGE, 100, None))
            if isinstance(value, int) and not isinstance(value, bool):
                out.append(
                    Attribute(v.MARKET, "on_demand" if value >= 100 else ("spot" if value <= 0 else "mixed"), where)
                )
    elif type_name == "AWS::EKS::Nodegroup":
        market = _market(given[v.CAPACITY_TYPE].value) if v.CAPACITY_TYPE in given else "on_demand"
        if market:
            where = given[v.CAPACITY_TYPE].location if v.CAPACITY_TYPE in given else None
            out.append(Attribute(v.MARKET, market, where))
    elif type_name == "AWS::Batch::ComputeEnvironment" and v.COMPUTE_TYPE in given:
        market = _market(given[v.COMPUTE_TYPE].value)
        if market:
            out.append(Attribute(v.MARKET, market, given[v.COMPUTE_TYPE].location))
    return out


def _as_tuple(attribute: Attribute | None) -> tuple[AttributeValue, ...]:
    if attribute is None:
        return ()
    return attribute.value if isinstance(attribute.value, tuple) else (attribute.value,)


def _reference(
    result: ParseResult,
    kind: LinkKind,
    component: Component,
    node: Node | None,
    intrinsics: Intrinsics,
    ids: dict[str, str],
    attributes: tuple[Attribute, ...] = (),
    origin: str = "",
) -> None:
    """A link to the resource a property names (`Unknown` when it names none in this template)."""
    if node is None:
        return
    named = intrinsics.resource_of(node)
    expression = render(node) + (f" ({origin})" if origin else "")
    if isinstance(named, str) and named in ids:
        result.link(kind, component, ids[named], node.location, expression, TargetKind.COMPONENT, attributes)
    elif isinstance(named, Unknown) or named is not None:
        result.link(kind, component, Unknown(expression), node.location, expression, TargetKind.COMPONENT, attributes)
    else:
        literal = intrinsics.scalar(node)
        target: str | Unknown = literal if isinstance(literal, str) else Unknown(expression)
        result.link(kind, component, target, node.location, expression, TargetKind.NAME, attributes)


def _template_link(
    result: ParseResult,
    component: Component,
    spec: Node | None,
    intrinsics: Intrinsics,
    ids: dict[str, str],
    overrides: tuple[str | int | float | bool | Unknown, ...] = (),
) -> None:
    """``LaunchTemplate: {LaunchTemplateId|LaunchTemplateName|Id|Name, Version}`` -> a ``launches`` link."""
    if spec is None:
        return
    reference = None
    for key in ("LaunchTemplateId", "LaunchTemplateName", "Id", "Name"):
        reference = spec.get(key)
        if reference is not None:
            break
    extra: list[Attribute] = []
    version = spec.get("Version")
    if version is not None:
        resolved = intrinsics.scalar(version)
        extra.append(
            Attribute("version", resolved if resolved is not None else Unknown(render(version)), version.location)
        )
    if overrides:
        extra.append(Attribute("overrides", overrides, None))
    _reference(result, LinkKind.LAUNCHES, component, reference or spec, intrinsics, ids, tuple(extra))


def _links(
    source: SourceFile,
    intrinsics: Intrinsics,
    ids: dict[str, str],
    component: Component,
    properties: Node | None,
    type_name: str,
    result: ParseResult,
    logical_id: str,
) -> None:
    raw = intrinsics.resources[logical_id].get("Properties") or Node({}, component.location)
    get = raw.get
    if type_name == "AWS::ECS::Service":
        _reference(result, LinkKind.RUNS_TASK, component, get("TaskDefinition"), intrinsics, ids)
        _capacity_links(result, component, properties, raw, intrinsics, ids)
        _reference(result, LinkKind.RUNS_IN, component, get("Cluster"), intrinsics, ids)
        for balancer in (get("LoadBalancers") or Node([], component.location)).elements():
            target_group = balancer.get("TargetGroupArn") or balancer.get("LoadBalancerName")
            _reference(result, LinkKind.LOAD_BALANCED, component, target_group, intrinsics, ids)
    elif type_name == "AWS::AutoScaling::AutoScalingGroup":
        _template_link(result, component, get("LaunchTemplate"), intrinsics, ids)
        if get("LaunchConfigurationName") is not None:
            _reference(result, LinkKind.LAUNCHES, component, get("LaunchConfigurationName"), intrinsics, ids)
        mixed = get("MixedInstancesPolicy", "LaunchTemplate")
        if mixed is not None:
            found = collect(properties, "MixedInstancesPolicy.LaunchTemplate.Overrides.InstanceType")
            flat: tuple[str | int | float | bool | Unknown, ...] = ()
            for override in (node_value(n) for n in found):
                flat += override if isinstance(override, tuple) else (override,)
            _template_link(result, component, mixed.get("LaunchTemplateSpecification"), intrinsics, ids, flat)
    elif type_name in ("AWS::EC2::Instance", "AWS::EKS::Nodegroup"):
        _template_link(result, component, get("LaunchTemplate"), intrinsics, ids)
    elif type_name == "AWS::Batch::ComputeEnvironment":
        _template_link(result, component, get("ComputeResources", "LaunchTemplate"), intrinsics, ids)
    elif type_name == "AWS::ECS::CapacityProvider":
        _reference(
            result, LinkKind.SCALES, component, get("AutoScalingGroupProvider", "AutoScalingGroupArn"), intrinsics, ids
        )
    elif type_name in ("AWS::Lambda::Function", "AWS::Serverless::Function"):
        _lambda_links(source, intrinsics, component, properties, logical_id, result)
    elif type_name == "AWS::SQS::Queue":
        policy = get("RedrivePolicy")
        if policy is not None and policy.get("deadLetterTargetArn") is not None:
            count = collect(properties, "RedrivePolicy.maxReceiveCount")
            extra = tuple(Attribute(v.MAX_RECEIVE_COUNT, node_value(n), n.location) for n in count[:1])
            target = policy.get("deadLetterTargetArn")
            _reference(result, LinkKind.DEAD_LETTERS, component, target, intrinsics, ids, extra)
    elif type_name == "AWS::ECS::TaskDefinition":
        _environment_queues(result, component, get("ContainerDefinitions"), intrinsics, ids)


def _environment_queues(
    result: ParseResult, task: Component, definitions: Node | None, intrinsics: Intrinsics, ids: dict[str, str]
) -> None:
    """Container -> SQS queue for each ``Environment`` value that references an ``AWS::SQS::Queue``."""
    if definitions is None or not isinstance(definitions.value, list):
        return
    containers = {c.name: c for c in result.components if c.parent == task.id}
    for definition in definitions.elements():
        name = definition.get("Name")
        container = containers.get(name.text() or "") if name is not None else None
        if container is None:
            continue
        for variable in collect(definition, "Environment"):
            for item in variable.elements() if isinstance(variable.value, list) else [variable]:
                key, value = item.get("Name"), item.get("Value")
                named = intrinsics.resource_of(value) if value is not None else None
                queue = intrinsics.resources.get(named) if isinstance(named, str) else None
                kind = queue.get("Type") if queue is not None else None
                if key is None or value is None or kind is None or kind.text() != "AWS::SQS::Queue":
                    continue
                extra = (Attribute("env", key.text() or "", key.location),)
                _reference(result, LinkKind.USES_QUEUE, container, value, intrinsics, ids, extra)


def _capacity_links(
    result: ParseResult,
    service: Component,
    properties: Node | None,
    raw: Node | None,
    intrinsics: Intrinsics,
    ids: dict[str, str],
) -> None:
    """Service -> capacity providers (with base and weight), its launch type, or its cluster's default strategy."""
    strategy = _elements(collect(properties, "CapacityProviderStrategy"))
    origin = "CapacityProviderStrategy"
    if not strategy and properties is not None and properties.get("LaunchType") is None:
        strategy, origin = _cluster_default(raw, intrinsics), "the cluster's DefaultCapacityProviderStrategy"
    for item in strategy:
        provider = item.get("CapacityProvider")
        if provider is None:
            continue
        attributes = tuple(
            Attribute(name, node_value(node), node.location)
            for name, node in (("base", item.get("Base")), ("weight", item.get("Weight")))
            if node is not None
        )
        suffix = origin if origin != "CapacityProviderStrategy" else ""
        _reference(result, LinkKind.BUYS_CAPACITY, service, provider, intrinsics, ids, attributes, suffix)
    if strategy:
        return
    launch_type = properties.get("LaunchType") if properties is not None else None
    if launch_type is not None:
        literal = intrinsics.scalar(launch_type)
        target: str | Unknown = literal if isinstance(literal, str) else Unknown(render(launch_type))
        result.link(LinkKind.BUYS_CAPACITY, service, target, launch_type.location, render(launch_type), TargetKind.NAME)
    else:
        where = raw.location if raw is not None else service.location
        expression = "no LaunchType or CapacityProviderStrategy (ECS uses the EC2 launch type)"
        result.link(LinkKind.BUYS_CAPACITY, service, "EC2", where, expression, TargetKind.NAME)


def _cluster_default(raw: Node | None, intrinsics: Intrinsics) -> list[Node]:
    """The default strategy of the service's cluster (on the cluster or its ClusterCapacityProviderAssociations)."""
    cluster = intrinsics.resource_of(raw.get("Cluster")) if raw is not None else None
    if not isinstance(cluster, str):
        return []
    for name, resource in intrinsics.resources.items():
        rtype = (resource.get("Type") or Node(None, resource.location)).text()
        resolved = intrinsics.resolve(resource.get("Properties"))
        if not isinstance(resolved, Node):
            continue
        if rtype == "AWS::ECS::Cluster" and name == cluster:
            found = _elements(collect(resolved, "DefaultCapacityProviderStrategy"))
            if found:
                return found
        if rtype == "AWS::ECS::ClusterCapacityProviderAssociations":
            props = resource.get("Properties")
            if props is not None and intrinsics.resource_of(props.get("Cluster")) == cluster:
                return _elements(collect(resolved, "DefaultCapacityProviderStrategy"))
    return []


def _lambda_links(
    source: SourceFile,
    intrinsics: Intrinsics,
    component: Component,
    properties: Node | None,
    logical_id: str,
    result: ParseResult,
) -> None:
    if properties is None:
        return
    base = posixpath.dirname(source.path)
    image = properties.get("ImageUri") or properties.get("Code", "ImageUri")
    metadata = intrinsics.resources[logical_id].get("Metadata")
    context = metadata.get("DockerContext") if metadata is not None else None
    if context is not None and context.text():
        dockerfile = metadata.get("Dockerfile") if metadata is not None else None
        extra = (Attribute("dockerfile", dockerfile.text() or "Dockerfile", dockerfile.location),) if dockerfile else ()
        result.link_folder(
            LinkKind.RUNS_IMAGE, component, [relative_folder(base, context.text() or "")], context.location,
            f"DockerContext: {context.text()}", extra,
        )  # fmt: skip
    elif image is not None:
        literal = image.literal()
        target = literal if isinstance(literal, str) else Unknown(render(image))
        result.link(LinkKind.RUNS_IMAGE, component, target, image.location, render(image), TargetKind.IMAGE)
    code = properties.get("CodeUri")
    if code is None:
        code = properties.get("Code")
        if code is not None and (code.get("ZipFile") is not None or code.get("ImageUri") is not None):
            code = None
    if code is not None:
        _code_link(result, component, code, base, LinkKind.HAS_CODE, ())
    for layer in collect(properties, "Layers"):
        named = intrinsics.resource_of(layer)
        layer_resource = intrinsics.resources.get(named) if isinstance(named, str) else None
        content = None
        if layer_resource is not None:
            content = layer_resource.get("Properties", "ContentUri") or layer_resource.get("Properties", "Content")
        layer_name = named if isinstance(named, str) else render(layer)
        extra = (Attribute("layer", layer_name, layer.location),)
        if content is not None:
            _code_link(result, component, content, base, LinkKind.HAS_CODE, extra)
        else:
            literal = layer.literal()
            target = literal if isinstance(literal, str) else Unknown(render(layer))
            result.link(LinkKind.HAS_CODE, component, target, layer.location, render(layer), TargetKind.NAME, extra)


def _code_link(
    result: ParseResult, component: Component, code: Node, base: str, kind: LinkKind, extra: tuple[Attribute, ...]
) -> None:
    text = code.text()
    if text is not None and not text.startswith("s3://"):
        folder = relative_folder(base, text)
        if folder is not None and posixpath.splitext(folder)[1] in (".zip", ".jar"):
            folder = posixpath.dirname(folder) if folder else folder
        result.link_folder(kind, component, [folder], code.location, text, extra)
    else:
        result.link(kind, component, Unknown(render(code)), code.location, render(code), TargetKind.FOLDER, extra)


def _strings(node: Node) -> list[str | Unknown]:
    texts = [(e.text(), e) for e in node.elements()]
    return [text if text is not None else Unknown(render(e)) for text, e in texts]


def add_container(
    result: ParseResult,
    container: Node,
    parent: Component,
    resolve: Callable[[Node], AttributeValue | None] = Node.literal,
) -> None:
    """A container definition (CFN or task-definition JSON) -> container_image and its ``runs_image`` link."""
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
        (("Essential", "essential"), v.ESSENTIAL),
    ):
        for key in keys:
            node = container.get(key)
            if node is not None and node.scalar is not None:
                attributes.append(Attribute(canonical, node.scalar, node.location))
    for keys, canonical in ((("Command", "command"), v.COMMAND), (("EntryPoint", "entryPoint"), v.ENTRY_POINT)):
        for key in keys:
            node = container.get(key)
            if node is not None and isinstance(node.value, list):
                attributes.append(Attribute(canonical, tuple(_strings(node)), node.location))
    for path in ("LinuxParameters.InitProcessEnabled", "linuxParameters.initProcessEnabled"):
        found = collect(container, path)
        if found and isinstance(found[0].literal(), bool):
            attributes.append(Attribute(v.INIT_PROCESS, bool(found[0].literal()), found[0].location))
    label = name or (value if isinstance(value, str) else render(image))
    component = result.add(ComponentKind.CONTAINER_IMAGE, str(label), image.location, attributes, parent.id)
    target = value if isinstance(value, str) else Unknown(render(image))
    result.link(LinkKind.RUNS_IMAGE, component, target, image.location, render(image), TargetKind.IMAGE)


__all__ = ["PARAMETERS", "TYPES", "Location", "add_container", "collect", "extract", "is_template", "node_value"]
