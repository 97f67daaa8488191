"""Lambda functions -> arm64, in every syntax discovery reads them from.

Safe when the function's code folder (the ``has_code`` link discovery resolved) is in the repository and
nothing in it blocks arm64, or the code is inline; unsafe when the code is an image, a folder we cannot
see, or has blockers; manual when the runtime must move first.
"""

from __future__ import annotations

from dataclasses import dataclass

from replatform import knowledge
from replatform.discover import compute_vocabulary as v
from replatform.migrate.editors.python import PythonSymbols
from replatform.migrate.editors.typescript import Symbols
from replatform.migrate.editors.yaml import YamlEditError
from replatform.migrate.targets.graviton import values
from replatform.migrate.targets.graviton.context import Context, Syntax, make_fix, syntax_of
from replatform.model import Applicability, Component, Edit, Fix, LinkKind

RULE = "lambda-x86"


@dataclass(frozen=True)
class _Change:
    edits: list[Edit | None]
    inline: bool = False  # the code is written in the template (CloudFormation ``ZipFile``)
    shared: str = ""  # a place several functions share (SAM Globals, serverless provider)
    problem: str = ""
    followed: values.Written | None = None  # the architecture is a constant's value, changed where it is set


def fix_lambda(ctx: Context, function: Component) -> Fix:
    description = f"Run Lambda function {function.name} on arm64"
    runtime = function.get(v.RUNTIME)
    fact = knowledge.lambda_runtimes().get(runtime) if isinstance(runtime, str) else None
    if fact is not None and (not fact.arm64 or fact.deprecated):
        blocked = "Lambda has no arm64 for it" if not fact.arm64 else "it is deprecated, so Lambda blocks updates"
        why = f"Needs a person: the runtime {fact.runtime} must move first ({blocked}); then the architecture can."
        if fact.replacement:
            why = why.replace("must move first", f"must move to {fact.replacement} first")
        return make_fix(RULE, function, description, [], Applicability.MANUAL, why)
    syntax = syntax_of(function)
    try:
        change = _CHANGERS[syntax](ctx, function) if syntax in _CHANGERS else _Change([], problem="no editor")
    except (YamlEditError, ValueError, KeyError) as exc:
        change = _Change([], problem=str(exc))
    if change.problem:
        return make_fix(
            RULE, function, description, [], Applicability.MANUAL, f"Not changed automatically: {change.problem}."
        )
    applicability, why = _safety(ctx, function, change)
    if change.shared:
        why += f" The setting is shared ({change.shared}): every function that inherits it moves too."
    if change.followed is not None:
        applicability = change.followed.label(applicability)
        why += " " + change.followed.note
    return make_fix(RULE, function, description, change.edits, applicability, why)


def _safety(ctx: Context, function: Component, change: _Change) -> tuple[Applicability, str]:
    images = ctx.graph.out(function, LinkKind.RUNS_IMAGE)
    if images or function.get(v.PACKAGE_TYPE) == "Image" or function.get("construct") == "DockerImageFunction":
        return Applicability.UNSAFE, "The function runs a container image: the image must be built for linux/arm64 too."
    if change.inline:
        return Applicability.SAFE, "The code is inline in the template: no native dependencies to rebuild."
    folders = ctx.graph.code_folders(function)
    if not folders:
        return (
            Applicability.UNSAFE,
            "The code this function runs is not in a folder of the repository, so native code in it was not checked.",
        )
    blockers = [b for folder in folders for b in ctx.not_ready_under(folder)]
    shown = ", ".join("the repository root" if f == "." else f for f in folders)
    if blockers:
        names = ", ".join(sorted({f"{b.rule_id} ({b.location.short()})" for b in blockers})[:3])
        return Applicability.UNSAFE, f"Code in {shown} has arm64 findings to fix first: {names}."
    return (
        Applicability.SAFE,
        f"Nothing in {shown} blocks arm64 (no native or x86-only code or dependencies found); only the architecture changes.",
    )


# ---------------------------------------------------------------- CDK


def _not_editable(ctx: Context, path: str) -> _Change:
    return _Change([], problem=ctx.ws.notes.get(path, "file not editable"))


def _cdk_typescript(ctx: Context, function: Component) -> _Change:
    editor = ctx.ws.typescript(function.location.path)
    if editor is None:
        return _not_editable(ctx, function.location.path)
    call = editor.call_at(function.location.start_byte, function.location.end_byte)
    props = editor.props(call, 2) if call is not None else None
    if call is None or props is None:
        return _Change([], problem="the construct's props are not an object literal")
    current = editor.property(props, "architecture")
    if current is not None:
        if current.type == "member_expression" and (current.text or b"").endswith(b"X86_64"):
            return _Change([editor.replace_member(current, "ARM_64")])
        return _constant(ctx, function, f"architecture is {(current.text or b'').decode()}, not a literal to change")
    symbols = Symbols()
    architecture = editor.symbol(f"{editor.module_prefix()}aws-lambda", "Architecture", "lambda", symbols)
    edits: list[Edit | None] = [editor.insert_property(props, "architecture", f"{architecture}.ARM_64")]
    return _Change([*edits, *editor.import_edits(symbols)])


def _cdk_python(ctx: Context, function: Component) -> _Change:
    editor = ctx.ws.python(function.location.path)
    if editor is None:
        return _not_editable(ctx, function.location.path)
    call = editor.call_at(function.location.start_byte, function.location.end_byte)
    if call is None:
        return _Change([], problem="the construct call was not found")
    current = editor.keyword(call, "architecture")
    if current is not None:
        if current.type == "attribute" and (current.text or b"").endswith(b"X86_64"):
            return _Change([editor.replace_member(current, "ARM_64")])
        return _constant(ctx, function, f"architecture is {(current.text or b'').decode()}, not a literal to change")
    symbols = PythonSymbols()
    module = editor.module("aws_lambda", "_lambda", symbols)
    edits: list[Edit | None] = [editor.insert_keyword(call, "architecture", f"{module}.Architecture.ARM_64")]
    return _Change([*edits, *editor.import_edits(symbols)])


