"""ECS on EC2 Spot in a CDK Python stack: the constructs `cdk_typescript` writes, in Python and the file's style.

Before the service's statement: the instance role (two managed policies), user data turning Spot draining on, a
launch template on the ECS-optimized Amazon Linux 2023 AMI, a mixed-instances Spot group in the cluster's VPC (and
the service's subnets) and an ``AsgCapacityProvider`` added to the cluster. The task definition becomes a generic
``TaskDefinition`` compatible with EC2 (awsvpc kept); the service an ``Ec2Service`` on the new provider.
"""

from __future__ import annotations

import re

import tree_sitter

from replatform import knowledge
from replatform.migrate.editors.python import PythonEditError, PythonEditor, PythonSymbols
from replatform.migrate.targets.capacity.service import ServiceView
from replatform.migrate.targets.ec2_spot.generated import Generated, cdk_generated, cdk_label, cdk_refusal, finish
from replatform.migrate.targets.ec2_spot.sizing import Sizing
from replatform.migrate.targets.graviton.context import Context
from replatform.model import Edit

_FARGATE_ONLY_SERVICE = ("platform_version",)
_FARGATE_ONLY_TASK = ("ephemeral_storage_gib",)


def generate(ctx: Context, view: ServiceView, sizing: Sizing) -> Generated:
    try:
        return _python(ctx, view, sizing)
    except (PythonEditError, ValueError, KeyError) as exc:
        return Generated(problem=str(exc))


def _python(ctx: Context, view: ServiceView, sizing: Sizing) -> Generated:
    service = view.service
    path = service.location.path
    editor = ctx.ws.python(path)
    if editor is None:
        return Generated(problem=ctx.ws.notes.get(path, "file not editable"))
    call = editor.call_at(service.location.start_byte, service.location.end_byte)
    if service.get("construct") == "FargateService" and call is None:
        return Generated(problem="its construct call was not found")
    cluster_node = editor.keyword(call, "cluster") if call is not None else None
    public = editor.keyword(call, "assign_public_ip") if call is not None else None
    problem = cdk_refusal(
        view,
        cluster_node is not None,
        public is not None and _text(public) == "True",
        "add_asg_capacity_provider",
        ("assign_public_ip", "assign_public_ip=True"),
    )
    if problem or call is None or cluster_node is None:
        return Generated(problem=problem or "its construct call was not found")
    statement = call
    while statement.parent is not None and statement.type not in ("expression_statement",):
        statement = statement.parent
    if statement.type != "expression_statement":
        return Generated(problem="the service is not created in a statement of its own")
    label = cdk_label(editor.buffer.text(0, len(editor.buffer.data)), service.name, _snake)
    variable = _snake(label)
    out = cdk_generated(
        view, label, f"max_capacity of {label}AutoScalingGroup", f"{variable}_provider.capacity_provider_name"
    )
    symbols = PythonSymbols()
    ecs = editor.module("aws_ecs", "ecs", symbols)
    subnets = editor.keyword(call, "vpc_subnets")
    lines = _block(editor, symbols, label, variable, _text(cluster_node), _text(subnets) if subnets else None, sizing)
    indent = editor.buffer.indentation(statement.start_byte)
    block = "".join(f"{indent}{line}\n" if line else "\n" for line in lines)
    out.edits.append(editor.buffer.insert(editor.buffer.line_start(statement.start_byte), editor.buffer.lines(block)))
    callee = call.child_by_field_name("function")
    assert callee is not None
    out.edits.append(editor.buffer.replace(callee.start_byte, callee.end_byte, f"{ecs}.Ec2Service"))
    out.edits += [editor.remove_keyword(call, key) for key in _FARGATE_ONLY_SERVICE]

    def task() -> tuple[list[Edit | None], str]:
        edits, problem = _task_definition(ctx, view, sizing, ecs)
        return [*edits, *editor.import_edits(symbols)], problem

    return finish(ctx, view, out, None, task)


