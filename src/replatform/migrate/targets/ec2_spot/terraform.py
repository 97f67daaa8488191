"""ECS on EC2 Spot in Terraform, written into the file where the service lives, in its style.

New blocks after the file's last block: the ECS-optimized AMI from its SSM parameter, the instance role (the
two managed policies only) and its instance profile, a launch template whose user data joins the cluster with
Spot draining on, an Auto Scaling group with a mixed-instances policy (all Spot, price-capacity-optimized,
the diversified types, min 0, scale-in protection) and the ECS capacity provider (managed scaling, termination
protection, draining). Variables the module lacks (``ecs_instance_type``, ``ecs_spot_max_price``,
``ecs_max_instances``) go to its ``variables.tf`` when it has one. The task definition becomes EC2-only with
the size the plan priced, and the service's strategy (`capacity.strategy`) names the new provider, associated
with the cluster (`capacity.cluster`).
"""

from __future__ import annotations

import json
import re

from replatform import knowledge
from replatform.migrate.editors.hcl import Block, HclEditError, HclEditor, hcl_string, labels, render_block
from replatform.migrate.targets.capacity import cluster as clusters
from replatform.migrate.targets.capacity.service import ServiceView
from replatform.migrate.targets.ec2_spot.generated import Generated, finish
from replatform.migrate.targets.ec2_spot.sizing import Sizing
from replatform.migrate.targets.graviton.context import Context
from replatform.migrate.targets.spot.refusals import partition
from replatform.model import Edit

_NAME = re.compile(r"^[A-Za-z0-9_.\[\]]+$")  # a plain reference (local.name, var.x): interpolated as is


def generate(ctx: Context, view: ServiceView, sizing: Sizing) -> Generated:
    try:
        return _generate(ctx, view, sizing)
    except (HclEditError, ValueError, KeyError) as exc:
        return Generated(problem=str(exc))


def _generate(ctx: Context, view: ServiceView, sizing: Sizing) -> Generated:
    out = Generated()
    service = view.service
    path = service.location.path
    editor = ctx.ws.hcl(path)
    if editor is None:
        return Generated(problem=ctx.ws.notes.get(path, "file not editable"))
    block = editor.block_containing(service.location.start_byte, service.location.end_byte)
    if block is None or view.task is None:
        return Generated(problem="the service's resource block or its task definition was not found")
    cluster = view.cluster
    if cluster is None:
        return Generated(
            problem="its cluster is not declared in this module: the instances' user data needs the cluster's name "
            "and the capacity provider must be associated with it"
        )
    network = editor.nested(block, "network_configuration")
    subnets = editor.attribute(network, "subnets") if network is not None else None
    if subnets is None:
        return Generated(problem="it has no network_configuration with subnets for the Auto Scaling group's instances")
    public = editor.attribute(network, "assign_public_ip") if network is not None else None
    if public is not None and public.expression.strip().strip('"').lower() in ("true", "enabled"):
        return Generated(
            problem="its tasks get a public IP (assign_public_ip = true), which ECS supports on Fargate only: give "
            "them a route out through a NAT gateway or VPC endpoints, set it to false, then run migrate again"
        )
    taken = _declared(ctx, path)
    base = service.name.split(".", 1)[1] + "_ec2_spot"
    kinds = (
        "aws_launch_template",
        "aws_autoscaling_group",
        "aws_ecs_capacity_provider",
        "aws_iam_role",
        "aws_iam_instance_profile",
        "aws_iam_role_policy_attachment",
        "data.aws_ssm_parameter",
    )
    label = base
    while any(f"{kind}.{label}" in taken or f"{kind}.{label}_ecs" in taken for kind in kinds):
        label += "_2"
    out.label = label
    out.provider = f"aws_ecs_capacity_provider.{label}"
    out.group = f"aws_autoscaling_group.{label}"
    out.template = f"aws_launch_template.{label}"
    out.cluster = cluster.name
    out.strategy = out.associated = f"{out.provider}.name"
    name = _name_template(editor, block)
    instance_var = "var.ecs_instance_type"
    blocks = _blocks(label, name, cluster.name, subnets.expression, instance_var, sizing, ctx.options.region, out)
    target, variables = _variables(ctx, path, taken, sizing, out)
    if target == path:  # no variables.tf: the variables go with the blocks (one insertion point, one edit)
        blocks += variables
    unit = editor.buffer.indent_unit
    text = "\n" + f"# ECS on EC2 Spot for {service.name} (replatform migrate --target ec2-spot)\n"
    text += _text(blocks, unit)
    out.edits.append(_append(editor, text))
    if variables and target != path:
        other = ctx.ws.hcl(target)
        assert other is not None
        out.edits.append(_append(other, "\n" + _text(variables, other.buffer.indent_unit)))
    association = clusters.associate(ctx, cluster, ("FARGATE", out.strategy))
    if association.problem:
        return Generated(problem=f"the cluster {cluster.name}: {association.problem}")
    out.edits += association.edits
    return finish(ctx, view, out, association.depends_on, lambda: _task_definition(ctx, view, sizing, out))


