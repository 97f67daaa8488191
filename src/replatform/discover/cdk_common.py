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
from replatform.discover.result import ParseResult
from replatform.discover.runtime_pins import add_lambda_runtime
from replatform.discover.source import SourceFile
from replatform.discover.syntax import Spanned
from replatform.model import Attribute, AttributeValue, ComponentKind, Location, Unknown


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
_CAMEL_EXCEPTIONS = {"memoryLimitMib": "memoryLimitMiB", "memoryReservationMib": "memoryReservationMiB"}


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


class Evaluator:
    """Turn front-end values into attribute values (literal or `Unknown`)."""

    def __init__(self, constants: dict[str, Spanned]) -> None:
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
            if raw.dotted in self.constants and depth < 5:
                return self.value(self.constants[raw.dotted], depth + 1)
            return Unknown(spanned.text)
        if isinstance(raw, Call):
            return self._call(raw, spanned, depth)
        if isinstance(raw, dict):
            return {k: self.value(s, depth) for k, s in raw.items()}
        if isinstance(raw, list):
            return [self.value(s, depth) for s in raw]
        return raw

    def _call(self, call: Call, spanned: Spanned, depth: int) -> Any:
        tail = ".".join(call.callee.split(".")[-2:])
        last = call.callee.split(".")[-1]
        args = [self.value(a, depth) for a in call.args]
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
            return {"__image_asset__": args[0] if args else Unknown(spanned.text), **props}
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


# --------------------------------------------------------------- constructs

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
    "runtimePlatform.cpuArchitecture": v.ARCHITECTURE,
    "runtimePlatform.operatingSystemFamily": v.OS_FAMILY,
    "compatibility": v.COMPATIBILITIES,
}
SERVICE_PROPS = {
    "desiredCount": v.DESIRED_COUNT,
    "platformVersion": v.PLATFORM_VERSION,
    "capacityProviderStrategies.capacityProvider": v.CAPACITY_PROVIDERS,
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


def _props(call: Call, is_method: bool) -> tuple[str | None, Spanned | None]:
    """(construct id, props) from ``(scope, id, props)`` or ``(id, props)``."""
    args = call.args
    offset = 0 if is_method else 1
    ident = args[offset] if len(args) > offset else None
    props = args[offset + 1] if len(args) > offset + 1 else None
    if call.kwargs:  # Python: keyword props
        props = Spanned({camel(k): s for k, s in call.kwargs.items()}, call.args[0].location, "")
        if ident is None and "id" in call.kwargs:
            ident = call.kwargs["id"]
    name = ident.value if ident is not None and isinstance(ident.value, str) else None
    return name, props


def _lookup(props: Spanned | None, path: str) -> Spanned | None:
    node = props
    for part in path.split("."):
        if node is None:
            return None
        value = node.value
        if isinstance(value, list) and value:
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


def emit(source: SourceFile, calls: list[tuple[Call, Location]], constants: dict[str, Spanned]) -> ParseResult:
    """Components for every recognised construct call in one file."""
    result = ParseResult()
    evaluator = Evaluator(constants)
    by_variable: dict[str, str] = {}
    for call, location in calls:
        last = call.callee.split(".")[-1]
        receiver = call.callee.rsplit(".", 1)[0] if "." in call.callee else ""
        if last in ("addContainer", "add_container"):
            _container(result, evaluator, call, location, by_variable.get(receiver))
            continue
        key = camel(last) if camel(last) in _METHOD_CONSTRUCTS else last
        if key not in CONSTRUCTS or (key in _METHOD_CONSTRUCTS) == call.is_new:
            continue
        if key == "Function" and not call.is_new and "lambda" not in call.callee.lower():
            continue  # a call to some unrelated ``Function(...)``
        kind, table = CONSTRUCTS[key]
        name, props = _props(call, key in _METHOD_CONSTRUCTS)
        attributes = [Attribute("construct", key, None)]
        for path, canonical in table.items():
            found = _lookup(props, path)
            if found is None:
                continue
            value = _attribute_value(evaluator.value(found), found.text)
            if value is not None:
                attributes.append(Attribute(canonical, value, found.location))
        if key.startswith(_LOAD_BALANCED):
            attributes.append(Attribute(v.LOAD_BALANCED, True, None))
        task_ref = _lookup(props, "taskDefinition")
        if task_ref is not None and isinstance(task_ref.value, Ref) and task_ref.value.dotted in by_variable:
            attributes.append(Attribute(v.TASK_DEFINITION, by_variable[task_ref.value.dotted], task_ref.location))
        component = result.add(kind, name or call.assigned_to or key, location, attributes)
        if call.assigned_to:
            by_variable[call.assigned_to] = component.id
            by_variable[f"this.{call.assigned_to}"] = component.id
            by_variable[f"self.{call.assigned_to}"] = component.id
        add_lambda_runtime(result, component)
        for image_path in ("code", "taskImageOptions.image", "image"):
            found = _lookup(props, image_path)
            if found is not None:
                _image(result, evaluator, found, component.id)
    return result


def _container(result: ParseResult, evaluator: Evaluator, call: Call, location: Location, parent: str | None) -> None:
    name, props = _props(call, True)
    image = _lookup(props, "image")
    extra = []
    for path, canonical in (("cpu", v.CPU), ("memoryLimitMiB", v.MEMORY_MB), ("stopTimeout", v.STOP_TIMEOUT)):
        found = _lookup(props, path)
        if found is not None:
            value = _attribute_value(evaluator.value(found), found.text)
            if value is not None:
                extra.append(Attribute(canonical, value, found.location))
    if image is not None:
        _image(result, evaluator, image, parent, name, extra)


def _image(
    result: ParseResult,
    evaluator: Evaluator,
    spanned: Spanned,
    parent: str | None,
    name: str | None = None,
    extra: list[Attribute] | None = None,
) -> None:
    value = evaluator.value(spanned)
    attributes = list(extra or [])
    if isinstance(value, dict) and "__image_asset__" in value:
        directory = value["__image_asset__"]
        dockerfile = value.get("file", "Dockerfile")
        label = f"asset:{directory}/{dockerfile}" if isinstance(directory, str) else f"asset:{spanned.text}"
        attributes.append(
            Attribute("asset_directory", _attribute_value(directory, spanned.text) or "", spanned.location)
        )
        if isinstance(dockerfile, str):
            attributes.append(Attribute("dockerfile", dockerfile, None))
        platform = value.get("platform")
        if platform is not None:
            attributes.append(Attribute(v.PLATFORM, _attribute_value(platform, spanned.text) or "", None))
    elif isinstance(value, dict) and "__image_registry__" in value:
        label = str(value["__image_registry__"])
        attributes.append(Attribute(v.IMAGE, label, spanned.location))
    else:
        return
    result.add(ComponentKind.CONTAINER_IMAGE, name or label, spanned.location, attributes, parent)
