"""A service's capacity provider strategy, written in place of its launch type (the two are mutually exclusive).

Terraform also gets ``force_new_deployment = true`` (the AWS provider refuses to change a strategy in place
without it) and ``depends_on`` the cluster's capacity provider association when that is a resource of its own
(nothing else orders the two, and a strategy naming a provider the cluster does not have fails).
"""

from __future__ import annotations

from replatform.discover import compute_vocabulary as v
from replatform.migrate.editors.hcl import HclEditError
from replatform.migrate.editors.python import PythonSymbols
from replatform.migrate.editors.yaml import YamlEditError, YamlValue
from replatform.migrate.targets.capacity.intrinsics import in_style, ref
from replatform.migrate.targets.capacity.service import ProviderShare, ServiceView
from replatform.migrate.targets.graviton.context import Context, Syntax
from replatform.model import Edit

Edits = tuple[list[Edit | None], str]


def set_strategy(ctx: Context, view: ServiceView, shares: list[ProviderShare], depends_on: str | None = None) -> Edits:
    """Edits that make ``view.service`` buy its capacity by ``shares`` (or why it cannot be done here)."""
    try:
        if view.syntax is Syntax.TERRAFORM:
            return _terraform(ctx, view, shares, depends_on)
        if view.syntax in (Syntax.CFN_YAML, Syntax.CFN_JSON):
            edits, problem = _cloudformation(ctx, view, shares)
            if depends_on is not None and not problem:
                edits.append(_cloudformation_depends_on(ctx, view, depends_on))
            return edits, problem
        if view.syntax is Syntax.CDK_TYPESCRIPT:
            return _cdk_typescript(ctx, view, shares)
        if view.syntax is Syntax.CDK_PYTHON:
            return _cdk_python(ctx, view, shares)
    except (HclEditError, YamlEditError, ValueError, KeyError) as exc:
        return [], str(exc)
    return [], f"no editor for {view.syntax.value}"


# ---------------------------------------------------------------- Terraform


def _terraform(ctx: Context, view: ServiceView, shares: list[ProviderShare], depends_on: str | None) -> Edits:
    path = view.service.location.path
    editor = ctx.ws.hcl(path)
    if editor is None:
        return [], ctx.ws.notes.get(path, "file not editable")
    block = editor.block_containing(view.service.location.start_byte, view.service.location.end_byte)
    if block is None:
        return [], "the resource block was not found"
    if any(
        editor.buffer.text(c.start_byte, c.end_byte).startswith("dynamic")
        for c in editor.children(block, "block")
        if "capacity_provider_strategy" in editor.buffer.text(c.start_byte, c.end_byte).split("{", 1)[0]
    ):
        return [], "the strategy is a dynamic block: change the expression that feeds it"
    edits: list[Edit | None] = [editor.remove_attribute(block, "launch_type")]
    edits += [editor.remove_block(old) for old in editor.nested_all(block, "capacity_provider_strategy")]
    blocks = [("capacity_provider_strategy", _hcl_share(share)) for share in shares]
    edits.append(editor.insert_blocks(block, blocks, before=("lifecycle",)))
    group: list[tuple[str, str]] = []
    if view.service.get(v.FORCE_NEW_DEPLOYMENT) is not True:
        current = editor.attribute(block, "force_new_deployment")
        if current is not None:
            edits.append(editor.set_expression(current, "true"))
        else:
            group.append(("force_new_deployment", "true"))
    if depends_on is not None:
        current = editor.attribute(block, "depends_on")
        if current is None:
            group.append(("depends_on", f"[{depends_on}]"))
        elif depends_on not in current.expression:
            inner = current.expression.strip()
            if not (inner.startswith("[") and inner.endswith("]")):
                return [], f"depends_on is {current.expression}, not a list to extend"
            items = inner[1:-1].strip().rstrip(",")
            edits.append(editor.set_expression(current, f"[{items}, {depends_on}]" if items else f"[{depends_on}]"))
    if group:
        edits.append(editor.insert_attribute_group(block, group))
    return edits, ""


def _hcl_share(share: ProviderShare) -> list[tuple[str, str]]:
    provider = share.provider if share.expression else f'"{share.provider}"'
    attributes = [("capacity_provider", provider)]
    if share.base:
        attributes.append(("base", str(share.base)))
    attributes.append(("weight", str(share.weight)))
    return attributes


# ---------------------------------------------------------------- CloudFormation


