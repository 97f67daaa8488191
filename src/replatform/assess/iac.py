"""Compute declared in IaC: Lambda, ECS, EC2-backed capacity, EKS, SageMaker."""

from __future__ import annotations

from replatform import knowledge
from replatform.assess.context import Context
from replatform.discover import compute_vocabulary as v
from replatform.graph import Graph, stated_instance_types
from replatform.model import AttributeValue, Component, ComponentKind, Location, Severity, Unknown
from replatform.price.mapping import graviton_type


def _where(component: Component, attribute: str) -> Location:
    found = component.attribute(attribute)
    return found.location if found is not None and found.location is not None else component.location


def _placement(
    ctx: Context,
    component: Component,
    rule_id: str,
    location: Location,
    message: str,
    *,
    subject: str,
    fix: str,
    references: tuple[str, ...] = (),
) -> None:
    """An x86 placement finding; for compute the code declares but does not deploy (``count = 0``, a false
    condition) it is information, not a warning: nothing runs on x86 until it is switched on.
    """
    severity = None
    if not component.deployed:
        message += f"; declared but not deployed ({component.not_deployed}), so nothing runs on it today"
        severity = Severity.INFO
    ctx.emit(rule_id, location, message, subject=subject, fix=fix, references=references, severity=severity)


def _is_arm(value: AttributeValue | None) -> bool | None:
    """True for arm64/ARM64, False for x86 spellings, None when absent or unknown."""
    if value is None or isinstance(value, Unknown):
        return None
    values = value if isinstance(value, tuple) else (value,)
    texts = {str(item).lower() for item in values if not isinstance(item, Unknown)}
    if texts & {"arm64", "arm_64", "aarch64"}:
        return True
    if texts & {"x86_64", "x86-64", "amd64", "x86"}:
        return False
    return None


def _check_lambda_runtime(ctx: Context, function: Component) -> bool:
    """A runtime Lambda offers no arm64 for, or a deprecated one (updates blocked): True when reported."""
    runtime = function.get(v.RUNTIME)
    fact = knowledge.lambda_runtimes().get(runtime) if isinstance(runtime, str) else None
    if fact is None or (fact.arm64 and not fact.deprecated):
        return False
    where = _where(function, v.RUNTIME)
    since = f" since {fact.deprecation_date}" if fact.deprecation_date else ""
    if fact.arm64 and _is_arm(function.get(v.ARCHITECTURE)):
        # Already on arm64: the move is done; what is left is the runtime's end of support, not an arm64 blocker.
        ctx.emit(
            "lambda-runtime-end-of-support",
            where,
            f"Lambda function {function.name} is on arm64 already; its runtime {fact.runtime} is deprecated{since}, "
            f"and Lambda blocks creating and then updating functions on deprecated runtimes",
            subject=function.name,
            fix=f"Move to {fact.replacement} (it has arm64 too).",
            references=(fact.source,),
        )
        return True
    if not fact.arm64:
        ctx.emit(
            "lambda-runtime-no-arm64",
            where,
            f"Lambda function {function.name} uses {fact.runtime} ({fact.os_name}), for which Lambda has no arm64: "
            f"move to {fact.replacement} first",
            subject=function.name,
            fix=f"Move to {fact.replacement} (Lambda offers arm64 for it), then set the architecture to arm64.",
            references=(fact.source,),
        )
    else:
        ctx.emit(
            "lambda-runtime-deprecated",
            where,
            f"Lambda function {function.name} uses {fact.runtime}, deprecated{since}: Lambda blocks updates to such "
            f"functions, so the architecture cannot change until the runtime moves to {fact.replacement}",
            subject=function.name,
            fix=f"Move to {fact.replacement}, then set the architecture to arm64.",
            references=(fact.source,),
        )
    return True


def check_lambda(ctx: Context) -> None:
    for function in ctx.components(ComponentKind.LAMBDA_FUNCTION):
        _check_lambda_runtime(ctx, function)
        value = function.get(v.ARCHITECTURE)
        arm = _is_arm(value)
        if arm or (value is not None and arm is None):
            continue  # arm64 already, or not a literal (unknown: we do not guess)
        how = "stated" if value is not None else "the default, as no architecture is set"
        _placement(
            ctx,
            function,
            "lambda-x86",
            _where(function, v.ARCHITECTURE),
            f"Lambda function {function.name} runs on x86_64 ({how}); arm64 is cheaper per GB-second",
            subject=function.name,
            fix="Set the architecture to arm64 (CDK: architecture: lambda.Architecture.ARM_64; "
            'Terraform: architectures = ["arm64"]; CloudFormation/SAM: Architectures: [arm64]) '
            "and rebuild native dependencies and layers for arm64.",
        )


