"""The AMI of a CDK instance, launch template or Auto Scaling group -> its arm64 twin, in the construct's call.

CDK names AMIs by what they are, not by id: ``EcsOptimizedImage.amazonLinux2()`` takes a hardware type,
``MachineImage.latestAmazonLinux2023()`` a CPU type, ``MachineImage.fromSsmParameter('/aws/service/...')`` a
public parameter (moved by the same table as CloudFormation's). Each is edited where it is written; any other
image (a map of AMI ids, a lookup) needs a person, because an x86 AMI on a Graviton type does not boot.
"""

from __future__ import annotations

import re
from typing import Protocol

import tree_sitter

from replatform import knowledge
from replatform.migrate.editors.python import PythonEditor, PythonSymbols
from replatform.migrate.editors.typescript import Symbols, TypeScriptEditor
from replatform.migrate.targets.graviton.context import Context, Syntax, syntax_of
from replatform.model import Component, Edit

#: ``EcsOptimizedImage`` methods that take a hardware type (STANDARD -> ARM); ``amazonLinux()`` (AL1) has none.
_ECS_IMAGES = ("amazonLinux2", "amazonLinux2023", "amazon_linux2", "amazon_linux2023")
#: ``MachineImage`` methods / ``AmazonLinuxImage`` constructors that take a CPU type (X86_64 -> ARM_64).
_AMAZON_LINUX = (
    "latestAmazonLinux2",
    "latestAmazonLinux2022",
    "latestAmazonLinux2023",
    "AmazonLinuxImage",
    "AmazonLinux2ImageSsmParameter",
    "AmazonLinux2023ImageSsmParameter",
    "latest_amazon_linux2",
    "latest_amazon_linux2022",
    "latest_amazon_linux2023",
)
_SSM = ("fromSsmParameter", "resolveSsmParameterAtLaunch", "from_ssm_parameter", "resolve_ssm_parameter_at_launch")


class _Plan(Protocol):
    edits: list[Edit | None]
    notes: list[str]
    manual: list[str]


def move(ctx: Context, component: Component, plan: _Plan) -> None:
    """Edit the construct's ``machineImage`` / ``machine_image`` to the arm64 image of the same kind."""
    syntax = syntax_of(component)
    if syntax is Syntax.CDK_TYPESCRIPT:
        _typescript(ctx, component, plan)
    elif syntax is Syntax.CDK_PYTHON:
        _python(ctx, component, plan)


def _name(node: tree_sitter.Node | None) -> str:
    return (node.text or b"").decode("utf-8", errors="replace") if node is not None else ""


def _ssm_path(text: str) -> str | None:
    match = re.fullmatch(r"""(['"])(/aws/service/[^'"]+)\1""", text.strip())
    return match.group(2) if match else None


def _splice_parameter(path: str, node: tree_sitter.Node, plan: _Plan) -> None:
    text = _name(node)
    name = _ssm_path(text)
    moved = knowledge.graviton_moves().ami_parameter(name) if name is not None else None
    if name is None or moved is None:
        plan.manual.append(f"the AMI parameter {text} has no known arm64 sibling")
        return
    start = node.start_byte + 1
    plan.edits.append(Edit(path, start, start + len(name.encode()), moved[0]))
    plan.notes.append(f"AMI parameter moved to {moved[0]} ({moved[1].note}).")


# ---------------------------------------------------------------- TypeScript


