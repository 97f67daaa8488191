"""EC2 instances, launch templates/configurations, ASGs, EKS node groups, Batch -> Graviton types and arm64 AMIs.

Instance types follow the mapping strategy the user chose (``instances.json``); the AMI moves with them in
the same fix (an x86 AMI on a Graviton type does not boot): public SSM parameter names to their arm64
sibling, EKS AMI types to their arm64 twin. A literal AMI id cannot be mapped by name, so that fix is manual
with the command to look one up. Always unsafe: what runs on the instance (user data, agents, packages)
must run on arm64, which no scan of the template proves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from replatform import knowledge
from replatform.discover import compute_vocabulary as v
from replatform.graph import stated_instance_types
from replatform.migrate.editors.hcl import HclEditor, hcl_string
from replatform.migrate.editors.yaml import YamlEditError
from replatform.migrate.targets.graviton import machine_images, values
from replatform.migrate.targets.graviton.context import Context, Syntax, make_fix, syntax_of
from replatform.model import Applicability, Attribute, Component, ComponentKind, Edit, Fix, Location, Unknown
from replatform.price import mapping as price_mapping
from replatform.price.mapping import STRATEGIES

RULE = "ec2-x86-instance"
#: Kinds whose construct names its AMI (CDK: ``machineImage``); a CloudFormation or Terraform group's AMI is
#: its launch template's.
_IMAGE_KINDS = (ComponentKind.EC2_INSTANCE, ComponentKind.LAUNCH_TEMPLATE, ComponentKind.AUTOSCALING_GROUP)
_TYPE = re.compile(r"^(ml\.)?([a-z][a-z0-9-]*)\.([a-z0-9]+)$")


@dataclass
class _Plan:
    edits: list[Edit | None] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)


def graviton_type(instance_type: str, strategy: str) -> str | None:
    """The Graviton type of the same size under ``strategy`` (None when there is none to map to).

    The cost model's mapping (`replatform.price.mapping`): one place decides, so a size
    with no twin (m4.10xlarge, c4.8xlarge) is never written into the IaC.
    """
    if _TYPE.match(instance_type) is None:
        return None
    if strategy not in STRATEGIES:
        strategy = knowledge.instances().default_strategy
    mapped = price_mapping.graviton_type(instance_type, strategy)
    return mapped.target if mapped.target != instance_type else None


def fix_instances(ctx: Context, component: Component) -> Fix:
    """One fix per component: every x86 type it names, its AMI and (EKS) its AMI type."""
    plan = _Plan()
    moved: list[str] = []
    stated = stated_instance_types(component)
    shared = {where for _, where in stated if sum(where == other for _, other in stated) > 1}
    for value, target, where in _distinct_targets(stated, ctx.options.strategy, plan):
        moved.append(f"{value} -> {target}")
        try:
            if where in shared and _list_item(ctx, component, where, value, target, plan):
                continue
            _retype(ctx, component, where, value, target, plan)
        except (YamlEditError, ValueError, KeyError) as exc:
            plan.manual.append(f"{value}: {exc}")
    if component.kind is ComponentKind.EKS_NODE_GROUP:
        _ami_type(ctx, component, plan)
    elif syntax_of(component) in (Syntax.CDK_TYPESCRIPT, Syntax.CDK_PYTHON) and component.kind in _IMAGE_KINDS:
        machine_images.move(ctx, component, plan)
    elif component.kind in (ComponentKind.EC2_INSTANCE, ComponentKind.LAUNCH_TEMPLATE):
        _ami(ctx, component, plan)
    description = f"Move {component.name} to Graviton: " + ", ".join(moved or ["no mapped type"])
    if plan.manual or not moved:
        why = (
            "Needs a person: "
            + "; ".join(plan.manual or ["no instance type with a Graviton twin of the same size"])
            + "."
        )
        return make_fix(RULE, component, description, [], Applicability.MANUAL, why)
    why = (
        "Unsafe: everything on the instance (user data, agents, packages) must run on arm64, and the AMI must be arm64."
    )
    if plan.notes:
        why += " " + " ".join(plan.notes)
    return make_fix(RULE, component, description, plan.edits, Applicability.UNSAFE, why)


def _distinct_targets(
    stated: list[tuple[str, Location]], strategy: str, plan: _Plan
) -> list[tuple[str, str, Location]]:
    """(x86 type, Graviton type, where) for each mapped type, no Graviton type twice in one component.

    A list of types (Spot overrides, node group instance types) is diversity the user chose: m5.large and
    m5a.large both map to m7g.large, so the second takes the next Graviton family the mapping table offers
    for its x86 family at the same size (the other strategies' targets: m6g.large, then m8g.large); when none is
    left the type needs a person.
    """
    taken = {value for value, _ in stated if graviton_type(value, strategy) is None}
    out: list[tuple[str, str, Location]] = []
    for value, where in stated:
        candidates = [graviton_type(value, s) for s in (strategy, *STRATEGIES)]
        options = list(dict.fromkeys(c for c in candidates if c is not None))
        if not options:
            continue
        free = [c for c in options if c not in taken]
        if not free:
            plan.manual.append(
                f"{value}: its Graviton types of the same size ({', '.join(options)}) are all in the list already; "
                "choose another type or drop it"
            )
            continue
        if free[0] != options[0]:
            plan.notes.append(f"{value} -> {free[0]}, not {options[0]}: that type is in the list already.")
        taken.add(free[0])
        out.append((value, free[0], where))
    return out


def _list_item(ctx: Context, component: Component, where: Location, old: str, new: str, plan: _Plan) -> bool:
    """One item of a list of types (ASG overrides, node group types): discovery records one location for the
    list (its first item, or the whole list), so the item is looked up there, then in its resource's text,
    where it must be written exactly once.
    """
    buffer = ctx.ws.buffer(where.path)
    if buffer is None:
        return False
    regions = [where] + ([component.location] if component.location.path == where.path else [])
    for region in regions:
        edit = values.in_span(buffer, region, old, new)
        if edit is not None:
            plan.edits.append(edit)
            return True
    return False


# ---------------------------------------------------------------- where a literal is written


def _retype(ctx: Context, component: Component, where: Location, old: str, new: str, plan: _Plan) -> None:
    syntax = syntax_of(component)
    if syntax is Syntax.TERRAFORM:
        plan.edits.append(_written(values.terraform(ctx, component, where, old, new), plan))
    elif syntax is Syntax.CFN_YAML:
        _cfn_yaml_literal(ctx, where, old, new, plan)
    elif syntax is Syntax.CFN_JSON:
        _cfn_json_literal(ctx, where, old, new, plan)
    elif syntax is Syntax.CDK_TYPESCRIPT:
        plan.edits.append(_cdk_typescript_type(ctx, component, where, old, new, plan))
    else:
        buffer = ctx.ws.buffer(where.path)
        edit = values.in_span(buffer, where, old, new) if buffer is not None else None
        attribute = _attribute_at(component, where)
        if edit is None and attribute is not None and attribute.origin is not None:
            edit = _written(values.cdk_literal(ctx, attribute, old, new), plan)
        elif edit is None:
            plan.manual.append(f"{old} is not written literally at {where.short()}")
        plan.edits.append(edit)


def _written(written: values.Written, plan: _Plan) -> Edit | None:
    """A value's edit into the plan's notes or, when there is none, its problem into the manual list."""
    if written.problem:
        plan.manual.append(written.problem)
    if written.note:
        plan.notes.append(written.note)
    return written.edit


def _attribute_at(component: Component, where: Location) -> Attribute | None:
    """The stated instance-type attribute written at ``where`` (for the constant discovery resolved it to)."""
    for name in (v.INSTANCE_TYPE, v.INSTANCE_TYPES):
        attribute = component.attribute(name)
        if attribute is not None and attribute.location == where:
            return attribute
    return None


def _cfn_yaml_literal(ctx: Context, where: Location, old: str, new: str, plan: _Plan) -> None:
    editor = ctx.ws.yaml(where.path)
    if editor is None:
        plan.manual.append(f"{where.path} not editable")
        return
    path = editor.path_at(where.start_byte)
    if path is None:
        plan.manual.append(f"{old} not found at {where.short()}")
        return
    node = editor.node(path)
    if isinstance(node, list):  # InstanceTypes: [m5.large, c5.large]
        for index, item in enumerate(node):
            if str(item) == old:
                plan.edits.append(editor.set_scalar((*path, index), new))
                return
    reference = _ref_target(node)
    if reference is not None:
        parameter = (path[0], "Parameters", reference)
        default = editor.node((*parameter, "Default"))
        if str(default) != old:
            plan.manual.append(f"parameter {reference} has no default {old}")
            return
        plan.edits.append(editor.set_scalar((*parameter, "Default"), new))
        allowed = editor.node((*parameter, "AllowedValues"))
        if isinstance(allowed, list):
            plan.edits.append(editor.append_item((*parameter, "AllowedValues"), new))
        plan.notes.append(f"{old} is the default of parameter {reference}: stacks that pass their own value keep it.")
        return
    if str(node) == old:
        plan.edits.append(editor.set_scalar(path, new))
        return
    plan.manual.append(f"{old} is not written literally at {where.short()}")


def _cfn_json_literal(ctx: Context, where: Location, old: str, new: str, plan: _Plan) -> None:
    """The literal in a JSON template: in place, or the Default of the parameter a ``{"Ref": ...}`` names."""
    buffer = ctx.ws.buffer(where.path)
    editor = ctx.ws.json(where.path)
    if buffer is None or editor is None:
        plan.manual.append(f"{where.path} not editable")
        return
    direct = values.in_span(buffer, where, old, new)
    if direct is not None:
        plan.edits.append(direct)
        return
    reference = re.fullmatch(r'\{\s*"Ref"\s*:\s*"([^"]+)"\s*\}', buffer.text(where.start_byte, where.end_byte).strip())
    if reference is None or editor.value(("Parameters", reference.group(1), "Default")) != old:
        plan.manual.append(f"{old} is not written literally at {where.short()}")
        return
    parameter = ("Parameters", reference.group(1))
    plan.edits.append(editor.set_value((*parameter, "Default"), new))
    if isinstance(editor.value((*parameter, "AllowedValues")), list):
        plan.edits.append(editor.append_item((*parameter, "AllowedValues"), new))
    plan.notes.append(
        f"{old} is the default of parameter {reference.group(1)}: stacks that pass their own value keep it."
    )


def _ref_target(node: object) -> str | None:
    tag = getattr(getattr(node, "tag", None), "value", None)
    if tag == "!Ref":
        return str(getattr(node, "value", ""))
    if isinstance(node, dict) and set(node) == {"Ref"}:
        return str(node["Ref"])
    return None


def _cdk_typescript_type(
    ctx: Context, component: Component, where: Location, old: str, new: str, plan: _Plan
) -> Edit | None:
    buffer = ctx.ws.buffer(where.path)
    if buffer is None:
        plan.manual.append(f"{where.path} not readable")
        return None
    direct = values.in_span(buffer, where, old, new)
    if direct is not None:
        return direct
    attribute = _attribute_at(component, where)
    if attribute is not None and attribute.origin is not None:
        return _written(values.cdk_literal(ctx, attribute, old, new), plan)
    text = buffer.text(where.start_byte, where.end_byte)
    family = new.split(".")[0]
    match = re.search(r"InstanceClass\.([A-Z0-9_]+)", text)
    if match is None:
        plan.manual.append(f"{text} is not an InstanceType literal")
        return None
    start = where.start_byte + len(text[: match.start(1)].encode())
    return Edit(where.path, start, start + len(match.group(1)), family.upper())


# ---------------------------------------------------------------- AMIs


def _ami(ctx: Context, component: Component, plan: _Plan) -> None:
    attribute = component.attribute(v.IMAGE_ID)
    moves = knowledge.graviton_moves()
    if attribute is None:
        plan.notes.append("No AMI is set here: make sure the one used at launch is arm64.")
        return
    value = attribute.value
    where = attribute.location or component.location
    if isinstance(value, str) and value.startswith("ami-"):
        plan.manual.append(f"the AMI {value} is an id: choose its arm64 twin ({moves.ami_lookup.format(ami=value)})")
        return
    if isinstance(value, str):
        _ami_parameter(ctx, component, where, value, plan)
        return
    if isinstance(value, Unknown) and "FindInMap" in value.expression:
        plan.manual.append(f"the AMI comes from a mapping of AMI ids ({value.expression}): add the arm64 ids to it")
        return
    if isinstance(value, Unknown):
        data = re.fullmatch(r"data\.aws_ssm_parameter\.([\w-]+)\.(?:value|insecure_value)", value.expression)
        if data is not None and syntax_of(component) is Syntax.TERRAFORM:
            _terraform_ssm_parameter(ctx, where.path, data.group(1), plan)
            return
        plan.notes.append(f"The AMI ({value.expression}) is not a literal: make sure it resolves to an arm64 image.")


#: How an AMI parameter is written in place of an AMI id: CloudFormation's dynamic reference
#: ``{{resolve:ssm:NAME}}`` (optionally ``:VERSION``) and EC2's ``resolve:ssm:NAME`` (launch templates, any IaC).
_SSM_REFERENCE = re.compile(
    r"^(?:\{\{resolve:ssm:(?P<dynamic>[^:}]+)(?::\d+)?\}\}|resolve:ssm:(?P<ec2>[^:]+)(?::\d+)?)$"
)


def ssm_parameter_name(value: str) -> str:
    """The SSM parameter an AMI value names: the bare name, or the one inside a ``resolve:ssm`` reference."""
    match = _SSM_REFERENCE.match(value)
    return (match.group("dynamic") or match.group("ec2")) if match else value


def _ami_parameter(ctx: Context, component: Component, where: Location, value: str, plan: _Plan) -> None:
    """An AMI named by a public SSM parameter: only the parameter's name is spliced, so a reference around it
    (``{{resolve:ssm:...}}``, ``resolve:ssm:...``) stays a reference and the template stays valid.
    """
    name = ssm_parameter_name(value)
    moved = knowledge.graviton_moves().ami_parameter(name)
    if moved is None:
        plan.manual.append(f"the AMI {value} has no known arm64 sibling")
        return
    new_name, rule = moved
    buffer = ctx.ws.buffer(where.path)
    edit = values.in_span(buffer, where, name, new_name) if buffer is not None else None
    syntax = syntax_of(component)
    if edit is not None:
        plan.edits.append(edit)
    elif syntax in (Syntax.CFN_YAML, Syntax.CFN_JSON):  # a !Ref to a parameter whose Default names it
        before = len(plan.edits)
        literal = _cfn_yaml_literal if syntax is Syntax.CFN_YAML else _cfn_json_literal
        literal(ctx, where, value, value.replace(name, new_name), plan)
        if len(plan.edits) == before:
            return
    else:
        plan.manual.append(f"the AMI parameter {value} is not written literally at {where.short()}")
        return
    plan.notes.append(f"AMI parameter moved to {new_name} ({rule.note}).")


def _terraform_ssm_parameter(ctx: Context, path: str, name: str, plan: _Plan) -> None:
    moves = knowledge.graviton_moves()
    for candidate in ctx.ws.siblings(path, (".tf",)):
        editor: HclEditor | None = ctx.ws.hcl(candidate)
        block = editor.block("data", "aws_ssm_parameter", name) if editor is not None else None
        if editor is None or block is None:
            continue
        found = editor.attribute(block, "name")
        current = editor.string_value(found) if found is not None else None
        moved = moves.ami_parameter(current) if current is not None else None
        if found is None or current is None or moved is None:
            plan.manual.append(f"data.aws_ssm_parameter.{name} does not name a known AMI parameter")
            return
        plan.edits.append(editor.set_expression(found, hcl_string(moved[0])))
        plan.notes.append(
            f"data.aws_ssm_parameter.{name} now reads {moved[0]} ({moved[1].note}); every user of it moves."
        )
        return
    plan.manual.append(f"data.aws_ssm_parameter.{name} was not found next to {path}")


def _ami_type(ctx: Context, group: Component, plan: _Plan) -> None:
    attribute = group.attribute(v.AMI_TYPE)
    if attribute is None:
        plan.notes.append("No AMI type is set: EKS picks the arm64 one for Graviton instance types.")
        return
    if not isinstance(attribute.value, str) or attribute.location is None:
        plan.manual.append(f"the AMI type {attribute.value} is not a literal")
        return
    move = knowledge.graviton_moves().eks_ami_types.get(attribute.value)
    if move is None:
        if "ARM_64" not in attribute.value:
            plan.manual.append(f"the AMI type {attribute.value} has no known arm64 twin")
        return
    if move.to_type is None:
        plan.manual.append(f"the AMI type {attribute.value}: {move.note}")
        return
    syntax = syntax_of(group)
    if syntax is Syntax.CFN_YAML:
        _cfn_yaml_literal(ctx, attribute.location, attribute.value, move.to_type, plan)
    elif syntax is Syntax.TERRAFORM:
        written = values.terraform(ctx, group, attribute.location, attribute.value, move.to_type)
        plan.edits.append(_written(written, plan))
    elif syntax is Syntax.CDK_TYPESCRIPT:
        buffer = ctx.ws.buffer(attribute.location.path)
        text = buffer.text(attribute.location.start_byte, attribute.location.end_byte) if buffer else ""
        member = re.search(r"NodegroupAmiType\.([A-Z0-9_]+)$", text)
        if buffer is None or member is None:
            plan.manual.append(f"the AMI type {text} is not a NodegroupAmiType member")
            return
        start = attribute.location.start_byte + len(text[: member.start(1)].encode())
        plan.edits.append(Edit(buffer.path, start, start + len(member.group(1)), move.to_type))
    else:
        buffer = ctx.ws.buffer(attribute.location.path)
        plan.edits.append(values.in_span(buffer, attribute.location, attribute.value, move.to_type) if buffer else None)
    plan.notes.append(f"AMI type {attribute.value} -> {move.to_type}: {move.note}.")
