"""ECS on EC2 Spot in a CDK TypeScript stack, written where the service is declared and in the file's style.

Before the service's statement (a ``const`` must be declared before it is read): the instance role (the two
managed policies only; ``LaunchTemplate`` makes its instance profile), user data turning Spot draining on (CDK
writes it only for a group with a ``spotPrice``, which a mixed-instances group has not; ``ECS_CLUSTER`` is added by
``addAsgCapacityProvider``), a launch template on the ECS-optimized Amazon Linux 2023 AMI (CDK reads its SSM
parameter), an Auto Scaling group with a mixed-instances policy (all Spot, price-capacity-optimized, the
diversified types, from 0) in the cluster's VPC and the service's subnets, and an ``AsgCapacityProvider`` (managed
scaling, termination protection with the group's scale-in protection, draining) added to the cluster. The task
definition becomes a generic ``TaskDefinition`` compatible with EC2 (``Ec2TaskDefinition`` takes no task-level
cpu/memory), network mode awsvpc kept; the service becomes an ``Ec2Service`` on the new provider.
"""

from __future__ import annotations

import tree_sitter

from replatform import knowledge
from replatform.migrate.editors.typescript import Symbols, TypeScriptEditError, TypeScriptEditor
from replatform.migrate.targets.capacity.service import ServiceView
from replatform.migrate.targets.ec2_spot.generated import Generated, cdk_generated, cdk_label, cdk_refusal, finish
from replatform.migrate.targets.ec2_spot.sizing import Sizing
from replatform.migrate.targets.graviton.context import Context
from replatform.model import Edit

#: FargateService props an Ec2Service does not take (removed), and Fargate task props EC2 cannot keep (refused).
_FARGATE_ONLY_SERVICE = ("platformVersion",)
_FARGATE_ONLY_TASK = ("ephemeralStorageGiB",)
_STATEMENTS = ("lexical_declaration", "variable_declaration", "expression_statement")


def generate(ctx: Context, view: ServiceView, sizing: Sizing) -> Generated:
    try:
        return _typescript(ctx, view, sizing)
    except (TypeScriptEditError, ValueError, KeyError) as exc:
        return Generated(problem=str(exc))


def _typescript(ctx: Context, view: ServiceView, sizing: Sizing) -> Generated:
    service = view.service
    path = service.location.path
    editor = ctx.ws.typescript(path)
    if editor is None:
        return Generated(problem=ctx.ws.notes.get(path, "file not editable"))
    call = editor.call_at(service.location.start_byte, service.location.end_byte)
    props = editor.props(call, 2) if call is not None else None
    if service.get("construct") == "FargateService" and (call is None or props is None):
        return Generated(problem="its construct call or props (an object literal) were not found")
    cluster_node = editor.property(props, "cluster") if props is not None else None
    public = editor.property(props, "assignPublicIp") if props is not None else None
    problem = cdk_refusal(
        view,
        cluster_node is not None,
        public is not None and _text(public) == "true",
        "addAsgCapacityProvider",
        ("assignPublicIp", "assignPublicIp: true"),
    )
    if problem or call is None or props is None or cluster_node is None:
        return Generated(problem=problem or "its construct call was not found")
    statement = _statement(call)
    if statement is None:
        return Generated(problem="the service is not created in a statement of its own")
    label = cdk_label(editor.buffer.text(0, len(editor.buffer.data)), service.name, _camel)
    variable = _camel(label)
    out = cdk_generated(
        view, label, f"maxCapacity of {label}AutoScalingGroup", f"{variable}Provider.capacityProviderName"
    )
    symbols = Symbols()
    names = _Names(editor, symbols)
    subnets = editor.property(props, "vpcSubnets")
    block = _block(editor, names, label, variable, _text(cluster_node), _text(subnets) if subnets else None, sizing)
    indent = editor.buffer.indentation(statement.start_byte)
    text = "".join(f"{indent}{line}\n" if line else "\n" for line in block) + "\n"
    out.edits.append(editor.buffer.insert(editor.buffer.line_start(statement.start_byte), editor.buffer.lines(text)))
    callee = call.child_by_field_name("constructor")
    assert callee is not None
    out.edits.append(editor.replace_node(callee, names.ecs("Ec2Service")))
    out.edits += [editor.remove_property(props, key) for key in _FARGATE_ONLY_SERVICE]

    def task() -> tuple[list[Edit | None], str]:
        edits, problem = _task_definition(ctx, view, sizing, names)
        return [*edits, *editor.import_edits(symbols)], problem

    return finish(ctx, view, out, None, task)