def _typescript(ctx: Context, component: Component, plan: _Plan) -> None:
    path = component.location.path
    editor = ctx.ws.typescript(path)
    call = editor.call_at(component.location.start_byte, component.location.end_byte) if editor else None
    props = editor.props(call, 2) if editor is not None and call is not None else None
    if editor is None or props is None:
        plan.manual.append(f"the machineImage of {component.name} was not found")
        return
    image = editor.property(props, "machineImage")
    if image is None:
        plan.notes.append("No machineImage is set here: make sure the one used at launch is arm64.")
        return
    if image.type not in ("call_expression", "new_expression"):
        plan.manual.append(f"the machineImage {_name(image)} is not an image call: make sure it is arm64")
        return
    callee = editor.callee(image).rsplit(".", 1)[-1]
    arguments = editor.arguments(image)
    symbols = Symbols()
    prefix = editor.module_prefix()
    if callee in _ECS_IMAGES:
        hardware = editor.symbol(f"{prefix}aws-ecs", "AmiHardwareType", "ecs", symbols)
        if not arguments:
            plan.edits.append(editor.append_argument(image, f"{hardware}.ARM"))
        elif not _ts_member(editor, arguments[0], "STANDARD", "ARM", plan):
            return
        plan.notes.append(f"{_name(image)} now asks for the ECS-optimised arm64 AMI (AmiHardwareType.ARM).")
    elif callee in _AMAZON_LINUX:
        cpu = editor.symbol(f"{prefix}aws-ec2", "AmazonLinuxCpuType", "ec2", symbols)
        options = editor.props(image, 0)
        if options is None and not arguments:
            plan.edits.append(editor.append_argument(image, f"{{ cpuType: {cpu}.ARM_64 }}"))
        elif options is None:
            plan.manual.append(f"the options of {_name(image)} are not an object literal")
            return
        elif (current := editor.property(options, "cpuType")) is None:
            plan.edits.append(editor.insert_property(options, "cpuType", f"{cpu}.ARM_64"))
        elif not _ts_member(editor, current, "X86_64", "ARM_64", plan):
            return
        plan.notes.append(f"{_name(image)} now asks for the arm64 Amazon Linux AMI (AmazonLinuxCpuType.ARM_64).")
    elif callee in _SSM and arguments:
        _splice_parameter(path, arguments[0], plan)
        return
    else:
        plan.manual.append(f"the machineImage {_name(image)} is not one we can move: choose its arm64 twin")
        return
    plan.edits.extend(editor.import_edits(symbols))


def _ts_member(editor: TypeScriptEditor, node: tree_sitter.Node, old: str, new: str, plan: _Plan) -> bool:
    text = _name(node)
    if node.type == "member_expression" and text.endswith(f".{new}"):
        return True
    if node.type != "member_expression" or not text.endswith(f".{old}"):
        plan.manual.append(f"the AMI option {text} is not {old}: choose the arm64 image by hand")
        return False
    plan.edits.append(editor.replace_member(node, new))
    return True


# ---------------------------------------------------------------- Python


def _python(ctx: Context, component: Component, plan: _Plan) -> None:
    path = component.location.path
    editor = ctx.ws.python(path)
    call = editor.call_at(component.location.start_byte, component.location.end_byte) if editor else None
    if editor is None or call is None:
        plan.manual.append(f"the machine_image of {component.name} was not found")
        return
    image = editor.keyword(call, "machine_image")
    if image is None:
        plan.notes.append("No machine_image is set here: make sure the one used at launch is arm64.")
        return
    function = image.child_by_field_name("function") if image.type == "call" else None
    if function is None:
        plan.manual.append(f"the machine_image {_name(image)} is not an image call: make sure it is arm64")
        return
    callee = _name(function).rsplit(".", 1)[-1]
    symbols = PythonSymbols()
    if callee in _ECS_IMAGES:
        ecs = editor.module("aws_ecs", "ecs", symbols)
        if not _py_option(editor, image, "hardware_type", f"{ecs}.AmiHardwareType", ("STANDARD", "ARM"), plan):
            return
        plan.notes.append(f"{_name(image)} now asks for the ECS-optimised arm64 AMI (AmiHardwareType.ARM).")
    elif callee in _AMAZON_LINUX:
        ec2 = editor.module("aws_ec2", "ec2", symbols)
        if not _py_option(editor, image, "cpu_type", f"{ec2}.AmazonLinuxCpuType", ("X86_64", "ARM_64"), plan):
            return
        plan.notes.append(f"{_name(image)} now asks for the arm64 Amazon Linux AMI (AmazonLinuxCpuType.ARM_64).")
    elif callee in _SSM and editor.positional(image):
        _splice_parameter(path, editor.positional(image)[0], plan)
        return
    else:
        plan.manual.append(f"the machine_image {_name(image)} is not one we can move: choose its arm64 twin")
        return
    plan.edits.extend(editor.import_edits(symbols))


def _py_option(
    editor: PythonEditor, image: tree_sitter.Node, keyword: str, enum: str, values: tuple[str, str], plan: _Plan
) -> bool:
    old, new = values
    positional = editor.positional(image)
    current = editor.keyword(image, keyword) or (positional[0] if positional else None)
    if current is None:
        plan.edits.append(editor.insert_keyword(image, keyword, f"{enum}.{new}"))
        return True
    text = _name(current)
    if current.type == "attribute" and text.endswith(f".{new}"):
        return True
    if current.type != "attribute" or not text.endswith(f".{old}"):
        plan.manual.append(f"the AMI option {text} is not {old}: choose the arm64 image by hand")
        return False
    plan.edits.append(editor.replace_member(current, new))
    return True