def _on_graviton_hosts(graph: Graph, task: Component) -> bool:
    """A task definition that states no platform runs on its EC2 hosts' architecture: true when it is placed on
    Auto Scaling groups whose every instance type is a Graviton one (CDK's Ec2TaskDefinition has no
    runtimePlatform to state).
    """
    known = knowledge.instances().graviton_families
    groups = graph.hosts(task)
    types = [t for group in groups for t in graph.instance_types(group)]
    return bool(groups) and bool(types) and all(isinstance(t, str) and t.split(".")[0] in known for t in types)


def check_ecs(ctx: Context) -> None:
    # A service runs its task definition's platform; ecs_patterns constructs get an implicit task definition.
    graph = Graph(ctx.report)
    for component in ctx.components(ComponentKind.ECS_TASK_DEFINITION):
        value = component.get(v.ARCHITECTURE)
        arm = _is_arm(value)
        if arm or (value is not None and arm is None):
            continue
        if value is None and _on_graviton_hosts(graph, component):
            continue
        how = "stated" if value is not None else "the default, as no runtime platform is set"
        _placement(
            ctx,
            component,
            "ecs-task-x86",
            _where(component, v.ARCHITECTURE),
            f"ECS task definition {component.name} runs on X86_64 ({how})",
            subject=component.name,
            fix="Set runtimePlatform.cpuArchitecture to ARM64 (operatingSystemFamily LINUX) once every container "
            "image is built for linux/arm64.",
        )


def _split_type(instance_type: str) -> tuple[str, str] | None:
    text = instance_type.removeprefix("ml.")
    if "." not in text:
        return None
    family, size = text.split(".", 1)
    return family, size


def check_instances(ctx: Context) -> None:
    known = knowledge.instances()
    kinds = (
        ComponentKind.EC2_INSTANCE,
        ComponentKind.LAUNCH_TEMPLATE,
        ComponentKind.AUTOSCALING_GROUP,
        ComponentKind.EKS_NODE_GROUP,
        ComponentKind.BATCH_COMPUTE_ENVIRONMENT,
        ComponentKind.SAGEMAKER_JOB,
    )
    for component in ctx.components(*kinds):
        sagemaker = component.kind is ComponentKind.SAGEMAKER_JOB
        for instance_type, location in stated_instance_types(component):
            parts = _split_type(instance_type)
            if parts is None:
                continue
            family, _size = parts
            if family in known.graviton_families or family not in known.families:
                continue
            mapping = known.families[family]
            target_family = mapping.targets[known.default_strategy]
            references = (mapping.source,)
            prefix = "ml." if instance_type.startswith("ml.") else ""
            mapped = graviton_type(instance_type, known.default_strategy)  # one mapping: the cost model's
            if mapped.target is None:
                _placement(
                    ctx,
                    component,
                    "ec2-x86-no-same-size",
                    location,
                    f"{component.name} uses {instance_type}; no same-size Graviton type: {mapped.reason}",
                    subject=f"{component.name}:{instance_type}",
                    references=references,
                    fix=f"Choose a {prefix}{target_family} size by hand from the measured load of {instance_type}.",
                )
                continue
            target = mapped.target
            if sagemaker:
                if target_family not in ("c7g", "m7g", "r7g"):
                    continue
                ctx.emit(
                    "sagemaker-x86-instance",
                    location,
                    f"{component.name} uses {instance_type}; for CPU inference {target} is the Graviton equivalent",
                    subject=f"{component.name}:{instance_type}",
                    fix=f"Try {target} with an arm64 inference container.",
                    references=references,
                )
                continue
            _placement(
                ctx,
                component,
                "ec2-x86-instance",
                location,
                f"{component.name} uses {instance_type} ({mapping.vendor} x86, generation {mapping.generation}); "
                f"the Graviton equivalent of the same size is {target} ({known.default_strategy.replace('_', ' ')} mapping)",
                subject=f"{component.name}:{instance_type}",
                fix=f"Move to {target} with an arm64 AMI once the software on it runs on arm64.",
                references=references,
            )


def check_eks(ctx: Context) -> None:
    for group in ctx.components(ComponentKind.EKS_NODE_GROUP):
        ami = group.get(v.AMI_TYPE)
        if isinstance(ami, str) and "x86_64" in ami.lower():
            _placement(
                ctx,
                group,
                "eks-ami-x86",
                _where(group, v.AMI_TYPE),
                f"node group {group.name} uses the x86 AMI type {ami}",
                subject=group.name,
                fix="Use AL2023_ARM_64_STANDARD (or BOTTLEROCKET_ARM_64) together with a Graviton instance type.",
            )
    fact = knowledge.services()["eks_fargate"]
    for profile in ctx.components(ComponentKind.EKS_FARGATE_PROFILE):
        ctx.emit(
            "eks-fargate-no-arm64",
            profile.location,
            f"Fargate profile {profile.name}: {fact.note}; there is no arm64 option to move to",
            subject=profile.name,
            references=(fact.source,),
        )