def _cloudformation(ctx: Context, view: ServiceView, shares: list[ProviderShare]) -> Edits:
    path = view.service.location.path
    buffer = ctx.ws.buffer(path)
    json_file = view.syntax is Syntax.CFN_JSON
    items: list[dict[str, YamlValue]] = []
    for share in shares:
        provider = in_style(ref(share.provider), buffer.data if buffer else b"", json_file)
        item: dict[str, YamlValue] = {"CapacityProvider": provider if share.expression else share.provider}
        if share.base:
            item["Base"] = share.base
        item["Weight"] = share.weight
        items.append(item)
    if view.syntax is Syntax.CFN_JSON:
        json_editor = ctx.ws.json(path)
        if json_editor is None:
            return [], ctx.ws.notes.get(path, "file not editable")
        properties: tuple[str | int, ...] = ("Resources", view.name, "Properties")
        if json_editor.node(properties) is None:
            return [], "the service has no Properties"
        edits: list[Edit | None] = [json_editor.remove_property(properties, "LaunchType")]
        if json_editor.node((*properties, "CapacityProviderStrategy")) is not None:
            edits.append(json_editor.set_value((*properties, "CapacityProviderStrategy"), items))
        else:
            edits.append(json_editor.insert_property(properties, "CapacityProviderStrategy", items))
        return edits, ""
    editor = ctx.ws.yaml(path)
    if editor is None:
        return [], ctx.ws.notes.get(path, "file not editable")
    resource = editor.path_at(view.service.location.start_byte)
    if resource is None:
        return [], "the resource was not found in the template"
    props = (*resource, "Properties")
    node = editor.node(props)
    if node is None:
        return [], "the service has no Properties"
    if "CapacityProviderStrategy" in node:
        return [
            editor.remove_entry(props, "LaunchType"),
            editor.replace_entry(props, "CapacityProviderStrategy", items),
        ], ""
    keys = [k for k in node if isinstance(k, str)]
    anchor = keys[-1]
    if "LaunchType" in keys:  # where the launch type was: after the key before it (or the one after it)
        index = keys.index("LaunchType")
        anchor = keys[index - 1] if index > 0 else (keys[1] if len(keys) > 1 else "LaunchType")
        if anchor == "LaunchType":
            return [editor.replace_entry(props, "LaunchType", items, key="CapacityProviderStrategy")], ""
    return [
        editor.remove_entry(props, "LaunchType"),
        editor.insert_entry(props, "CapacityProviderStrategy", items, after=anchor),
    ], ""


def _cloudformation_depends_on(ctx: Context, view: ServiceView, name: str) -> Edit | None:
    """``DependsOn`` the association resource: a service only refers to the cluster, so nothing else orders
    the association's update before the service's.
    """
    path = view.service.location.path
    if view.syntax is Syntax.CFN_JSON:
        json_editor = ctx.ws.json(path)
        assert json_editor is not None
        resource: tuple[str | int, ...] = ("Resources", view.name)
        current = json_editor.value((*resource, "DependsOn"))
        if current is None:
            return json_editor.insert_property(resource, "DependsOn", name)
        if isinstance(current, list):
            return json_editor.append_items((*resource, "DependsOn"), [name])
        return None if current == name else json_editor.set_value((*resource, "DependsOn"), [current, name])
    editor = ctx.ws.yaml(path)
    assert editor is not None
    found = editor.path_at(view.service.location.start_byte)
    assert found is not None
    current_yaml = editor.node((*found, "DependsOn"))
    if current_yaml is None:
        return editor.insert_entry(found, "DependsOn", name, after="Type")
    if isinstance(current_yaml, str):
        return None if current_yaml == name else editor.replace_entry(found, "DependsOn", [current_yaml, name])
    return editor.append_items((*found, "DependsOn"), [name])


# ---------------------------------------------------------------- CDK


def _cdk_typescript(ctx: Context, view: ServiceView, shares: list[ProviderShare]) -> Edits:
    path = view.service.location.path
    editor = ctx.ws.typescript(path)
    if editor is None:
        return [], ctx.ws.notes.get(path, "file not editable")
    call = editor.call_at(view.service.location.start_byte, view.service.location.end_byte)
    if call is None:
        return [], "the construct call was not found"
    level_one = view.service.get("construct") == "CfnService"
    key = "capacityProviderStrategy" if level_one else "capacityProviderStrategies"
    quote = "'" if editor.buffer.data.count(b"'") >= editor.buffer.data.count(b'"') else '"'
    unit = editor.buffer.indent_unit
    entries = []
    for share in shares:
        provider = share.provider if share.expression else f"{quote}{share.provider}{quote}"
        base = f", base: {share.base}" if share.base else ""
        entries.append(f"{unit}{{ capacityProvider: {provider}{base}, weight: {share.weight} }},")
    value = "[\n" + "\n".join(entries) + "\n]"
    props = editor.props(call, 2)
    if props is None:
        return [], "the construct's props are not an object literal"
    edits: list[Edit | None] = []
    if level_one:
        edits.append(editor.remove_property(props, "launchType"))
    current = editor.property(props, key)
    if current is not None:
        indent = editor.buffer.indentation(current.start_byte)
        edits.append(editor.replace_node(current, editor.buffer.lines(value.replace("\n", "\n" + indent))))
    else:
        edits.append(editor.insert_property(props, key, value))
    return edits, ""


def _cdk_python(ctx: Context, view: ServiceView, shares: list[ProviderShare]) -> Edits:
    path = view.service.location.path
    editor = ctx.ws.python(path)
    if editor is None:
        return [], ctx.ws.notes.get(path, "file not editable")
    if view.service.get("construct") == "CfnService":
        return [], "an L1 CfnService in Python: set capacity_provider_strategy by hand"
    call = editor.call_at(view.service.location.start_byte, view.service.location.end_byte)
    if call is None:
        return [], "the construct call was not found"
    symbols = PythonSymbols()
    ecs = editor.module("aws_ecs", "ecs", symbols)
    unit = editor.buffer.indent_unit
    entries = []
    for share in shares:
        provider = share.provider if share.expression else f'"{share.provider}"'
        base = f", base={share.base}" if share.base else ""
        entries.append(
            f"{unit}{ecs}.CapacityProviderStrategy(capacity_provider={provider}{base}, weight={share.weight}),"
        )
    value = "[\n" + "\n".join(entries) + "\n]"
    current = editor.keyword(call, "capacity_provider_strategies")
    edits: list[Edit | None] = []
    if current is not None:
        indent = editor.buffer.indentation(current.start_byte)
        text = editor.buffer.lines(value.replace("\n", "\n" + indent))
        edits.append(editor.buffer.replace(current.start_byte, current.end_byte, text))
    else:
        edits.append(editor.insert_keyword(call, "capacity_provider_strategies", value))
    return [*edits, *editor.import_edits(symbols)], ""
