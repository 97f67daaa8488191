"""ECS task definitions (and ``ecs_patterns`` services) -> ARM64 runtime platform, images built for arm64.

A task moves with its images: CDK assets get ``platform: Platform.LINUX_ARM64`` so they are built for
arm64 on any build host. Safe when every image is built here from a folder with no arm64 findings;
unsafe when an image comes from a registry (it must be published for linux/arm64) or a folder has findings.
"""

from __future__ import annotations

import tree_sitter

from replatform.migrate.editors.python import PythonEditor, PythonSymbols
from replatform.migrate.editors.typescript import Symbols, TypeScriptEditor
from replatform.migrate.editors.yaml import YamlEditError
from replatform.migrate.targets.graviton import values
from replatform.migrate.targets.graviton.context import Context, Syntax, make_fix, syntax_of
from replatform.model import Applicability, Component, ComponentKind, Edit, Fix, LinkKind, TargetKind

RULE = "ecs-task-x86"
_ASSET_CALLS = ("fromAsset", "from_asset")


def fix_task(ctx: Context, task: Component) -> Fix:
    syntax = syntax_of(task)
    description = f"Run ECS task {task.name} on ARM64 (runtime platform LINUX/ARM64)"
    images = [c for c in ctx.children.get(task.id, []) if c.kind is ComponentKind.CONTAINER_IMAGE]
    followed: list[values.Written] = []
    try:
        if syntax is Syntax.CDK_TYPESCRIPT:
            edits, problem = _cdk_typescript(ctx, task, images, followed)
        elif syntax is Syntax.CDK_PYTHON:
            edits, problem = _cdk_python(ctx, task, images, followed)
        elif syntax is Syntax.TERRAFORM:
            edits, problem = _terraform(ctx, task, followed)
        elif syntax is Syntax.CFN_YAML:
            edits, problem = _cloudformation_yaml(ctx, task)
        elif syntax in (Syntax.CFN_JSON, Syntax.TASKDEF_JSON):
            edits, problem = _json(ctx, task, syntax)
        else:
            edits, problem = [], "no editor for this syntax"
    except (YamlEditError, ValueError, KeyError) as exc:
        edits, problem = [], str(exc)
    if problem:
        return make_fix(RULE, task, description, [], Applicability.MANUAL, f"Not changed automatically: {problem}.")
    applicability, why = _safety(ctx, task, images)
    for written in followed:
        applicability = written.label(applicability)
        why += " " + written.note
    if _placed_by_hosts(task):
        # no runtimePlatform to set: the hosts' move (joined to this fix, see hosts.py) makes the tasks arm64
        if not ctx.graph.hosts(task):
            why = (
                "Not changed automatically: an Ec2TaskDefinition has no runtimePlatform; its tasks run on the "
                "architecture of the cluster's EC2 instances, and none were found linked to its service."
            )
            return make_fix(RULE, task, description, [], Applicability.MANUAL, why)
        description = f"Run ECS task {task.name} on ARM64 (its images built for arm64)"
        return Fix(description, tuple(sorted({e for e in edits if e is not None})), applicability, RULE, task.id, why)
    return make_fix(RULE, task, description, edits, applicability, why)


def _placed_by_hosts(task: Component) -> bool:
    """CDK's ``Ec2TaskDefinition`` takes no ``runtimePlatform``: the container instances decide the architecture."""
    return task.get("construct") == "Ec2TaskDefinition" and syntax_of(task) in (
        Syntax.CDK_TYPESCRIPT,
        Syntax.CDK_PYTHON,
    )