def _declared(ctx: Context, path: str) -> set[str]:
    """Addresses declared in the module (the service file's folder): ``aws_x.name``, ``data.t.n``, ``var.v``."""
    taken: set[str] = set()
    for sibling in ctx.ws.siblings(path, (".tf",)):
        other = ctx.ws.hcl(sibling)
        for node in other.body.named_children if other is not None and other.body is not None else []:
            if node.type != "block":
                continue
            parts = labels(node)
            if parts[0] == "resource" and len(parts) >= 3:
                taken.add(f"{parts[1]}.{parts[2]}")
            elif parts[0] == "data" and len(parts) >= 3:
                taken.add(f"data.{parts[1]}.{parts[2]}")
            elif parts[0] == "variable" and len(parts) >= 2:
                taken.add(f"var.{parts[1]}")
    return taken


def _name_template(editor: HclEditor, block: object) -> str:
    """The service's name as text to put inside a quoted HCL string (``${local.name}``, ``web``)."""
    name = editor.attribute(block, "name")  # type: ignore[arg-type]
    if name is None:
        raise HclEditError("the service has no name")
    expression = name.expression.strip()
    if len(expression) >= 2 and expression[0] == '"' and expression[-1] == '"' and "\n" not in expression:
        return expression[1:-1]
    if _NAME.match(expression):
        return "${" + expression + "}"
    raise HclEditError(f"its name ({expression}) is not a string or a plain reference")


def _blocks(
    label: str,
    name: str,
    cluster: str,
    subnets: str,
    instance_var: str,
    sizing: Sizing,
    region: str,
    out: Generated,
) -> list[Block]:
    facts = knowledge.ecs_ec2_spot()
    provider_name = f"{name}-ec2-spot"
    if re.match(r"(?i)^(aws|ecs|fargate)", provider_name):
        provider_name = "cp-" + provider_name  # AWS refuses a capacity provider name starting with these
    user_data = "\n".join(
        f'echo "{line.replace("{cluster}", "${" + cluster + ".name}")}" >> /etc/ecs/ecs.config'
        for line in facts.user_data
    )
    assume = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}
            ],
        }
    )
    policies = facts.policy_arns(partition(region))
    attachments = [
        Block(
            ("resource", "aws_iam_role_policy_attachment", f"{label}_{suffix}"),
            (("role", f"aws_iam_role.{label}.name"), ("policy_arn", hcl_string(arn))),
        )
        for suffix, arn in zip(("ecs", "ssm"), policies, strict=False)
    ]
    overrides = [Block(("override",), (("instance_type", instance_var),))]
    overrides += [Block(("override",), (("instance_type", hcl_string(t)),)) for t in sizing.types[1:]]
    return [
        Block(
            ("data", "aws_ssm_parameter", f"{label}_ami"),
            (("name", hcl_string(facts.ami_parameters[sizing.architecture])),),
        ),
        Block(
            ("resource", "aws_iam_role", label),
            (("name_prefix", '"ecs-instance-"'), ("assume_role_policy", f"jsonencode({_hcl_object(assume)})")),
        ),
        *attachments,
        Block(
            ("resource", "aws_iam_instance_profile", label),
            (("name_prefix", '"ecs-instance-"'), ("role", f"aws_iam_role.{label}.name")),
        ),
        Block(
            ("resource", "aws_launch_template", label),
            (
                ("name_prefix", f'"{name}-ec2-spot-"'),
                ("image_id", f"data.aws_ssm_parameter.{label}_ami.value"),
                ("instance_type", instance_var),
                (
                    "user_data",
                    f"base64encode(<<-EOT\n  #!/bin/bash\n  {user_data.replace(chr(10), chr(10) + '  ')}\nEOT\n)",
                ),
                Block(("iam_instance_profile",), (("arn", f"aws_iam_instance_profile.{label}.arn"),)),
                Block(("metadata_options",), (("http_tokens", '"required"'),)),
            ),
        ),
        Block(
            ("resource", "aws_autoscaling_group", label),
            (
                ("name_prefix", f'"{name}-ec2-spot-"'),
                ("min_size", "0"),
                ("max_size", "var.ecs_max_instances"),
                ("vpc_zone_identifier", subnets),
                ("protect_from_scale_in", "true"),
                Block(
                    ("mixed_instances_policy",),
                    (
                        Block(
                            ("instances_distribution",),
                            (
                                ("on_demand_base_capacity", "0"),
                                ("on_demand_percentage_above_base_capacity", "0"),
                                ("spot_allocation_strategy", '"price-capacity-optimized"'),
                                ("spot_max_price", "var.ecs_spot_max_price"),
                            ),
                        ),
                        Block(
                            ("launch_template",),
                            (
                                Block(
                                    ("launch_template_specification",),
                                    (
                                        ("launch_template_id", f"aws_launch_template.{label}.id"),
                                        ("version", f"aws_launch_template.{label}.latest_version"),
                                    ),
                                ),
                                *overrides,
                            ),
                        ),
                    ),
                ),
                Block(
                    ("tag",),
                    (("key", '"AmazonECSManaged"'), ("value", "true"), ("propagate_at_launch", "true")),
                ),
                Block(("lifecycle",), (("ignore_changes", "[desired_capacity]"),)),
            ),
        ),
        Block(
            ("resource", "aws_ecs_capacity_provider", label),
            (
                ("name", f'"{provider_name}"'),
                Block(
                    ("auto_scaling_group_provider",),
                    (
                        ("auto_scaling_group_arn", f"aws_autoscaling_group.{label}.arn"),
                        ("managed_termination_protection", '"ENABLED"'),
                        ("managed_draining", '"ENABLED"'),
                        Block(("managed_scaling",), (("status", '"ENABLED"'), ("target_capacity", "100"))),
                    ),
                ),
            ),
        ),
    ]


