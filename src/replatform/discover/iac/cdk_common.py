"""AWS CDK, language-neutral: construct calls -> compute components.

The TypeScript and Python front ends turn syntax into `Call`/`Ref`/literal
values with spans; this module resolves CDK enums and helpers
(``InstanceType.of``, ``ContainerImage.fromAsset``) and maps construct props
onto the canonical attribute names. Anything not literal stays `Unknown`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from replatform.discover import compute_vocabulary as v
from replatform.discover.result import ParseResult, relative_folder
from replatform.discover.software.runtime_pins import add_lambda_runtime
from replatform.discover.source import SourceFile
from replatform.discover.syntax import Spanned
from replatform.discover.tree import EXPRESSION_KEY, Node
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


@dataclass(frozen=True)
class Ref:
    """A dotted name such as ``lambda.Architecture.ARM_64`` or a variable."""

    dotted: str


@dataclass
class Call:
    """A call or ``new``: callee as written, positional and keyword arguments."""

    callee: str
    args: list[Spanned]
    kwargs: dict[str, Spanned] = field(default_factory=dict)
    is_new: bool = False
    assigned_to: str | None = None


def camel(name: str) -> str:
    """``memory_size`` -> ``memorySize`` (Python props share the TypeScript table)."""
    head, *rest = name.split("_")
    joined = head + "".join(part[:1].upper() + part[1:] for part in rest)
    return _CAMEL_EXCEPTIONS.get(joined, joined)


# Props whose TypeScript spelling is not plain camel case of the Python name.
_CAMEL_EXCEPTIONS = {
    "memoryLimitMib": "memoryLimitMiB",
    "memoryReservationMib": "memoryReservationMiB",
    "memoryMib": "memoryMiB",
}


# --------------------------------------------------------------- enums


_INSTANCE_CLASS_ALIASES = {
    "STANDARD5": "m5",
    "STANDARD5_AMD": "m5a",
    "STANDARD6_INTEL": "m6i",
    "STANDARD6_AMD": "m6a",
    "STANDARD6_GRAVITON": "m6g",
    "STANDARD7_INTEL": "m7i",
    "STANDARD7_AMD": "m7a",
    "STANDARD7_GRAVITON": "m7g",
    "STANDARD8_GRAVITON4": "m8g",
    "COMPUTE5": "c5",
    "COMPUTE5_AMD": "c5a",
    "COMPUTE6_INTEL": "c6i",
    "COMPUTE6_AMD": "c6a",
    "COMPUTE6_GRAVITON2": "c6g",
    "COMPUTE7_INTEL": "c7i",
    "COMPUTE7_AMD": "c7a",
    "COMPUTE7_GRAVITON3": "c7g",
    "COMPUTE8_GRAVITON4": "c8g",
    "MEMORY5": "r5",
    "MEMORY5_AMD": "r5a",
    "MEMORY6_INTEL": "r6i",
    "MEMORY6_AMD": "r6a",
    "MEMORY6_GRAVITON": "r6g",
    "MEMORY7_INTEL": "r7i",
    "MEMORY7_AMD": "r7a",
    "MEMORY7_GRAVITON": "r7g",
    "MEMORY8_GRAVITON": "r8g",
    "BURSTABLE2": "t2",
    "BURSTABLE3": "t3",
    "BURSTABLE3_AMD": "t3a",
    "BURSTABLE4_GRAVITON": "t4g",
}
_RUNTIME_MEMBER = re.compile(
    r"^(PYTHON|NODEJS|JAVA|DOTNET|RUBY|PROVIDED|GO)_?([0-9_X]*|AL2023|AL2)?(?:_(AL2023|AL2))?$"
)


def _instance_size(member: str) -> str:
    match = re.fullmatch(r"XLARGE(\d+)", member)
    if match:
        return f"{match.group(1)}xlarge"
    return member.lower()


def _runtime(member: str) -> str | None:
    match = _RUNTIME_MEMBER.match(member)
    if not match:
        return None
    family, version = match.group(1).lower(), (match.group(2) or "")
    if family == "provided":
        suffix = version.lower() or ""
        return f"provided.{suffix}" if suffix else "provided"
    parts = version.split("_") if version else []
    if family == "nodejs":
        numbers = [p for p in parts if p and p != "X"]
        return f"nodejs{'.'.join(numbers)}.x" if numbers else "nodejs"
    return family + ".".join(p for p in parts if p)


def resolve_enum(dotted: str) -> str | None:
    """The value of a CDK enum member (by its last two segments), or None."""
    segments = dotted.split(".")
    if len(segments) < 2:
        return None
    enum, member = segments[-2], segments[-1]
    if enum == "Architecture":
        return {"X86_64": "x86_64", "ARM_64": "arm64"}.get(member)
    if enum in ("CpuArchitecture", "OperatingSystemFamily", "NodegroupAmiType", "CapacityType", "Compatibility"):
        return member
    if enum == "AmazonLinuxCpuType":
        return {"X86_64": "x86_64", "ARM_64": "arm64"}.get(member)
    if enum == "Platform":
        return {"LINUX_AMD64": "linux/amd64", "LINUX_ARM64": "linux/arm64"}.get(member)
    if enum == "InstanceClass":
        return _INSTANCE_CLASS_ALIASES.get(member, member.lower())
    if enum == "InstanceSize":
        return _instance_size(member)
    if enum == "Runtime":
        return _runtime(member)
    if enum == "FargatePlatformVersion":
        return member.replace("VERSION", "").replace("_", ".") if member != "LATEST" else "LATEST"
    return None


# --------------------------------------------------------------- evaluation


class Constants:
    """Values assigned to names, per scope, so a use resolves to the assignment it can see.

    A name assigned more than once in the scope a use sees (an if/else, a
    reassignment) has no single value: it resolves to nothing and stays `Unknown`.
    """

    def __init__(self) -> None:
        self._assigned: dict[str, list[tuple[int, int, Spanned, bool]]] = {}

    def assign(self, name: str, value: Spanned, scope: tuple[int, int], reassign: bool = False) -> None:
        """Record ``name = value`` in ``scope``; ``reassign`` for an assignment that is not a declaration."""
        self._assigned.setdefault(name, []).append((scope[0], scope[1], value, reassign))

    def __contains__(self, name: object) -> bool:
        return name in self._assigned

    def names(self) -> list[str]:
        return list(self._assigned)

    def get(self, dotted: str, position: int = -1) -> Spanned | None:
        """The one value ``dotted`` has at ``position`` (None when unknown or ambiguous)."""
        for name in dict.fromkeys((dotted, dotted.removeprefix("this."), dotted.removeprefix("self."))):
            found = self._visible(name, position)
            if found is not None:
                return found
        head, _, member = dotted.rpartition(".")
        if head and member:  # config.cpu -> the member of an object constant; Stack.CPU -> a class constant
            owner = self.get(head, position)
            if owner is not None and isinstance(owner.value, dict) and isinstance(owner.value.get(member), Spanned):
                found_member: Spanned = owner.value[member]
                return found_member
            if head[:1].isupper() and "." not in head:
                return self._visible(member, -1)
        return None

    def _visible(self, name: str, position: int) -> Spanned | None:
        entries = self._assigned.get(name)
        if not entries:
            return None
        if position >= 0:
            containing = [e for e in entries if e[0] <= position < e[1]]
            if containing and not any(e[3] for e in containing):
                innermost = min(e[1] - e[0] for e in containing)
                entries = [e for e in containing if e[1] - e[0] == innermost]
            elif containing:
                entries = containing  # a later reassignment: every visible value counts
        if len(entries) != 1:
            return None  # assigned in more than one place (an if/else, a reassignment): no single value
        return entries[0][2]


class Evaluator:
    """Turn front-end values into attribute values (literal or `Unknown`)."""

    def __init__(self, constants: Constants) -> None:
        self.constants = constants

    def value(self, spanned: Spanned | None, depth: int = 0) -> Any:
        """Plain value: scalars, dicts/lists of values, or `Unknown`."""
        if spanned is None:
            return None
        raw = spanned.value
        if isinstance(raw, Ref):
            enum = resolve_enum(raw.dotted)
            if enum is not None:
                return enum
            found = self.constants.get(raw.dotted, spanned.location.start_byte) if depth < 5 else None
            if found is not None and found is not spanned:
                return self.value(found, depth + 1)
            return Unknown(spanned.text)
        if isinstance(raw, Call):
            return self._call(raw, spanned, depth)
        if isinstance(raw, dict):
            return {k: self.value(s, depth) for k, s in raw.items()}
        if isinstance(raw, list):
            return [self.value(s, depth) for s in raw]
        return raw

    def origin(self, spanned: Spanned, depth: int = 0) -> Spanned | None:
        """The value a name resolves to where it is assigned (``SIZE = "m5.large"`` for ``SIZE`` or
        ``InstanceType(SIZE)``), through names assigned from names; None when the value is written in place.
        """
        raw = spanned.value
        if isinstance(raw, Call) and raw.callee.split(".")[-1] == "InstanceType" and len(raw.args) == 1:
            argument = raw.args[0]
            deeper = self.origin(argument, depth)
            return deeper if deeper is not None or depth == 0 else (argument if _literal(argument) else None)
        if not isinstance(raw, Ref) or resolve_enum(raw.dotted) is not None or depth >= 5:
            return None
        found = self.constants.get(raw.dotted, spanned.location.start_byte)
        if found is None or found is spanned:
            return None
        return self.origin(found, depth + 1) or (found if _literal(found) else None)

    def _call(self, call: Call, spanned: Spanned, depth: int) -> Any:
        tail = ".".join(call.callee.split(".")[-2:])
        last = call.callee.split(".")[-1]
        args = [self.value(a, depth) for a in call.args]
        if tail.startswith("Duration.") and len(args) == 1:
            return _duration_seconds(last, args[0], spanned.text)
        if tail == "InstanceType.of" and len(args) == 2 and all(isinstance(a, str) for a in args):
            return f"{args[0]}.{args[1]}"
        if last == "InstanceType" and len(args) == 1 and isinstance(args[0], str):
            return args[0]
        image_helper = any(part in call.callee for part in ("ContainerImage", "DockerImageCode", "EcrImage"))
        if camel(last) in ("fromAsset", "fromImageAsset", "fromAssetImage") and image_helper:
            props = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
            props = {camel(k): val for k, val in props.items()} | {
                camel(k): self.value(s, depth) for k, s in call.kwargs.items()
            }
            directory = self.path(call.args[0], depth) if call.args else Unknown(spanned.text)
            return {"__image_asset__": directory, **props}
        if camel(last) == "fromAsset" and call.callee.split(".")[-2:-1] == ["Code"]:
            return {"__code_asset__": self.path(call.args[0], depth) if call.args else Unknown(spanned.text)}
        if camel(last) in ("fromRegistry", "fromEcrRepository", "fromDockerImageAsset") and image_helper:
            if args and isinstance(args[0], str):
                return {"__image_registry__": args[0]}
            return Unknown(spanned.text)
        if last in ("RuntimePlatform",) or camel(last).startswith("latestAmazonLinux") or last == "props":
            merged: dict[str, Any] = {}
            for arg in args:
                if isinstance(arg, dict):
                    merged.update(arg)
            merged.update({camel(k): self.value(s, depth) for k, s in call.kwargs.items()})
            return merged
        return Unknown(spanned.text)

    def path(self, spanned: Spanned, depth: int = 0) -> Any:
        """An asset path: a literal (relative to the CDK app) or ``path.join(__dirname, ...)`` (to this file).

        A path relative to this file is returned as ``__file__/...`` so discovery can anchor it.
        """
        raw = spanned.value
        if isinstance(raw, Call) and raw.callee.split(".")[-1] in ("join", "resolve") and raw.args:
            first = raw.args[0]
            anchored = (isinstance(first.value, Ref) and first.value.dotted in ("__dirname", "__file__")) or (
                isinstance(first.value, Call) and first.value.callee.endswith("dirname")
            )
            parts = [self.value(a, depth + 1) for a in raw.args[1:]]
            if anchored and all(isinstance(p, str) for p in parts):
                return "/".join(["__file__", *parts])
            return Unknown(spanned.text)
        value = self.value(spanned, depth + 1)
        return value if isinstance(value, str) else Unknown(spanned.text)


def _literal(spanned: Spanned) -> bool:
    """A value written as a literal: a string, number or CDK enum member (``Architecture.X86_64``)."""
    raw = spanned.value
    if isinstance(raw, Ref):
        return resolve_enum(raw.dotted) is not None
    return isinstance(raw, (str, int, float)) and not isinstance(raw, bool)


_SECONDS_PER = {"millis": 0.001, "seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def _duration_seconds(unit: str, amount: Any, text: str) -> Any:
    """``Duration.minutes(5)`` -> 300 (seconds; an int when whole), `Unknown` for anything else."""
    factor = _SECONDS_PER.get(unit)
    if factor is None or isinstance(amount, bool) or not isinstance(amount, (int, float)):
        return Unknown(text)
    seconds = amount * factor
    return int(seconds) if float(seconds).is_integer() else seconds


# --------------------------------------------------------------- constructs

#: ``sqs.Queue`` props the worker checks read (durations in seconds).
QUEUE_PROPS = {
    "visibilityTimeout": v.VISIBILITY_TIMEOUT,
    "receiveMessageWaitTime": v.RECEIVE_WAIT_SECONDS,
}

LAMBDA_PROPS = {
    "architecture": v.ARCHITECTURE,
    "memorySize": v.MEMORY_MB,
    "runtime": v.RUNTIME,
    "timeout": v.TIMEOUT,
    "handler": v.HANDLER,
}
TASK_PROPS = {
    "cpu": v.CPU,
    "memoryLimitMiB": v.MEMORY_MB,
    "memoryMiB": v.MEMORY_MB,  # a generic TaskDefinition's, a string ('4096')
    "runtimePlatform.cpuArchitecture": v.ARCHITECTURE,
    "runtimePlatform.operatingSystemFamily": v.OS_FAMILY,
    "compatibility": v.COMPATIBILITIES,
}
SERVICE_PROPS = {
    "desiredCount": v.DESIRED_COUNT,
    "platformVersion": v.PLATFORM_VERSION,
    "minHealthyPercent": "min_healthy_percent",
    **TASK_PROPS,
}
INSTANCE_PROPS = {
    "instanceType": v.INSTANCE_TYPE,
    "machineImage.cpuType": "ami_cpu_type",
    "minCapacity": v.MIN_SIZE,
    "maxCapacity": v.MAX_SIZE,
    "desiredCapacity": v.DESIRED_COUNT,
    "spotPrice": v.SPOT_PRICE,
}
NODEGROUP_PROPS = {
    "instanceTypes": v.INSTANCE_TYPES,
    "amiType": v.AMI_TYPE,
    "capacityType": v.CAPACITY_TYPE,
    "desiredSize": v.DESIRED_COUNT,
    "minSize": v.MIN_SIZE,
    "maxSize": v.MAX_SIZE,
}
BATCH_PROPS = {"instanceTypes": v.INSTANCE_TYPES, "spot": "spot", "maxvCpus": v.MAX_VCPUS}
SAGEMAKER_PROPS = {"instanceType": v.INSTANCE_TYPE, "productionVariants.instanceType": v.INSTANCE_TYPE}

CONSTRUCTS: dict[str, tuple[ComponentKind, dict[str, str]]] = {
    **{
        name: (ComponentKind.LAMBDA_FUNCTION, LAMBDA_PROPS)
        for name in (
            "Function",
            "NodejsFunction",
            "PythonFunction",
            "DockerImageFunction",
            "GoFunction",
            "SingletonFunction",
        )
    },
    **{
        name: (ComponentKind.ECS_TASK_DEFINITION, TASK_PROPS)
        for name in ("FargateTaskDefinition", "Ec2TaskDefinition", "TaskDefinition")
    },
    **{
        name: (ComponentKind.ECS_SERVICE, SERVICE_PROPS)
        for name in (
            "FargateService",
            "Ec2Service",
            "ApplicationLoadBalancedFargateService",
            "NetworkLoadBalancedFargateService",
            "QueueProcessingFargateService",
            "ScheduledFargateTask",
            "ApplicationLoadBalancedEc2Service",
            "NetworkLoadBalancedEc2Service",
            "QueueProcessingEc2Service",
            "ScheduledEc2Task",
        )
    },
    "Instance": (ComponentKind.EC2_INSTANCE, INSTANCE_PROPS),
    "LaunchTemplate": (ComponentKind.LAUNCH_TEMPLATE, INSTANCE_PROPS),
    "AutoScalingGroup": (ComponentKind.AUTOSCALING_GROUP, INSTANCE_PROPS),
    "addAutoScalingGroupCapacity": (ComponentKind.AUTOSCALING_GROUP, INSTANCE_PROPS),
    "addCapacity": (ComponentKind.AUTOSCALING_GROUP, INSTANCE_PROPS),
    "Nodegroup": (ComponentKind.EKS_NODE_GROUP, NODEGROUP_PROPS),
    "addNodegroupCapacity": (ComponentKind.EKS_NODE_GROUP, NODEGROUP_PROPS),
    "FargateProfile": (ComponentKind.EKS_FARGATE_PROFILE, {}),
    "addFargateProfile": (ComponentKind.EKS_FARGATE_PROFILE, {}),
    "ManagedEc2EcsComputeEnvironment": (ComponentKind.BATCH_COMPUTE_ENVIRONMENT, BATCH_PROPS),
    "ManagedEc2EksComputeEnvironment": (ComponentKind.BATCH_COMPUTE_ENVIRONMENT, BATCH_PROPS),
    "FargateComputeEnvironment": (ComponentKind.BATCH_COMPUTE_ENVIRONMENT, BATCH_PROPS),
    "CfnEndpointConfig": (ComponentKind.SAGEMAKER_JOB, SAGEMAKER_PROPS),
    "CfnNotebookInstance": (ComponentKind.SAGEMAKER_JOB, SAGEMAKER_PROPS),
}
_LOAD_BALANCED = ("ApplicationLoadBalanced", "NetworkLoadBalanced")
_METHOD_CONSTRUCTS = {"addAutoScalingGroupCapacity", "addCapacity", "addNodegroupCapacity", "addFargateProfile"}


def _props(call: Call, is_method: bool, location: Location | None = None) -> tuple[str | None, Spanned | None]:
    """(construct id, props) from ``(scope, id, props)`` or ``(id, props)``, positional or keyword."""
    args = call.args
    offset = 0 if is_method else 1
    ident = args[offset] if len(args) > offset else None
    props = args[offset + 1] if len(args) > offset + 1 else None
    if call.kwargs:  # Python: keyword props, anywhere (``add_container(id="web", image=...)``)
        members = {camel(k): s for k, s in call.kwargs.items() if k not in ("scope", "id")}
        where = location or next(iter(call.kwargs.values())).location
        props = Spanned(members, where, "")
        if ident is None and "id" in call.kwargs:
            ident = call.kwargs["id"]
    name = ident.value if ident is not None and isinstance(ident.value, str) else None
    return name, props


def _lookup(props: Spanned | None, path: str, *, first_of_lists: bool = True) -> Spanned | None:
    """The prop at a dotted ``path``, through calls that hold props; a list on the way means its first element
    unless ``first_of_lists`` is False (then a list is where the walk ends: see `_lookup_all`).
    """
    node = props
    for part in path.split("."):
        if node is None:
            return None
        value = node.value
        if first_of_lists and isinstance(value, list) and value:
            node = value[0]
            value = node.value
        if isinstance(value, Call) and (value.kwargs or value.args):
            # RuntimePlatform(...) / latestAmazonLinux2({...}) hold props too
            inner = {camel(k): s for k, s in value.kwargs.items()}
            for arg in value.args:
                if isinstance(arg.value, dict):
                    inner.update(arg.value)
            value = inner
        if not isinstance(value, dict):
            return None
        node = value.get(part)
    return node


def _attribute_value(value: Any, text: str) -> AttributeValue | None:
    if value is None:
        return None
    if isinstance(value, (str, int, float, bool, Unknown)):
        return value
    if isinstance(value, list):
        items = [_attribute_value(item, text) for item in value]
        if all(isinstance(i, (str, int, float, bool, Unknown)) for i in items):
            return tuple(i for i in items if i is not None and not isinstance(i, tuple))
    return Unknown(text)


# L1 constructs are CloudFormation resources with camelCase (TypeScript) or snake_case (Python) props.
L1_TYPES = {
    "CfnFunction": "AWS::Lambda::Function",
    "CfnTaskDefinition": "AWS::ECS::TaskDefinition",
    "CfnService": "AWS::ECS::Service",
    "CfnInstance": "AWS::EC2::Instance",
    "CfnLaunchTemplate": "AWS::EC2::LaunchTemplate",
    "CfnLaunchConfiguration": "AWS::AutoScaling::LaunchConfiguration",
    "CfnAutoScalingGroup": "AWS::AutoScaling::AutoScalingGroup",
    "CfnNodegroup": "AWS::EKS::Nodegroup",
    "CfnComputeEnvironment": "AWS::Batch::ComputeEnvironment",
    "CfnCapacityProvider": "AWS::ECS::CapacityProvider",
}
# ecs_patterns constructs: the launch type they use and whether they run a long-lived service.
_PATTERNS = {
    "ApplicationLoadBalancedFargateService": ("FARGATE", True),
    "NetworkLoadBalancedFargateService": ("FARGATE", True),
    "QueueProcessingFargateService": ("FARGATE", True),
    "ApplicationMultipleTargetGroupsFargateService": ("FARGATE", True),
    "NetworkMultipleTargetGroupsFargateService": ("FARGATE", True),
    "ScheduledFargateTask": ("FARGATE", False),
    "ApplicationLoadBalancedEc2Service": ("EC2", True),
    "NetworkLoadBalancedEc2Service": ("EC2", True),
    "QueueProcessingEc2Service": ("EC2", True),
    "ScheduledEc2Task": ("EC2", False),
}
_LAUNCH_TYPES = {"FargateService": "FARGATE", "Ec2Service": "EC2"}


class _Emitter:
    """Components and links for the recognised construct calls of one file."""

    def __init__(self, source: SourceFile, constants: Constants) -> None:
        self.source = source
        self.result = ParseResult()
        self.evaluator = Evaluator(constants)
        self.by_variable: dict[str, Component] = {}
        self.directory = source.path.rsplit("/", 1)[0] if "/" in source.path else ""
        self.queues: dict[str, str] = {}  # variable -> the queue's component id (``new sqs.Queue``)
        self.scalers: dict[str, Component] = {}  # variable -> the service ``autoScaleTaskCount`` scales

    def variable(self, spanned: Spanned | None) -> Component | None:
        """The component a variable (``taskDef``, ``this.asg``, ``self.asg``, ``td.ref``) names."""
        if spanned is None or not isinstance(spanned.value, Ref):
            return None
        dotted = spanned.value.dotted
        for candidate in (dotted, dotted.rsplit(".", 1)[0]):
            for name in (candidate, candidate.removeprefix("this."), candidate.removeprefix("self.")):
                if name in self.by_variable:
                    return self.by_variable[name]
        return None

    def remember(self, call: Call, component: Component) -> None:
        if call.assigned_to:
            for name in (call.assigned_to, f"this.{call.assigned_to}", f"self.{call.assigned_to}"):
                self.by_variable[name] = component

    def run(self, calls: list[tuple[Call, Location]]) -> ParseResult:
        for call, location in calls:
            last = call.callee.split(".")[-1]
            receiver = call.callee.rsplit(".", 1)[0] if "." in call.callee else ""
            if last in ("addContainer", "add_container"):
                task = self.by_variable.get(receiver) or self.by_variable.get(receiver.removeprefix("this."))
                self.container(call, location, task)
                continue
            if last in L1_TYPES and call.is_new:
                self.level_one(call, location, last)
                continue
            if last in ("AsgCapacityProvider",) and call.is_new:
                self.capacity_provider(call, location)
                continue
            if self.cluster_or_traffic(call, location, camel(last), receiver):
                continue
            if self.queue_evidence(call, location, camel(last), receiver):
                continue
            key = camel(last) if camel(last) in _METHOD_CONSTRUCTS else last
            if key not in CONSTRUCTS or (key in _METHOD_CONSTRUCTS) == call.is_new:
                continue
            if key == "Function" and not call.is_new and "lambda" not in call.callee.lower():
                continue  # a call to some unrelated ``Function(...)``
            self.construct(call, location, key)
        return self.result

    # ---------------------------------------------------------- clusters, target groups, scaling

    def cluster_or_traffic(self, call: Call, location: Location, method: str, receiver: str) -> bool:
        """ECS clusters, load balancer target groups and service auto scaling; True when the call was one."""
        callee = call.callee.lower()
        if call.is_new and method == "Cluster" and ("ecs" in callee or callee == "cluster"):
            name, props = _props(call, False, location)
            if _lookup(props, "version") is None:  # an EKS cluster has a Kubernetes version
                self.ecs_cluster(call, location, name, props)
                return True
        target = self.by_variable.get(receiver) or self.by_variable.get(receiver.removeprefix("this."))
        if method == "enableFargateCapacityProviders" and target is not None:
            self.fargate_providers(target, location)
            return True
        if method == "addAsgCapacityProvider" and target is not None and call.args:
            self.asg_provider(target, call.args[0])
            return True
        if method == "addTargets" or (call.is_new and method in ("ApplicationTargetGroup", "NetworkTargetGroup")):
            self.target_group(call, location, is_method=not call.is_new)
            return True
        if method in ("attachToApplicationTargetGroup", "attachToNetworkTargetGroup") and target is not None:
            if call.args and target.kind is ComponentKind.ECS_SERVICE:
                self.link_to(LinkKind.LOAD_BALANCED, target, call.args[0], self.variable(call.args[0]))
            return True
        if method == "autoScaleTaskCount" and target is not None and target.kind is ComponentKind.ECS_SERVICE:
            _name, props = _props(call, True, location)
            scaled = self.amend(
                target, self.attributes(props, {"minCapacity": v.SCALING_MIN, "maxCapacity": v.SCALING_MAX})
            )
            if call.assigned_to:  # scaleOnMetric on a queue's metric later names the queue this service consumes
                self.scalers[self._bare(call.assigned_to)] = scaled
            return True
        return False

    def amend(self, component: Component, attributes: list[Attribute]) -> Component:
        amended = self.result.amend(component, attributes)
        for name, known in list(self.by_variable.items()):
            if known is component:
                self.by_variable[name] = amended
        return amended

    def ecs_cluster(self, call: Call, location: Location, name: str | None, props: Spanned | None) -> None:
        component = self.result.add(
            ComponentKind.ECS_CLUSTER, name or call.assigned_to or "Cluster", location,
            [Attribute("construct", "Cluster", None)],
        )  # fmt: skip
        self.remember(call, component)
        enabled = _lookup(props, "enableFargateCapacityProviders")
        if enabled is not None and self.evaluator.value(enabled) is True:
            self.fargate_providers(component, enabled.location)

    def fargate_providers(self, cluster: Component, location: Location) -> None:
        """``enableFargateCapacityProviders``: the cluster gets FARGATE and FARGATE_SPOT."""
        if cluster.kind is ComponentKind.ECS_CLUSTER:
            self.amend(cluster, [Attribute(v.CAPACITY_PROVIDERS, ("FARGATE", "FARGATE_SPOT"), location)])

    def asg_provider(self, cluster: Component, provider: Spanned) -> None:
        """``cluster.addAsgCapacityProvider(provider)``: the cluster lists the provider (by its construct id)."""
        if cluster.kind is not ComponentKind.ECS_CLUSTER:
            return
        found = self.variable(provider)
        name: str | Unknown = found.name if found is not None else Unknown(provider.text)
        present = cluster.get(v.CAPACITY_PROVIDERS)
        listed = present if isinstance(present, tuple) else ()
        self.amend(cluster, [Attribute(v.CAPACITY_PROVIDERS, (*listed, name), provider.location)])

    def target_group(self, call: Call, location: Location, *, is_method: bool) -> None:
        """``listener.addTargets(id, {targets, deregistrationDelay})`` or ``new ApplicationTargetGroup``."""
        name, props = _props(call, is_method, location)
        attributes = [Attribute("construct", "addTargets" if is_method else call.callee.split(".")[-1], None)]
        attributes += self.attributes(props, {"deregistrationDelay": v.DEREGISTRATION_DELAY})
        group = self.result.add(
            ComponentKind.LB_TARGET_GROUP, name or call.assigned_to or "TargetGroup", location, attributes
        )
        self.remember(call, group)
        for target in _lookup_all(props, "targets"):
            raw = target.value
            dotted = (
                raw.dotted if isinstance(raw, Ref) else (raw.callee.rsplit(".", 1)[0] if isinstance(raw, Call) else "")
            )
            service = self.by_variable.get(dotted) or self.by_variable.get(dotted.removeprefix("this."))
            if service is not None and service.kind is ComponentKind.ECS_SERVICE:
                self.result.link(LinkKind.LOAD_BALANCED, service, group.id, target.location, target.text)

    # ---------------------------------------------------------- traffic and queues (Spot evidence)

    @staticmethod
    def _bare(name: str) -> str:
        return name.removeprefix("this.").removeprefix("self.")

    def queue_evidence(self, call: Call, location: Location, method: str, receiver: str) -> bool:
        """Queues, queue grants and queue-driven scaling (Spot evidence); True when the call was one."""
        if call.is_new and method == "Queue" and "sqs" in call.callee.lower():
            self.queue(call, location)
            return True
        if method.startswith("grantConsumeMessages") and self._bare(receiver) in self.queues and call.args:
            owner = self.variable(call.args[0])
            if owner is not None:
                self.uses_queue(owner, self.queues[self._bare(receiver)], call.args[0], "role", method)
            return True
        if method in ("scaleOnMetric", "scaleToTrackCustomMetric") and self._bare(receiver) in self.scalers:
            _name, props = _props(call, True, location)
            found = self._queue_in(props)
            if found is not None:
                self.uses_queue(self.scalers[self._bare(receiver)], found[0], found[1], "scaling", method)
            return True
        return False

    def queue(self, call: Call, location: Location) -> None:
        """``new sqs.Queue(...)``: an SQS queue component with its timeouts and its dead-letter queue, as in the
        other formats (the worker checks read the visibility timeout and ``maxReceiveCount`` from it).
        """
        name, props = _props(call, False, location)
        attributes = [Attribute("construct", "Queue", None), *self.attributes(props, QUEUE_PROPS)]
        component = self.result.add(ComponentKind.SQS_QUEUE, name or call.assigned_to or "Queue", location, attributes)
        self.remember(call, component)
        if call.assigned_to:
            self.queues[self._bare(call.assigned_to)] = component.id
        dead = _lookup(props, "deadLetterQueue.queue")
        target = self._queue_in(dead) if dead is not None else None
        if dead is not None:
            count = _lookup(props, "deadLetterQueue.maxReceiveCount")
            value = _attribute_value(self.evaluator.value(count), count.text) if count is not None else None
            extra = (Attribute(v.MAX_RECEIVE_COUNT, value, count.location),) if count and value is not None else ()
            self.result.link(
                LinkKind.DEAD_LETTERS, component, target[0] if target is not None else Unknown(dead.text),
                dead.location, dead.text, TargetKind.COMPONENT, extra,
            )  # fmt: skip

    def uses_queue(self, owner: Component, queue: str, where: Spanned, via: str, name: str) -> None:
        """A ``uses_queue`` link: ``env`` (a container's environment variable ``name``) like the other formats,
        else ``via`` role / scaling / pattern with the ``name`` of what says so.
        """
        attributes = (
            (Attribute("env", name, None),)
            if via == "env"
            else (Attribute("via", via, None), Attribute("name", name, None))
        )
        kind = TargetKind.COMPONENT if queue in self.queues.values() else TargetKind.NAME
        self.result.link(LinkKind.USES_QUEUE, owner, queue, where.location, where.text, kind, attributes)

    def _queue_in(self, spanned: Spanned | None, depth: int = 0) -> tuple[str, Spanned] | None:
        """The first ``queue.*`` reference inside a value (``queue.queueUrl``, ``queue.metric...()``)."""
        if spanned is None or depth > 6:
            return None
        raw = spanned.value
        heads: list[str] = []
        if isinstance(raw, Ref):
            heads = [raw.dotted]
        elif isinstance(raw, Call):
            heads = [raw.callee]
        for head in heads:
            parts = self._bare(head).split(".")
            for n in range(len(parts), 0, -1):
                if ".".join(parts[:n]) in self.queues:
                    return self.queues[".".join(parts[:n])], spanned
        children: list[Spanned] = []
        if isinstance(raw, Call):
            children = [*raw.args, *raw.kwargs.values()]
        elif isinstance(raw, dict):
            children = list(raw.values())
        elif isinstance(raw, list):
            children = list(raw)
        for child in children:
            found = self._queue_in(child, depth + 1)
            if found is not None:
                return found
        return None

    def environment_queues(self, owner: Component, props: Spanned | None, path: str = "environment") -> None:
        """Environment variables whose value is a queue's URL, ARN or name -> ``uses_queue`` (via env)."""
        environment = _lookup(props, path, first_of_lists=False)
        if environment is None or not isinstance(environment.value, dict):
            return
        for key, value in environment.value.items():
            found = self._queue_in(value)
            if found is not None:
                self.uses_queue(owner, found[0], found[1], "env", str(key))

    def attributes(self, props: Spanned | None, table: dict[str, str]) -> list[Attribute]:
        out = []
        for path, canonical in table.items():
            found = _lookup(props, path)
            if found is None:
                continue
            value = _attribute_value(self.evaluator.value(found), found.text)
            if value is not None:
                origin = self.evaluator.origin(found)
                out.append(Attribute(canonical, value, found.location, origin.location if origin else None))
        return out

    def construct(self, call: Call, location: Location, key: str) -> None:
        kind, table = CONSTRUCTS[key]
        name, props = _props(call, key in _METHOD_CONSTRUCTS, location)
        attributes = [Attribute("construct", key, None)]
        pattern = _PATTERNS.get(key)
        if pattern is not None and not pattern[1]:
            kind = ComponentKind.ECS_TASK_DEFINITION  # a scheduled task: no long-lived service
            attributes.append(Attribute("schedule", True, None))
        attributes += self.attributes(props, table if pattern is None or pattern[1] else TASK_PROPS)
        if key.startswith(_LOAD_BALANCED):
            attributes.append(Attribute(v.LOAD_BALANCED, True, None))
        attributes += self.purchase(kind, key, props)
        component = self.result.add(kind, name or call.assigned_to or key, location, attributes)
        self.remember(call, component)
        add_lambda_runtime(self.result, component)
        if kind is ComponentKind.ECS_SERVICE:
            self.service_links(component, props, key, location)
            self.pattern_links(component, props, key, location)
        elif kind is ComponentKind.LAMBDA_FUNCTION:
            self.lambda_links(component, props, key)
        elif kind in (ComponentKind.AUTOSCALING_GROUP, ComponentKind.EC2_INSTANCE, ComponentKind.EKS_NODE_GROUP):
            template = _lookup(props, "launchTemplate") or _lookup(props, "mixedInstancesPolicy.launchTemplate")
            target = self.variable(template)
            if template is not None:
                self.link_to(LinkKind.LAUNCHES, component, template, target, self.overrides(props))
        if pattern is not None and not pattern[1]:
            self.images(component, props)

    def purchase(self, kind: ComponentKind, key: str, props: Spanned | None) -> list[Attribute]:
        """``market`` where the construct states how its capacity is bought."""
        out: list[Attribute] = []
        if kind is ComponentKind.ECS_SERVICE:
            strategies = _lookup_all(props, "capacityProviderStrategies")
            names = [self.evaluator.value(_lookup(s, "capacityProvider")) for s in strategies]
            if strategies and all(isinstance(n, str) and n in ("FARGATE", "FARGATE_SPOT") for n in names):
                markets = {"spot" if n == "FARGATE_SPOT" else "on_demand" for n in names}
                market = markets.pop() if len(markets) == 1 else "mixed"
                out.append(Attribute(v.MARKET, market, strategies[0].location))
                out.append(Attribute(v.CAPACITY_PROVIDERS, tuple(str(n) for n in names), strategies[0].location))
            elif not strategies and (_LAUNCH_TYPES.get(key) == "FARGATE" or _PATTERNS.get(key, ("",))[0] == "FARGATE"):
                out.append(Attribute(v.LAUNCH_TYPE, "FARGATE", None))
                out.append(Attribute(v.MARKET, "on_demand", None))
            elif not strategies and (_LAUNCH_TYPES.get(key) == "EC2" or _PATTERNS.get(key, ("",))[0] == "EC2"):
                out.append(Attribute(v.LAUNCH_TYPE, "EC2", None))
        elif kind in (ComponentKind.AUTOSCALING_GROUP, ComponentKind.EC2_INSTANCE, ComponentKind.LAUNCH_TEMPLATE):
            spot = _lookup(props, "spotPrice") or _lookup(props, "spotOptions")
            percentage = _lookup(
                props, "mixedInstancesPolicy.instancesDistribution.onDemandPercentageAboveBaseCapacity"
            )
            if spot is not None:
                out.append(Attribute(v.MARKET, "spot", spot.location))
            elif percentage is not None:
                value = self.evaluator.value(percentage)
                if isinstance(value, int) and not isinstance(value, bool):
                    out.append(Attribute(v.ON_DEMAND_PERCENTAGE, value, percentage.location))
                    market = "on_demand" if value >= 100 else ("spot" if value <= 0 else "mixed")
                    out.append(Attribute(v.MARKET, market, percentage.location))
        elif kind is ComponentKind.EKS_NODE_GROUP:
            capacity = _lookup(props, "capacityType")
            value = self.evaluator.value(capacity) if capacity is not None else "ON_DEMAND"
            if isinstance(value, str) and value.upper() in ("SPOT", "ON_DEMAND"):
                out.append(Attribute(v.MARKET, value.lower(), capacity.location if capacity is not None else None))
        elif kind is ComponentKind.BATCH_COMPUTE_ENVIRONMENT:
            spot = _lookup(props, "spot")
            if spot is not None and self.evaluator.value(spot) is True:
                out.append(Attribute(v.MARKET, "spot", spot.location))
        return out

    def overrides(self, props: Spanned | None) -> tuple[Attribute, ...]:
        """The instance types of a mixed-instances policy's ``launchTemplateOverrides``, in order, as the
        ``overrides`` of the launch link (what the group runs in place of its template's type).
        """
        found = _lookup_all(props, "mixedInstancesPolicy.launchTemplateOverrides")
        types = []
        for override in found:
            value = self.evaluator.value(_lookup(override, "instanceType"))
            types.append(value if isinstance(value, str) else Unknown(_lookup_text(override, "instanceType")))
        return (Attribute("overrides", tuple(types), found[0].location),) if found else ()

    def link_to(
        self,
        kind: LinkKind,
        component: Component,
        spanned: Spanned,
        target: Component | None,
        extra: tuple[Attribute, ...] = (),
    ) -> None:
        if target is not None:
            self.result.link(kind, component, target.id, spanned.location, spanned.text, TargetKind.COMPONENT, extra)
            return
        value = self.evaluator.value(spanned)
        if isinstance(value, str):
            self.result.link(kind, component, value, spanned.location, spanned.text, TargetKind.NAME)
        else:
            self.result.link(
                kind, component, Unknown(spanned.text), spanned.location, spanned.text, TargetKind.COMPONENT
            )

    def service_links(self, service: Component, props: Spanned | None, key: str, location: Location) -> None:
        cluster = _lookup(props, "cluster")
        if cluster is not None:
            self.link_to(LinkKind.RUNS_IN, service, cluster, self.variable(cluster))
        if key.startswith(_LOAD_BALANCED):
            group = self.result.add(
                ComponentKind.LB_TARGET_GROUP, f"{service.name}/TargetGroup", location,
                [Attribute("construct", f"{key} (the target group the pattern creates)", None)],
            )  # fmt: skip
            self.result.link(LinkKind.LOAD_BALANCED, service, group.id, location, f"{key} (its target group)")
        task_ref = _lookup(props, "taskDefinition")
        if task_ref is not None:
            self.link_to(LinkKind.RUNS_TASK, service, task_ref, self.variable(task_ref))
        elif key in _PATTERNS:
            self.implicit_task(service, props, location)
        for strategy in _lookup_all(props, "capacityProviderStrategies"):
            provider = _lookup(strategy, "capacityProvider")
            if provider is None:
                continue
            extra = tuple(
                Attribute(name, value, found.location)
                for name in ("base", "weight")
                if (found := _lookup(strategy, name)) is not None
                and isinstance(value := self.evaluator.value(found), int)
            )
            target = self.variable(provider)
            if target is not None:
                self.result.link(
                    LinkKind.BUYS_CAPACITY,
                    service,
                    target.id,
                    provider.location,
                    provider.text,
                    TargetKind.COMPONENT,
                    extra,
                )
            else:
                value = self.evaluator.value(provider)
                if isinstance(value, str):
                    self.result.link(
                        LinkKind.BUYS_CAPACITY, service, value, provider.location, provider.text, TargetKind.NAME, extra
                    )
                else:
                    self.result.link(
                        LinkKind.BUYS_CAPACITY,
                        service,
                        Unknown(provider.text),
                        provider.location,
                        provider.text,
                        TargetKind.COMPONENT,
                        extra,
                    )
        if not _lookup_all(props, "capacityProviderStrategies"):
            launch = service.get(v.LAUNCH_TYPE)
            if isinstance(launch, str):
                self.result.link(
                    LinkKind.BUYS_CAPACITY, service, launch, location, f"{key} (launch type {launch})", TargetKind.NAME
                )

    def pattern_links(self, service: Component, props: Spanned | None, key: str, location: Location) -> None:
        """``ecs_patterns`` constructs bring their own load balancer or queue; their env may name queues too."""
        if key.startswith("QueueProcessing"):
            queue = _lookup(props, "queue")
            found = self._queue_in(queue) if queue is not None else None
            target = found[0] if found is not None else f"{service.name} (the queue {key} creates)"
            where = queue if queue is not None else Spanned(None, location, key)
            self.uses_queue(service, target, where, "pattern", key)
        for path in ("taskImageOptions.environment", "environment"):
            self.environment_queues(service, props, path)

    def implicit_task(self, service: Component, props: Spanned | None, location: Location) -> None:
        """An ecs_patterns construct creates its own task definition: X86_64 unless ``runtimePlatform`` says otherwise."""
        attributes = [Attribute("construct", f"{service.get('construct')} (implicit task definition)", None)]
        attributes += self.attributes(props, TASK_PROPS)
        if not any(a.name == v.ARCHITECTURE for a in attributes):
            attributes.append(Attribute("implicit_architecture", "X86_64", None))
        task = self.result.add(ComponentKind.ECS_TASK_DEFINITION, f"{service.name}/TaskDef", location, attributes)
        self.result.link(LinkKind.RUNS_TASK, service, task.id, location, f"{service.name} (implicit task definition)")
        self.images(task, props)

    def images(self, owner: Component, props: Spanned | None) -> None:
        for image_path in ("taskImageOptions.image", "image"):
            found = _lookup(props, image_path)
            if found is not None:
                self.image(found, owner)
                return

    def lambda_links(self, function: Component, props: Spanned | None, key: str) -> None:
        code = _lookup(props, "code")
        if code is not None:
            value = self.evaluator.value(code)
            if isinstance(value, dict) and "__code_asset__" in value:
                self.folder(LinkKind.HAS_CODE, function, value["__code_asset__"], code)
            elif isinstance(value, dict) and ("__image_asset__" in value or "__image_registry__" in value):
                self.image(code, function)
            else:
                self.result.link(
                    LinkKind.HAS_CODE, function, Unknown(code.text), code.location, code.text, TargetKind.FOLDER
                )
        entry = _lookup(props, "entry")
        if entry is not None and key in ("NodejsFunction", "PythonFunction", "GoFunction"):
            path = self.evaluator.path(entry)
            if isinstance(path, str) and key == "NodejsFunction":
                path = path.rsplit("/", 1)[0] if "/" in path else "."
            self.folder(LinkKind.HAS_CODE, function, path, entry)
        for layer in _lookup_all(props, "layers"):
            target = self.variable(layer)
            self.link_to(LinkKind.HAS_CODE, function, layer, target)

    def folder(
        self,
        kind: LinkKind,
        owner: Component,
        path: Any,
        spanned: Spanned,
        extra: tuple[Attribute, ...] = (),
        required: str = "",
    ) -> None:
        """A link to a folder named by an asset path (see `Evaluator.path`)."""
        if not isinstance(path, str):
            self.result.link(
                kind, owner, Unknown(spanned.text), spanned.location, spanned.text, TargetKind.FOLDER, extra
            )
            return
        if path.startswith("__file__/") or path == "__file__":
            candidates = [relative_folder(self.directory, path.removeprefix("__file__").lstrip("/") or ".")]
            self.result.link_folder(kind, owner, candidates, spanned.location, spanned.text, extra, required)
            return
        # Relative to the CDK app's working directory (the folder of cdk.json): tried first, then the
        # enclosing folders of this file, nearest first; the folder must exist (and hold the Dockerfile).
        bases, base = [], self.directory
        while True:
            bases.append(base)
            if not base:
                break
            base = base.rsplit("/", 1)[0] if "/" in base else ""
        candidates = [relative_folder(b, path) for b in bases]
        self.result.link_folder(
            kind, owner, candidates, spanned.location, spanned.text, extra, required, bases, "cdk.json"
        )

    def capacity_provider(self, call: Call, location: Location) -> None:
        name, props = _props(call, False, location)
        component = self.result.add(
            ComponentKind.ECS_CAPACITY_PROVIDER, name or call.assigned_to or "AsgCapacityProvider", location,
            [Attribute("construct", "AsgCapacityProvider", None)],
        )  # fmt: skip
        self.remember(call, component)
        group = _lookup(props, "autoScalingGroup")
        if group is not None:
            self.link_to(LinkKind.SCALES, component, group, self.variable(group))

    def level_one(self, call: Call, location: Location, last: str) -> None:
        """``new lambda.CfnFunction(...)`` and friends, read with the CloudFormation tables."""
        from replatform.discover.iac import cloudformation

        type_name = L1_TYPES[last]
        if last == "CfnFunction" and "sam" in call.callee.lower():
            type_name = "AWS::Serverless::Function"
        name, props = _props(call, False, location)
        properties = _to_node(self.evaluator, props, location)
        attributes = [Attribute("construct", last, None), *cloudformation.resource_attributes(type_name, properties)]
        kind = cloudformation.TYPES[type_name][0]
        component = self.result.add(kind, name or call.assigned_to or last, location, attributes)
        self.remember(call, component)
        add_lambda_runtime(self.result, component)
        if type_name == "AWS::ECS::TaskDefinition":
            for container in (properties.get("ContainerDefinitions") or Node([], location)).elements():
                cloudformation.add_container(self.result, container, component)
        if type_name == "AWS::ECS::Service":
            task_ref = _lookup(props, "taskDefinition")
            if task_ref is not None:
                self.link_to(LinkKind.RUNS_TASK, component, task_ref, self.variable(task_ref))

    def container(self, call: Call, location: Location, parent: Component | None) -> None:
        name, props = _props(call, True, location)
        image = _lookup(props, "image")
        extra = self.attributes(
            props,
            {
                "cpu": v.CPU,
                "memoryLimitMiB": v.MEMORY_MB,
                "stopTimeout": v.STOP_TIMEOUT,
                "command": v.COMMAND,
                "entryPoint": v.ENTRY_POINT,
                "essential": v.ESSENTIAL,
            },
        )
        container = self.image(image, parent, name, extra) if image is not None else None
        if container is not None:
            self.environment_queues(container, props)

    def image(
        self, spanned: Spanned, parent: Component | None, name: str | None = None, extra: list[Attribute] | None = None
    ) -> Component | None:
        value = self.evaluator.value(spanned)
        attributes = list(extra or [])
        folder: Any = None
        if isinstance(value, dict) and "__image_asset__" in value:
            directory = value["__image_asset__"]
            dockerfile = value.get("file", "Dockerfile")
            shown = directory.removeprefix("__file__/") if isinstance(directory, str) else None
            label = f"asset:{shown}/{dockerfile}" if shown is not None else f"asset:{spanned.text}"
            attributes.append(
                Attribute("asset_directory", _attribute_value(shown, spanned.text) or "", spanned.location)
            )
            if isinstance(dockerfile, str):
                attributes.append(Attribute("dockerfile", dockerfile, None))
            platform = value.get("platform")
            if platform is not None:
                attributes.append(Attribute(v.PLATFORM, _attribute_value(platform, spanned.text) or "", None))
            folder = directory
        elif isinstance(value, dict) and "__image_registry__" in value:
            label = str(value["__image_registry__"])
            attributes.append(Attribute(v.IMAGE, label, spanned.location))
        else:
            return None
        component = self.result.add(
            ComponentKind.CONTAINER_IMAGE, name or label, spanned.location, attributes, parent.id if parent else None
        )
        if folder is not None:
            dockerfile_name = value.get("file", "Dockerfile")
            named = dockerfile_name if isinstance(dockerfile_name, str) else ""
            extra_link = (Attribute("dockerfile", named, None),) if named else ()
            self.folder(LinkKind.RUNS_IMAGE, component, folder, spanned, extra_link, named)
        else:
            self.result.link(LinkKind.RUNS_IMAGE, component, label, spanned.location, spanned.text, TargetKind.IMAGE)
        return component


def _lookup_text(props: Spanned | None, path: str) -> str:
    found = _lookup(props, path)
    return found.text if found is not None else f"<no {path}>"


def _lookup_all(props: Spanned | None, path: str) -> list[Spanned]:
    """The elements of a list prop (``capacityProviderStrategies``, ``layers``)."""
    found = _lookup(props, path, first_of_lists=False)
    if found is None:
        return []
    return list(found.value) if isinstance(found.value, list) else [found]


def _pascal(key: str) -> str:
    key = camel(key)
    return key[:1].upper() + key[1:]


def _to_node(evaluator: Evaluator, props: Spanned | None, location: Location) -> Node:
    """CDK L1 props as a CloudFormation property tree (PascalCase keys, evaluated values)."""
    if props is None:
        return Node({}, location)
    raw = props.value
    if isinstance(raw, Call) and (raw.kwargs or raw.args):
        inner = {camel(k): s for k, s in raw.kwargs.items()}
        for arg in raw.args:
            if isinstance(arg.value, dict):
                inner.update(arg.value)
        raw = inner
    if isinstance(raw, dict):
        return Node({_pascal(k): _to_node(evaluator, s, s.location) for k, s in raw.items()}, props.location)
    if isinstance(raw, list):
        return Node([_to_node(evaluator, s, s.location) for s in raw], props.location)
    value = evaluator.value(props)
    if isinstance(value, (str, int, float, bool)):
        return Node(value, props.location)
    return Node({EXPRESSION_KEY: Node(props.text, props.location)}, props.location)


def emit(source: SourceFile, calls: list[tuple[Call, Location]], constants: Constants) -> ParseResult:
    """Components and links for every recognised construct call in one file."""
    return _Emitter(source, constants).run(calls)