def _safety(ctx: Context, task: Component, images: list[Component]) -> tuple[Applicability, str]:
    """From the ``runs_image`` links discovery resolved: a build folder here, or an image reference."""
    if not images:
        return Applicability.UNSAFE, "No container image of this task was found, so none was checked for linux/arm64."
    reasons = []
    for image in images:
        links = ctx.graph.out(image, LinkKind.RUNS_IMAGE)
        if not links:
            reasons.append(f"the image of container {image.name} is not known")
        for link in links:
            if link.target_kind is TargetKind.FOLDER and isinstance(link.target, str):
                blockers = ctx.not_ready_under(link.target)
                if blockers:
                    first = sorted(blockers, key=lambda f: f.sort_key())[0]
                    folder = "the repository root" if link.target == "." else link.target
                    reasons.append(f"{folder} has arm64 findings ({first.rule_id} at {first.location.short()})")
            elif not (isinstance(link.target, str) and _registry_says_ready(ctx, link.target)):
                shown = link.target if isinstance(link.target, str) else link.target.expression
                reasons.append(f"image {shown} must be published for linux/arm64 (a multi-arch manifest)")
    if reasons:  # once each: a module's instances share their container images' ids
        return Applicability.UNSAFE, "Check first: " + "; ".join(dict.fromkeys(reasons)) + "."
    return Applicability.SAFE, "Every image is built here for linux/arm64 from a folder with no arm64 findings."


def _registry_says_ready(ctx: Context, reference: str) -> bool:
    return any(f.rule_id == "image-arm64-ready" and f.subject == reference for f in ctx.report.findings)


# ---------------------------------------------------------------- CDK TypeScript


def _cdk_typescript(
    ctx: Context, task: Component, images: list[Component], followed: list[values.Written]
) -> tuple[list[Edit | None], str]:
    path = task.location.path
    editor = ctx.ws.typescript(path)
    if editor is None:
        return [], ctx.ws.notes.get(path, "file not editable")
    call = editor.call_at(task.location.start_byte, task.location.end_byte)
    if call is None:
        return [], "the construct call was not found"
    symbols = Symbols()
    edits: list[Edit | None] = []
    if not _placed_by_hosts(task):
        edit, problem = _ts_runtime_platform(editor, call, symbols)
        if problem and task.attribute("architecture") is not None:
            edit, problem = _architecture_constant(ctx, task, problem, followed)
        if problem:
            return [], problem
        edits.append(edit)
    for image in images:
        if isinstance(image.get("asset_directory"), str) and image.location.path == path:
            edit, problem = _ts_asset_platform(editor, image, symbols)
            if problem:
                return [], problem
            edits.append(edit)
    return [*edits, *editor.import_edits(symbols)], ""


def _ts_runtime_platform(editor: TypeScriptEditor, call: tree_sitter.Node, symbols: Symbols) -> tuple[Edit | None, str]:
    """``runtimePlatform: { cpuArchitecture: ARM64, operatingSystemFamily: LINUX }`` in the construct's props."""
    prefix = editor.module_prefix()
    cpu = editor.symbol(f"{prefix}aws-ecs", "CpuArchitecture", "ecs", symbols)
    family = editor.symbol(f"{prefix}aws-ecs", "OperatingSystemFamily", "ecs", symbols)
    props = editor.props(call, 2)
    unit = editor.buffer.indent_unit
    platform_value = f"{{\n{unit}cpuArchitecture: {cpu}.ARM64,\n{unit}operatingSystemFamily: {family}.LINUX,\n}}"
    if props is None:
        if len(editor.arguments(call)) != 2:
            return None, "the construct's props are not an object literal"
        inline = f"{{ runtimePlatform: {{ cpuArchitecture: {cpu}.ARM64, operatingSystemFamily: {family}.LINUX }} }}"
        return editor.append_argument(call, inline), ""
    current = editor.property(props, "runtimePlatform")
    if current is None:
        return editor.insert_property(props, "runtimePlatform", platform_value), ""
    if current.type != "object":
        return None, f"runtimePlatform is {(current.text or b'').decode()}, not an object literal"
    architecture = editor.property(current, "cpuArchitecture")
    if architecture is None:
        return editor.insert_property(current, "cpuArchitecture", f"{cpu}.ARM64"), ""
    if architecture.type == "member_expression" and (architecture.text or b"").endswith(b"X86_64"):
        return editor.replace_member(architecture, "ARM64"), ""
    return None, f"cpuArchitecture is {(architecture.text or b'').decode()}, not a literal to change"