def _hcl_object(text: str) -> str:
    """A JSON document as an HCL object expression (multi-line, ``=`` between keys and values)."""
    data = json.loads(text)
    return _hcl_value(data, "")


def _hcl_value(value: object, indent: str) -> str:
    inner = indent + "  "
    if isinstance(value, dict):
        width = max(len(k) for k in value)
        items = [f"{inner}{k}{' ' * (width - len(k) + 1)}= {_hcl_value(v, inner)}" for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list):
        return (
            "[" + ", ".join(_hcl_value(v, indent) for v in value) + "]"
            if all(not isinstance(v, (dict, list)) for v in value)
            else "[\n" + "\n".join(f"{inner}{_hcl_value(v, inner)}," for v in value) + f"\n{indent}]"
        )
    return hcl_string(str(value))


def _text(blocks: list[Block], unit: str) -> str:
    return "\n\n".join("\n".join(render_block(b, unit)) for b in blocks) + "\n"


def _append(editor: HclEditor, text: str) -> Edit:
    end = len(editor.buffer.data)
    if not editor.buffer.ends_with_newline():
        text = "\n" + text
    return editor.buffer.insert(end, editor.buffer.lines(text))


def _variables(ctx: Context, path: str, taken: set[str], sizing: Sizing, out: Generated) -> tuple[str, list[Block]]:
    """The variables the blocks use that the module does not declare, in its variables.tf (else beside the service)."""
    wanted = [
        (
            "ecs_instance_type",
            "EC2 instance type for the ECS capacity (the first of the mixed-instances policy's types)",
            "string",
            hcl_string(sizing.instance_type),
        ),
        (
            "ecs_spot_max_price",
            "Maximum Spot price per instance-hour (empty: the on-demand price)",
            "string",
            '""',
        ),
        ("ecs_max_instances", "Maximum EC2 instances of the ECS Spot capacity", "number", str(sizing.max_instances)),
    ]
    target = next((p for p in ctx.ws.siblings(path, (".tf",)) if p.rsplit("/", 1)[-1] == "variables.tf"), path)
    if ctx.ws.hcl(target) is None:
        target = path
    blocks = []
    for name, description, kind, default in wanted:
        if f"var.{name}" in taken:
            stated = _default_of(ctx, path, name)
            if stated is not None and stated != default:
                out.notes.append(f"var.{name} is already declared with default {stated}; the plan priced {default}")
            continue
        blocks.append(
            Block(("variable", name), (("description", hcl_string(description)), ("type", kind), ("default", default)))
        )
    return target, blocks


def _default_of(ctx: Context, path: str, name: str) -> str | None:
    for sibling in ctx.ws.siblings(path, (".tf",)):
        editor = ctx.ws.hcl(sibling)
        block = editor.block("variable", name) if editor is not None else None
        if editor is not None and block is not None:
            default = editor.attribute(block, "default")
            return default.expression if default is not None else None
    return None


def _task_definition(ctx: Context, view: ServiceView, sizing: Sizing, out: Generated) -> tuple[list[Edit | None], str]:
    """EC2 only (network mode kept), and the size the plan priced where the usage file says the task needs less."""
    task = view.task
    assert task is not None
    editor = ctx.ws.hcl(task.location.path)
    if editor is None:
        return [], ctx.ws.notes.get(task.location.path, "file not editable")
    block = editor.block_containing(task.location.start_byte, task.location.end_byte)
    if block is None:
        return [], "its resource block was not found"
    edits: list[Edit | None] = []
    compat = editor.attribute(block, "requires_compatibilities")
    if compat is None:
        edits.append(editor.insert_attribute(block, "requires_compatibilities", '["EC2"]'))
    else:
        edits.append(editor.set_expression(compat, '["EC2"]'))
    for key, wanted, declared in sizing.reservations():
        current = editor.attribute(block, key)
        if current is None:
            return [], f"it has no task-level {key} to change"
        comment = f" # the usage file's task need; on Fargate: {current.expression} ({declared})"
        edits.append(editor.set_expression(current, f"{wanted}{comment}"))
    mode = task.get("network_mode")
    if mode is None and editor.attribute(block, "network_mode") is None:
        out.notes.append("no network_mode: EC2 defaults to bridge, where Fargate had awsvpc")
    return edits, ""