def _snake(label: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", label).lower()


def _block(
    editor: PythonEditor,
    symbols: PythonSymbols,
    label: str,
    variable: str,
    cluster: str,
    subnets: str | None,
    sizing: Sizing,
) -> list[str]:
    """The new constructs, relative to the service statement's indentation."""
    ec2 = editor.module("aws_ec2", "ec2", symbols)
    ecs = editor.module("aws_ecs", "ecs", symbols)
    iam = editor.module("aws_iam", "iam", symbols)
    autoscaling = editor.module("aws_autoscaling", "autoscaling", symbols)
    q = '"' if editor.buffer.data.count(b'"') >= editor.buffer.data.count(b"'") else "'"
    u = editor.buffer.indent_unit
    facts = knowledge.ecs_ec2_spot()
    policies = [arn.split(":policy/", 1)[1] for arn in facts.policy_arns("aws")]
    spot_line = next(line for line in facts.user_data if "SPOT" in line)
    hardware = "ARM" if sizing.architecture == "arm64" else "STANDARD"
    return [
        f"# ECS on EC2 Spot for {label.removesuffix('Ec2Spot')} (replatform migrate --target ec2-spot): all Spot, "
        "scaling from 0.",
        f"{variable}_role = {iam}.Role(",
        f"{u}self,",
        f"{u}{q}{label}InstanceRole{q},",
        f"{u}assumed_by={iam}.ServicePrincipal({q}ec2.amazonaws.com{q}),",
        f"{u}managed_policies=[",
        *(f"{u * 2}{iam}.ManagedPolicy.from_aws_managed_policy_name({q}{p}{q})," for p in policies),
        f"{u}],",
        ")",
        f"{variable}_user_data = {ec2}.UserData.for_linux()",
        f"{variable}_user_data.add_commands({q}echo {spot_line} >> /etc/ecs/ecs.config{q})",
        f"{variable}_template = {ec2}.LaunchTemplate(",
        f"{u}self,",
        f"{u}{q}{label}LaunchTemplate{q},",
        f"{u}machine_image={ecs}.EcsOptimizedImage.amazon_linux2023({ecs}.AmiHardwareType.{hardware}),",
        f"{u}instance_type={ec2}.InstanceType({q}{sizing.instance_type}{q}),",
        f"{u}role={variable}_role,",
        f"{u}user_data={variable}_user_data,",
        f"{u}require_imdsv2=True,",
        ")",
        f"{variable}_group = {autoscaling}.AutoScalingGroup(",
        f"{u}self,",
        f"{u}{q}{label}AutoScalingGroup{q},",
        f"{u}vpc={cluster}.vpc,",
        *([f"{u}vpc_subnets={subnets},"] if subnets else []),
        f"{u}min_capacity=0,",
        f"{u}max_capacity={sizing.max_instances},",
        f"{u}mixed_instances_policy={autoscaling}.MixedInstancesPolicy(",
        f"{u * 2}instances_distribution={autoscaling}.InstancesDistribution(",
        f"{u * 3}on_demand_base_capacity=0,",
        f"{u * 3}on_demand_percentage_above_base_capacity=0,",
        f"{u * 3}spot_allocation_strategy={autoscaling}.SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED,",
        f"{u * 2}),",
        f"{u * 2}launch_template={variable}_template,",
        f"{u * 2}launch_template_overrides=[",
        *(
            f"{u * 3}{autoscaling}.LaunchTemplateOverrides(instance_type={ec2}.InstanceType({q}{t}{q})),"
            for t in sizing.types
        ),
        f"{u * 2}],",
        f"{u}),",
        ")",
        f"{variable}_provider = {ecs}.AsgCapacityProvider(",
        f"{u}self,",
        f"{u}{q}{label}CapacityProvider{q},",
        f"{u}auto_scaling_group={variable}_group,",
        f"{u}enable_managed_termination_protection=True,",
        f"{u}enable_managed_draining=True,",
        ")",
        f"{cluster}.add_asg_capacity_provider({variable}_provider)",
        "",
    ]


def _task_definition(ctx: Context, view: ServiceView, sizing: Sizing, ecs: str) -> tuple[list[Edit | None], str]:
    """``ecs.TaskDefinition(..., compatibility=EC2, network_mode=AWS_VPC, cpu="…", memory_mib="…")``."""
    task = view.task
    assert task is not None
    if task.location.path != view.service.location.path:
        return [], f"it is declared in {task.location.path}, not in the service's file"
    if task.get("construct") != "FargateTaskDefinition":
        return [], f"it is a {task.get('construct')}, not a FargateTaskDefinition"
    editor = ctx.ws.python(task.location.path)
    assert editor is not None
    call = editor.call_at(task.location.start_byte, task.location.end_byte)
    if call is None:
        return [], "its construct call was not found"
    for key in _FARGATE_ONLY_TASK:
        if editor.keyword(call, key) is not None:
            return [], f"it sets {key}, which only Fargate task definitions take"
    callee = call.child_by_field_name("function")
    assert callee is not None
    edits: list[Edit | None] = [editor.buffer.replace(callee.start_byte, callee.end_byte, f"{ecs}.TaskDefinition")]
    wanted = {"cpu": sizing.cpu_units, "memory": sizing.memory_mib}
    changed = {key for key, _value, _declared in sizing.reservations()}
    additions = [f"compatibility={ecs}.Compatibility.EC2", f"network_mode={ecs}.NetworkMode.AWS_VPC"]
    for old, new, size in (("cpu", "cpu", "cpu"), ("memory_limit_mib", "memory_mib", "memory")):
        node = editor.keyword(call, old)
        if node is None:
            additions.append(f'{new}="{wanted[size]}"')
            continue
        value = f'"{wanted[size]}"' if size in changed or node.type == "integer" else f"str({_text(node)})"
        pair = node.parent
        assert pair is not None
        edits.append(editor.buffer.replace(pair.start_byte, pair.end_byte, f"{new}={value}"))
    first, rest = additions[0].split("=", 1), additions[1:]
    edits.append(editor.insert_keyword(call, first[0], first[1] + "".join(f",\n{a}" for a in rest)))
    return edits, ""


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")