def _ts_asset_platform(editor: TypeScriptEditor, image: Component, symbols: Symbols) -> tuple[Edit | None, str]:
    call = editor.call_at(image.location.start_byte, image.location.end_byte)
    if call is None or not editor.callee(call).endswith(_ASSET_CALLS):
        return None, f"the image asset of {image.name} is not a ContainerImage.fromAsset call"
    platform = editor.symbol(f"{editor.module_prefix()}aws-ecr-assets", "Platform", "ecr_assets", symbols)
    props = editor.props(call, 1)
    if props is None:
        if len(editor.arguments(call)) != 1:
            return None, f"the asset options of {image.name} are not an object literal"
        return editor.append_argument(call, f"{{ platform: {platform}.LINUX_ARM64 }}"), ""
    current = editor.property(props, "platform")
    if current is None:
        return editor.insert_property(props, "platform", f"{platform}.LINUX_ARM64"), ""
    if current.type == "member_expression" and (current.text or b"").endswith(b"LINUX_AMD64"):
        return editor.replace_member(current, "LINUX_ARM64"), ""
    return None, ""


# ---------------------------------------------------------------- CDK Python


def _cdk_python(
    ctx: Context, task: Component, images: list[Component], followed: list[values.Written]
) -> tuple[list[Edit | None], str]:
    path = task.location.path
    editor = ctx.ws.python(path)
    if editor is None:
        return [], ctx.ws.notes.get(path, "file not editable")
    call = editor.call_at(task.location.start_byte, task.location.end_byte)
    if call is None:
        return [], "the construct call was not found"
    symbols = PythonSymbols()
    ecs = editor.module("aws_ecs", "ecs", symbols)
    edits: list[Edit | None] = []
    current = editor.keyword(call, "runtime_platform")
    if _placed_by_hosts(task):
        pass
    elif current is None:
        unit = editor.buffer.indent_unit
        value = (
            f"{ecs}.RuntimePlatform(\n{unit}cpu_architecture={ecs}.CpuArchitecture.ARM64,\n"
            f"{unit}operating_system_family={ecs}.OperatingSystemFamily.LINUX,\n)"
        )
        edits.append(editor.insert_keyword(call, "runtime_platform", value))
    elif current.type == "call":
        architecture = editor.keyword(current, "cpu_architecture")
        if architecture is None:
            edits.append(editor.insert_keyword(current, "cpu_architecture", f"{ecs}.CpuArchitecture.ARM64"))
        elif architecture.type == "attribute" and (architecture.text or b"").endswith(b"X86_64"):
            edits.append(editor.replace_member(architecture, "ARM64"))
        else:
            problem = f"cpu_architecture is {(architecture.text or b'').decode()}, not a literal to change"
            edit, problem = _architecture_constant(ctx, task, problem, followed)
            if problem:
                return [], problem
            edits.append(edit)
    else:
        return [], "runtime_platform is not a RuntimePlatform(...) call"
    for image in images:
        if isinstance(image.get("asset_directory"), str) and image.location.path == path:
            edit, problem = _py_asset_platform(editor, image, symbols)
            if problem:
                return [], problem
            edits.append(edit)
    return [*edits, *editor.import_edits(symbols)], ""


def _py_asset_platform(editor: PythonEditor, image: Component, symbols: PythonSymbols) -> tuple[Edit | None, str]:
    call = editor.call_at(image.location.start_byte, image.location.end_byte)
    function = call.child_by_field_name("function") if call is not None else None
    if call is None or function is None or not (function.text or b"").decode().endswith(_ASSET_CALLS):
        return None, f"the image asset of {image.name} is not a ContainerImage.from_asset call"
    current = editor.keyword(call, "platform")
    assets = editor.module("aws_ecr_assets", "ecr_assets", symbols)
    if current is None:
        return editor.insert_keyword(call, "platform", f"{assets}.Platform.LINUX_ARM64"), ""
    if current.type == "attribute" and (current.text or b"").endswith(b"LINUX_AMD64"):
        return editor.replace_member(current, "LINUX_ARM64"), ""
    return None, ""


def _architecture_constant(
    ctx: Context, task: Component, problem: str, followed: list[values.Written]
) -> tuple[Edit | None, str]:
    """``cpuArchitecture: ARCH`` with ``ARCH = ecs.CpuArchitecture.X86_64``: the member changes where ARCH is set."""
    attribute = task.attribute("architecture")
    found = values.constant(ctx, attribute) if attribute is not None else problem
    if isinstance(found, str) or attribute is None:
        return None, problem
    assigned, origin = found
    node = assigned.value
    if not (node.text or b"").endswith(b"CpuArchitecture.X86_64"):
        return None, f"{problem} ({assigned.name} at {origin.short()} is not CpuArchitecture.X86_64)"
    editor = ctx.ws.python(origin.path) if origin.path.endswith(".py") else ctx.ws.typescript(origin.path)
    if editor is None:
        return None, problem
    note, shared = values.constant_note(assigned, origin, attribute.location, "X86_64")
    followed.append(values.Written(None, note, shared))
    return editor.replace_member(node, "ARM64"), ""