def _statement(call: tree_sitter.Node) -> tree_sitter.Node | None:
    node: tree_sitter.Node | None = call
    while node is not None and node.type not in _STATEMENTS:
        node = node.parent
    return node


def _camel(label: str) -> str:
    return label[0].lower() + label[1:]


class _Names:
    """How this file writes a CDK symbol (``ecs.X`` or ``X``), recording the imports it needs."""

    def __init__(self, editor: TypeScriptEditor, symbols: Symbols) -> None:
        self.editor, self.symbols, self.prefix = editor, symbols, editor.module_prefix()

    def _get(self, module: str, alias: str, name: str) -> str:
        return self.editor.symbol(self.prefix + module, name, alias, self.symbols)

    def ec2(self, name: str) -> str:
        return self._get("aws-ec2", "ec2", name)

    def ecs(self, name: str) -> str:
        return self._get("aws-ecs", "ecs", name)

    def iam(self, name: str) -> str:
        return self._get("aws-iam", "iam", name)

    def autoscaling(self, name: str) -> str:
        return self._get("aws-autoscaling", "autoscaling", name)


def _block(
    editor: TypeScriptEditor,
    names: _Names,
    label: str,
    variable: str,
    cluster: str,
    subnets: str | None,
    sizing: Sizing,
) -> list[str]:
    """The new constructs, one line each, relative to the service statement's indentation."""
    ec2, ecs, iam, autoscaling = names.ec2, names.ecs, names.iam, names.autoscaling
    data = editor.buffer.data
    q = "'" if data.count(b"'") >= data.count(b'"') else '"'
    unit = editor.buffer.indent_unit
    facts = knowledge.ecs_ec2_spot()
    policies = [arn.split(":policy/", 1)[1] for arn in facts.policy_arns("aws")]
    spot_line = next(line for line in facts.user_data if "SPOT" in line)
    hardware = "ARM" if sizing.architecture == "arm64" else "STANDARD"
    lines = [
        f"// ECS on EC2 Spot for {label.removesuffix('Ec2Spot')} (replatform migrate --target ec2-spot): all Spot, "
        "scaling from 0.",
        f"const {variable}Role = new {iam('Role')}(this, {q}{label}InstanceRole{q}, {{",
        f"{unit}assumedBy: new {iam('ServicePrincipal')}({q}ec2.amazonaws.com{q}),",
        f"{unit}managedPolicies: [",
        *(f"{unit * 2}{iam('ManagedPolicy')}.fromAwsManagedPolicyName({q}{p}{q})," for p in policies),
        f"{unit}],",
        "});",
        f"const {variable}UserData = {ec2('UserData')}.forLinux();",
        f"{variable}UserData.addCommands({q}echo {spot_line} >> /etc/ecs/ecs.config{q});",
        f"const {variable}Template = new {ec2('LaunchTemplate')}(this, {q}{label}LaunchTemplate{q}, {{",
        f"{unit}machineImage: {ecs('EcsOptimizedImage')}.amazonLinux2023({ecs('AmiHardwareType')}.{hardware}),",
        f"{unit}instanceType: new {ec2('InstanceType')}({q}{sizing.instance_type}{q}),",
        f"{unit}role: {variable}Role,",
        f"{unit}userData: {variable}UserData,",
        f"{unit}requireImdsv2: true,",
        "});",
        f"const {variable}Group = new {autoscaling('AutoScalingGroup')}(this, {q}{label}AutoScalingGroup{q}, {{",
        f"{unit}vpc: {cluster}.vpc,",
        *([f"{unit}vpcSubnets: {subnets},"] if subnets else []),
        f"{unit}minCapacity: 0,",
        f"{unit}maxCapacity: {sizing.max_instances},",
        f"{unit}mixedInstancesPolicy: {{",
        f"{unit * 2}instancesDistribution: {{",
        f"{unit * 3}onDemandBaseCapacity: 0,",
        f"{unit * 3}onDemandPercentageAboveBaseCapacity: 0,",
        f"{unit * 3}spotAllocationStrategy: {autoscaling('SpotAllocationStrategy')}.PRICE_CAPACITY_OPTIMIZED,",
        f"{unit * 2}}},",
        f"{unit * 2}launchTemplate: {variable}Template,",
        f"{unit * 2}launchTemplateOverrides: [",
        *(f"{unit * 3}{{ instanceType: new {ec2('InstanceType')}({q}{t}{q}) }}," for t in sizing.types),
        f"{unit * 2}],",
        f"{unit}}},",
        "});",
        f"const {variable}Provider = new {ecs('AsgCapacityProvider')}(this, {q}{label}CapacityProvider{q}, {{",
        f"{unit}autoScalingGroup: {variable}Group,",
        f"{unit}enableManagedTerminationProtection: true,",
        f"{unit}enableManagedDraining: true,",
        "});",
        f"{cluster}.addAsgCapacityProvider({variable}Provider);",
    ]
    return [line.replace("\n", " ") for line in lines]


