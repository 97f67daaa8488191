"""Draining that fits a Spot notice: container ``stopTimeout`` and a target group's deregistration delay.

Both only ever go down (a value already within the limit is left alone, so a second run changes nothing).
The limits come from the knowledge base (``fargate_spot.json``: ``draining``), with their sources.
"""

from __future__ import annotations

import re

import tree_sitter

from replatform.discover import compute_vocabulary as v
from replatform.migrate.editors.hcl import HclEditError
from replatform.migrate.editors.python import PythonSymbols
from replatform.migrate.editors.typescript import Symbols
from replatform.migrate.editors.yaml import YamlEditError
from replatform.migrate.targets.graviton.context import Context, Syntax, syntax_of
from replatform.model import Component, Edit, Unknown

Edits = tuple[list[Edit | None], str]
_DURATION = re.compile(r"^(?P<head>.*\bDuration)\.(?P<unit>seconds|minutes|hours|millis)\((?P<amount>[^()]*)\)$", re.S)
_DEREGISTRATION_KEY = "deregistration_delay.timeout_seconds"


def too_long(value: object, limit: int) -> bool:
    """Whether a stated number of seconds exceeds ``limit`` (an unknown value is never changed)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > limit


def lower_stop_timeouts(ctx: Context, containers: list[Component], limit: int) -> Edits:
    """``stopTimeout`` of each container above ``limit`` set to ``limit`` (an unset one defaults to 30 s)."""
    edits: list[Edit | None] = []
    for container in containers:
        if not too_long(container.get(v.STOP_TIMEOUT), limit):
            continue
        try:
            edit, problem = _stop_timeout(ctx, container, limit)
        except (HclEditError, YamlEditError, ValueError, KeyError) as exc:
            edit, problem = None, str(exc)
        if problem:
            return [], f"stopTimeout of container {container.name}: {problem}"
        edits.append(edit)
    return edits, ""


def _stop_timeout(ctx: Context, container: Component, limit: int) -> tuple[Edit | None, str]:
    path = container.location.path
    task = ctx.by_id.get(container.parent or "")
    if task is None:
        return None, "its task definition is not known"
    syntax = syntax_of(task)
    offset = container.location.start_byte
    if syntax is Syntax.TERRAFORM:
        editor = ctx.ws.hcl(path)
        node = editor.object_value(offset, "stopTimeout") if editor is not None else None
        if editor is None or node is None:
            return None, "not an HCL object (a heredoc or a file): change it by hand"
        return editor.buffer.replace(node.start_byte, node.end_byte, str(limit)), ""
    if syntax is Syntax.CFN_YAML:
        yaml = ctx.ws.yaml(path)
        image = yaml.path_at(offset) if yaml is not None else None
        if yaml is None or image is None:
            return None, "the container definition was not found"
        return yaml.set_scalar((*image[:-1], "StopTimeout"), limit), ""
    if syntax in (Syntax.CFN_JSON, Syntax.TASKDEF_JSON):
        json_editor = ctx.ws.json(path)
        if json_editor is None:
            return None, ctx.ws.notes.get(path, "file not editable")
        found = json_editor.path_of(offset)
        if found is None:
            return None, "the container definition was not found"
        key = "StopTimeout" if found[-1] == "Image" else "stopTimeout"
        return json_editor.set_value((*found[:-1], key), limit), ""
    if syntax is Syntax.CDK_TYPESCRIPT:
        editor_ts = ctx.ws.typescript(path)
        props = editor_ts.object_around(offset) if editor_ts is not None else None
        current = editor_ts.property(props, "stopTimeout") if editor_ts is not None and props is not None else None
        if editor_ts is None or current is None:
            return None, "the container props were not found"
        return _duration_edit(editor_ts.buffer.text(current.start_byte, current.end_byte), current, limit, ctx, path)
    if syntax is Syntax.CDK_PYTHON:
        editor_py = ctx.ws.python(path)
        call = editor_py.call_around(offset) if editor_py is not None else None
        current = editor_py.keyword(call, "stop_timeout") if editor_py is not None and call is not None else None
        if editor_py is None or current is None:
            return None, "the add_container call was not found"
        return _duration_edit(editor_py.buffer.text(current.start_byte, current.end_byte), current, limit, ctx, path)
    return None, f"no editor for {syntax.value}"


def _duration_edit(text: str, node: tree_sitter.Node, seconds: int, ctx: Context, path: str) -> tuple[Edit | None, str]:
    """``Duration.minutes(5)`` -> ``Duration.seconds(<seconds>)`` (the file's own way of naming Duration)."""
    match = _DURATION.match(text)
    if match is None:
        return None, f"{text} is not a Duration to change"
    start = node.start_byte
    end = node.end_byte
    buffer = ctx.ws.buffer(path)
    assert buffer is not None
    return buffer.replace(start, end, f"{match.group('head')}.seconds({seconds})"), ""


def shorten_deregistration(ctx: Context, group: Component, seconds: int) -> Edits:
    """The target group's deregistration delay set to ``seconds`` when it is longer (AWS's default is 300 s)."""
    current = group.get(v.DEREGISTRATION_DELAY)
    if current is not None and not too_long(current, seconds):
        return [], ""
    if isinstance(current, Unknown):
        return [], f"the deregistration delay of {group.name} is {current.expression}: set it to {seconds} s or less"
    try:
        return _deregistration(ctx, group, seconds)
    except (HclEditError, YamlEditError, ValueError, KeyError) as exc:
        return [], str(exc)


def _deregistration(ctx: Context, group: Component, seconds: int) -> Edits:
    path = group.location.path
    syntax = syntax_of(group)
    if syntax is Syntax.TERRAFORM:
        editor = ctx.ws.hcl(path)
        if editor is None:
            return [], ctx.ws.notes.get(path, "file not editable")
        block = editor.block_containing(group.location.start_byte, group.location.end_byte)
        if block is None:
            return [], "the target group block was not found"
        current = editor.attribute(block, "deregistration_delay")
        if current is not None:
            quoted = current.expression.startswith('"')
            return [editor.set_expression(current, f'"{seconds}"' if quoted else str(seconds))], ""
        return [editor.insert_attribute(block, "deregistration_delay", str(seconds))], ""
    if syntax is Syntax.CFN_YAML:
        yaml = ctx.ws.yaml(path)
        resource = yaml.path_at(group.location.start_byte) if yaml is not None else None
        if yaml is None or resource is None:
            return [], "the target group was not found in the template"
        props = (*resource, "Properties")
        attributes = yaml.node((*props, "TargetGroupAttributes"))
        item = {"Key": _DEREGISTRATION_KEY, "Value": str(seconds)}
        if attributes is None:
            if yaml.node(props) is None:
                return [yaml.insert_entry(resource, "Properties", {"TargetGroupAttributes": [item]})], ""
            return [yaml.insert_entry(props, "TargetGroupAttributes", [item])], ""
        for index, entry in enumerate(attributes):
            if isinstance(entry, dict) and entry.get("Key") == _DEREGISTRATION_KEY:
                return [yaml.set_scalar((*props, "TargetGroupAttributes", index, "Value"), str(seconds))], ""
        return [yaml.append_item((*props, "TargetGroupAttributes"), item)], ""
    if syntax is Syntax.CFN_JSON:
        json_editor = ctx.ws.json(path)
        if json_editor is None:
            return [], ctx.ws.notes.get(path, "file not editable")
        props_json: tuple[str | int, ...] = ("Resources", group.name, "Properties")
        item_json = {"Key": _DEREGISTRATION_KEY, "Value": str(seconds)}
        listed = json_editor.value((*props_json, "TargetGroupAttributes"))
        if listed is None:
            return [json_editor.insert_property(props_json, "TargetGroupAttributes", [item_json])], ""
        for index, entry in enumerate(listed):
            if isinstance(entry, dict) and entry.get("Key") == _DEREGISTRATION_KEY:
                return [json_editor.set_value((*props_json, "TargetGroupAttributes", index, "Value"), str(seconds))], ""
        return [json_editor.append_item((*props_json, "TargetGroupAttributes"), item_json)], ""
    if syntax is Syntax.CDK_TYPESCRIPT:
        return _cdk_typescript(ctx, group, seconds)
    if syntax is Syntax.CDK_PYTHON:
        return _cdk_python(ctx, group, seconds)
    return [], f"no editor for {syntax.value}"


def _pattern_note(group: Component, seconds: int, python: bool) -> str:
    owner = group.name.rsplit("/", 1)[0]
    call = (
        f"<service>.target_group.set_attribute('{_DEREGISTRATION_KEY}', '{seconds}')"
        if python
        else f"<service>.targetGroup.setAttribute('{_DEREGISTRATION_KEY}', '{seconds}')"
    )
    return f"{owner} creates its own target group: add `{call}` after it"


def _cdk_typescript(ctx: Context, group: Component, seconds: int) -> Edits:
    path = group.location.path
    if str(group.get("construct") or "").endswith("creates)"):
        return [], _pattern_note(group, seconds, python=False)
    editor = ctx.ws.typescript(path)
    if editor is None:
        return [], ctx.ws.notes.get(path, "file not editable")
    call = editor.call_at(group.location.start_byte, group.location.end_byte)
    if call is None:
        return [], "the target group call was not found"
    props = editor.props(call, 1 if group.get("construct") == "addTargets" else 2)
    if props is None:
        return [], "the target group props are not an object literal"
    current = editor.property(props, "deregistrationDelay")
    if current is not None:
        edit, problem = _duration_edit(
            editor.buffer.text(current.start_byte, current.end_byte), current, seconds, ctx, path
        )
        return [edit], problem
    symbols = Symbols()
    duration = editor.symbol("aws-cdk-lib", "Duration", "cdk", symbols)
    edit_new = editor.insert_property(props, "deregistrationDelay", f"{duration}.seconds({seconds})")
    return [edit_new, *editor.import_edits(symbols)], ""


def _cdk_python(ctx: Context, group: Component, seconds: int) -> Edits:
    path = group.location.path
    if str(group.get("construct") or "").endswith("creates)"):
        return [], _pattern_note(group, seconds, python=True)
    editor = ctx.ws.python(path)
    if editor is None:
        return [], ctx.ws.notes.get(path, "file not editable")
    call = editor.call_at(group.location.start_byte, group.location.end_byte)
    if call is None:
        return [], "the target group call was not found"
    current = editor.keyword(call, "deregistration_delay")
    if current is not None:
        edit, problem = _duration_edit(
            editor.buffer.text(current.start_byte, current.end_byte), current, seconds, ctx, path
        )
        return [edit], problem
    symbols = PythonSymbols()
    duration = editor.cdk_name("Duration", symbols)
    edit_new = editor.insert_keyword(call, "deregistration_delay", f"{duration}.seconds({seconds})")
    return [edit_new, *editor.import_edits(symbols)], ""