# ---------------------------------------------------------------- Terraform / CloudFormation / JSON


def _terraform(ctx: Context, task: Component, followed: list[values.Written]) -> tuple[list[Edit | None], str]:
    editor = ctx.ws.hcl(task.location.path)
    if editor is None:
        return [], ctx.ws.notes.get(task.location.path, "file not editable")
    block = editor.block_containing(task.location.start_byte, task.location.end_byte)
    if block is None:
        return [], "the resource block was not found"
    platform = editor.nested(block, "runtime_platform")
    if platform is None:
        attributes = [("operating_system_family", '"LINUX"'), ("cpu_architecture", '"ARM64"')]
        return [editor.insert_block(block, "runtime_platform", attributes)], ""
    current = editor.attribute(platform, "cpu_architecture")
    if current is None:
        return [editor.insert_attribute(platform, "cpu_architecture", '"ARM64"')], ""
    if current.expression.strip('"').upper() == "X86_64":
        return [editor.set_expression(current, '"ARM64"')], ""
    stated = task.attribute("architecture")
    if stated is None or stated.location is None or not isinstance(stated.value, str):
        return [], f"cpu_architecture is {current.expression}, not a literal to change"
    # a variable: its module call's argument, its default or its tfvars value (where discovery read it)
    written = values.terraform(ctx, task, stated.location, stated.value, "ARM64")
    if written.problem:
        return [], f"cpu_architecture is {current.expression}: {written.problem}"
    followed.append(written)
    return [written.edit], ""


def _cloudformation_yaml(ctx: Context, task: Component) -> tuple[list[Edit | None], str]:
    path = task.location.path
    editor = ctx.ws.yaml(path)
    if editor is None:
        return [], ctx.ws.notes.get(path, "file not editable")
    resource = editor.path_at(task.location.start_byte)
    if resource is None:
        return [], "the resource was not found in the template"
    properties = (*resource, "Properties")
    platform = (*properties, "RuntimePlatform")
    if editor.node(properties) is None:
        return [], "the task definition has no Properties"
    if editor.node(platform) is None:
        value = {"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"}
        return [editor.insert_entry(properties, "RuntimePlatform", value)], ""
    current = editor.node((*platform, "CpuArchitecture"))
    if current is None:
        return [editor.insert_entry(platform, "CpuArchitecture", "ARM64")], ""
    if str(current).upper() != "X86_64":
        return [], f"CpuArchitecture is {current}, not a literal to change"
    return [editor.set_scalar((*platform, "CpuArchitecture"), "ARM64")], ""


def _json(ctx: Context, task: Component, syntax: Syntax) -> tuple[list[Edit | None], str]:
    path = task.location.path
    editor = ctx.ws.json(path)
    if editor is None:
        return [], ctx.ws.notes.get(path, "file not editable")
    if syntax is Syntax.TASKDEF_JSON:
        base: tuple[str | int, ...] = ()
        keys = ("runtimePlatform", "cpuArchitecture", "operatingSystemFamily")
    else:
        base = ("Resources", task.name, "Properties")
        keys = ("RuntimePlatform", "CpuArchitecture", "OperatingSystemFamily")
    if editor.node(base) is None:
        return [], "the task definition has no properties object"
    platform = (*base, keys[0])
    if editor.node(platform) is None:
        return [editor.insert_property(base, keys[0], {keys[1]: "ARM64", keys[2]: "LINUX"})], ""
    current = editor.value((*platform, keys[1]))
    if current is None:
        return [editor.insert_property(platform, keys[1], "ARM64")], ""
    if str(current).upper() != "X86_64":
        return [], f"{keys[1]} is {current}, not a literal to change"
    return [editor.set_value((*platform, keys[1]), "ARM64")], ""