def _task_definition(ctx: Context, view: ServiceView, sizing: Sizing, names: _Names) -> tuple[list[Edit | None], str]:
    """``new ecs.TaskDefinition(..., { compatibility: EC2, networkMode: AWS_VPC, cpu: '…', memoryMiB: '…' })``."""
    ecs = names.ecs
    task = view.task
    assert task is not None
    if task.location.path != view.service.location.path:
        return [], f"it is declared in {task.location.path}, not in the service's file"
    if task.get("construct") != "FargateTaskDefinition":
        return [], f"it is a {task.get('construct')}, not a FargateTaskDefinition"
    editor = ctx.ws.typescript(task.location.path)
    assert editor is not None
    call = editor.call_at(task.location.start_byte, task.location.end_byte)
    if call is None:
        return [], "its construct call was not found"
    callee = call.child_by_field_name("constructor")
    assert callee is not None
    edits: list[Edit | None] = [editor.replace_node(callee, ecs("TaskDefinition"))]
    wanted = {"cpu": sizing.cpu_units, "memory": sizing.memory_mib}
    changed = {key: value for key, value, _declared in sizing.reservations()}
    props = editor.props(call, 2)
    if props is None:
        if len(editor.arguments(call)) != 2:
            return [], "its props are not an object literal"
        body = (
            f"{{ compatibility: {ecs('Compatibility')}.EC2, networkMode: {ecs('NetworkMode')}.AWS_VPC, "
            f"cpu: '{wanted['cpu']}', memoryMiB: '{wanted['memory']}' }}"
        )
        return [*edits, editor.append_argument(call, body)], ""
    for key in _FARGATE_ONLY_TASK:
        if editor.property(props, key) is not None:
            return [], f"it sets {key}, which only Fargate task definitions take"
    additions: list[tuple[str, str]] = [
        ("compatibility", f"{ecs('Compatibility')}.EC2"),
        ("networkMode", f"{ecs('NetworkMode')}.AWS_VPC"),
    ]
    for old, new, size in (("cpu", "cpu", "cpu"), ("memoryLimitMiB", "memoryMiB", "memory")):
        node = editor.property(props, old)
        if node is None:
            additions.append((new, f"'{wanted[size]}'"))
            continue
        value = f"'{wanted[size]}'" if size in changed or node.type == "number" else f"String({_text(node)})"
        pair = node.parent
        if pair is None or pair.type != "pair":
            return [], f"its {old} is written as a shorthand property"
        edits.append(editor.replace_node(pair, f"{new}: {value}"))
    first, *rest = additions  # one insertion: two at one offset would land in reverse order
    value = first[1] + "".join(f",\n{key}: {text}" for key, text in rest)
    edits.append(editor.insert_property(props, first[0], value))
    return edits, ""


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")