def _constant(ctx: Context, function: Component, problem: str) -> _Change:
    """``architecture: ARCH`` with ``ARCH = lambda.Architecture.X86_64``: the member changes where ARCH is set."""
    attribute = function.attribute(v.ARCHITECTURE)
    found = values.constant(ctx, attribute) if attribute is not None else problem
    if isinstance(found, str) or attribute is None:
        return _Change([], problem=problem)
    assigned, origin = found
    if not (assigned.value.text or b"").endswith(b"Architecture.X86_64"):
        return _Change([], problem=f"{problem} ({assigned.name} at {origin.short()} is not Architecture.X86_64)")
    editor = ctx.ws.python(origin.path) if origin.path.endswith(".py") else ctx.ws.typescript(origin.path)
    if editor is None:
        return _not_editable(ctx, origin.path)
    note, shared = values.constant_note(assigned, origin, attribute.location, "X86_64")
    edit = editor.replace_member(assigned.value, "ARM_64")
    return _Change([edit], followed=values.Written(edit, note, shared))


# ---------------------------------------------------------------- Terraform


def _terraform(ctx: Context, function: Component) -> _Change:
    editor = ctx.ws.hcl(function.location.path)
    if editor is None:
        return _not_editable(ctx, function.location.path)
    block = editor.block_containing(function.location.start_byte, function.location.end_byte)
    if block is None:
        return _Change([], problem="the resource block was not found")
    current = editor.attribute(block, "architectures")
    if current is not None:
        if "x86_64" not in current.expression:
            return _Change([], problem=f"architectures is {current.expression}, not a literal to change")
        return _Change([editor.set_expression(current, current.expression.replace("x86_64", "arm64"))])
    return _Change([editor.insert_attribute(block, "architectures", '["arm64"]')])


# ---------------------------------------------------------------- CloudFormation / SAM / serverless


def _cloudformation_yaml(ctx: Context, function: Component) -> _Change:
    path = function.location.path
    editor = ctx.ws.yaml(path)
    if editor is None:
        return _not_editable(ctx, path)
    resource = editor.path_at(function.location.start_byte)
    if resource is None:
        return _Change([], problem="the resource was not found in the template")
    document = resource[:1]
    code = editor.node((*resource, "Properties", "Code"))
    inline = isinstance(code, dict) and code.get("ZipFile") is not None
    attribute = function.attribute(v.ARCHITECTURE)
    if attribute is not None and attribute.location is not None and attribute.location.path == path:
        written = editor.path_at(attribute.location.start_byte)
        if written is None:
            return _Change([], inline, problem="the architecture value was not found")
        target = written if not isinstance(editor.node(written), list) else (*written, 0)
        shared = "Globals.Function.Architectures" if "Globals" in written else ""
        return _Change([editor.set_scalar(target, "arm64")], inline, shared=shared)
    globals_function = (*document, "Globals", "Function")
    if function.get("resource_type") == "AWS::Serverless::Function" and editor.node(globals_function) is not None:
        edit = editor.insert_entry(globals_function, "Architectures", ["arm64"])
        return _Change([edit], inline, shared="Globals.Function.Architectures")
    properties = (*resource, "Properties")
    if editor.node(properties) is None:
        return _Change([editor.insert_entry(resource, "Properties", {"Architectures": ["arm64"]})], inline)
    return _Change([editor.insert_entry(properties, "Architectures", ["arm64"])], inline)


def _cloudformation_json(ctx: Context, function: Component) -> _Change:
    path = function.location.path
    editor = ctx.ws.json(path)
    if editor is None:
        return _not_editable(ctx, path)
    properties = ("Resources", function.name, "Properties")
    code = editor.value((*properties, "Code"))
    inline = isinstance(code, dict) and "ZipFile" in code
    current = editor.value((*properties, "Architectures"))
    if current is not None:
        if current != ["x86_64"]:
            return _Change([], inline, problem=f"Architectures is {current}, not a literal to change")
        return _Change([editor.set_value((*properties, "Architectures"), ["arm64"])], inline)
    if editor.node(properties) is None:
        edit = editor.insert_property(("Resources", function.name), "Properties", {"Architectures": ["arm64"]})
        return _Change([edit], inline)
    return _Change([editor.insert_property(properties, "Architectures", ["arm64"])], inline)


def _serverless(ctx: Context, function: Component) -> _Change:
    path = function.location.path
    editor = ctx.ws.yaml(path)
    if editor is None:
        return _not_editable(ctx, path)
    attribute = function.attribute(v.ARCHITECTURE)
    if attribute is not None and attribute.location is not None:
        written = editor.path_at(attribute.location.start_byte)
        if written is None:
            return _Change([], problem="the architecture value was not found")
        shared = "provider.architecture" if "provider" in written else ""
        return _Change([editor.set_scalar(written, "arm64")], shared=shared)
    return _Change([editor.insert_entry((0, "provider"), "architecture", "arm64")], shared="provider.architecture")


_CHANGERS = {
    Syntax.CDK_TYPESCRIPT: _cdk_typescript,
    Syntax.CDK_PYTHON: _cdk_python,
    Syntax.TERRAFORM: _terraform,
    Syntax.CFN_YAML: _cloudformation_yaml,
    Syntax.CFN_JSON: _cloudformation_json,
    Syntax.SERVERLESS: _serverless,
}
