"""Terraform (``.tf``, ``.tf.json``, ``*.tfvars``) -> compute components.

Spans come from the tree-sitter HCL grammar. Values are evaluated only as far
as they are literal: ``var.x`` resolves through ``*.tfvars`` then the
variable's ``default``; ``local.x`` through literal locals; anything else is
recorded as `Unknown` with its expression text. A module is a directory, so
variables are resolved across every file of the same directory.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import tree_sitter
import tree_sitter_hcl

from replatform.discover import compute_vocabulary as v
from replatform.discover.result import ParseResult
from replatform.discover.runtime_pins import add_lambda_runtime
from replatform.discover.source import SourceFile
from replatform.discover.syntax import first_error_line
from replatform.discover.tree import JsonParseError, Node, load_json
from replatform.model import Attribute, ComponentKind, Location, Unknown

_HCL = tree_sitter.Language(tree_sitter_hcl.language())

# resource type -> (component kind, {flattened attribute path: canonical name})
RESOURCES: dict[str, tuple[ComponentKind, dict[str, str]]] = {
    "aws_lambda_function": (
        ComponentKind.LAMBDA_FUNCTION,
        {
            "architectures": v.ARCHITECTURE,
            "memory_size": v.MEMORY_MB,
            "runtime": v.RUNTIME,
            "timeout": v.TIMEOUT,
            "package_type": v.PACKAGE_TYPE,
            "image_uri": v.IMAGE,
            "handler": v.HANDLER,
        },
    ),
    "aws_ecs_task_definition": (
        ComponentKind.ECS_TASK_DEFINITION,
        {
            "cpu": v.CPU,
            "memory": v.MEMORY_MB,
            "requires_compatibilities": v.COMPATIBILITIES,
            "runtime_platform.cpu_architecture": v.ARCHITECTURE,
            "runtime_platform.operating_system_family": v.OS_FAMILY,
            "volume.host_path": "volume_host_path",
            "volume.efs_volume_configuration.file_system_id": "volume_efs",
            "volume.docker_volume_configuration.scope": "volume_docker_scope",
        },
    ),
    "aws_ecs_service": (
        ComponentKind.ECS_SERVICE,
        {
            "launch_type": v.LAUNCH_TYPE,
            "desired_count": v.DESIRED_COUNT,
            "capacity_provider_strategy.capacity_provider": v.CAPACITY_PROVIDER,
            "platform_version": v.PLATFORM_VERSION,
            "task_definition": v.TASK_DEFINITION,
            "load_balancer.target_group_arn": v.LOAD_BALANCED,
        },
    ),
    "aws_instance": (
        ComponentKind.EC2_INSTANCE,
        {
            "instance_type": v.INSTANCE_TYPE,
            "ami": v.IMAGE_ID,
            "count": v.INSTANCE_COUNT,
            "instance_market_options.market_type": v.MARKET_TYPE,
        },
    ),
    "aws_launch_template": (
        ComponentKind.LAUNCH_TEMPLATE,
        {
            "instance_type": v.INSTANCE_TYPE,
            "image_id": v.IMAGE_ID,
            "instance_market_options.market_type": v.MARKET_TYPE,
            "instance_market_options.spot_options.max_price": v.SPOT_PRICE,
        },
    ),
    "aws_launch_configuration": (
        ComponentKind.LAUNCH_TEMPLATE,
        {"instance_type": v.INSTANCE_TYPE, "image_id": v.IMAGE_ID, "spot_price": v.SPOT_PRICE},
    ),
    "aws_autoscaling_group": (
        ComponentKind.AUTOSCALING_GROUP,
        {
            "min_size": v.MIN_SIZE,
            "max_size": v.MAX_SIZE,
            "desired_capacity": v.DESIRED_COUNT,
            "mixed_instances_policy.launch_template.override.instance_type": v.INSTANCE_TYPE,
            "launch_template.id": "launch_template",
            "launch_template.name": "launch_template",
            "launch_configuration": "launch_template",
        },
    ),
    "aws_eks_node_group": (
        ComponentKind.EKS_NODE_GROUP,
        {
            "instance_types": v.INSTANCE_TYPES,
            "ami_type": v.AMI_TYPE,
            "capacity_type": v.CAPACITY_TYPE,
            "scaling_config.desired_size": v.DESIRED_COUNT,
            "scaling_config.min_size": v.MIN_SIZE,
            "scaling_config.max_size": v.MAX_SIZE,
        },
    ),
    "aws_eks_fargate_profile": (ComponentKind.EKS_FARGATE_PROFILE, {"fargate_profile_name": "profile_name"}),
    "aws_batch_compute_environment": (
        ComponentKind.BATCH_COMPUTE_ENVIRONMENT,
        {
            "type": "managed",
            "compute_resources.type": v.COMPUTE_TYPE,
            "compute_resources.instance_type": v.INSTANCE_TYPES,
            "compute_resources.max_vcpus": v.MAX_VCPUS,
        },
    ),
}
# Every aws_sagemaker_* resource: instance types sit at different depths.
SAGEMAKER_PATHS = {
    "instance_type": v.INSTANCE_TYPE,
    "production_variants.instance_type": v.INSTANCE_TYPE,
    "production_variants.initial_instance_count": v.INSTANCE_COUNT,
}


@dataclass
class Spanned:
    """An evaluated value and where it is written."""

    value: Any
    location: Location


@dataclass
class Scope:
    """What ``var.*`` and ``local.*`` resolve to inside one module directory."""

    variables: dict[str, Any] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)


class _Evaluator:
    """Evaluate HCL expressions as far as they are literal."""

    def __init__(self, source: SourceFile, scope: Scope) -> None:
        self.source = source
        self.scope = scope

    def text(self, node: tree_sitter.Node) -> str:
        return (node.text or b"").decode("utf-8", errors="replace")

    def evaluate(self, node: tree_sitter.Node) -> Any:
        kind = node.type
        if kind == "expression":
            children = [c for c in node.children if c.type != "comment"]
            if len(children) == 1:
                return self.evaluate(children[0])
            if children and children[0].type == "variable_expr":
                return self._traversal(node, children)
            return Unknown(self.text(node))
        if kind == "literal_value":
            return self._literal(node.children[0])
        if kind == "template_expr":
            return self._template(node)
        if kind == "collection_value":
            return self.evaluate(node.children[0])
        if kind == "tuple":
            return tuple(self.evaluate(c) for c in node.named_children if c.type == "expression")
        if kind == "object":
            result: dict[str, Any] = {}
            for elem in node.named_children:
                if elem.type != "object_elem":
                    continue
                key_node = elem.child_by_field_name("key") or elem.named_children[0]
                value_node = elem.child_by_field_name("val") or elem.named_children[-1]
                key = self.evaluate(key_node)
                if isinstance(key, Unknown):
                    key = key.expression
                result[str(key)] = self.evaluate(value_node)
            return result
        if kind == "variable_expr":
            return Unknown(self.text(node))
        if kind == "function_call":
            name = node.named_children[0]
            args = [c for c in node.named_children if c.type == "function_arguments"]
            if self.text(name) == "jsonencode" and args:
                exprs = [c for c in args[0].named_children if c.type == "expression"]
                if len(exprs) == 1:
                    return self.evaluate(exprs[0])
            return Unknown(self.text(node))
        return Unknown(self.text(node))

    def _literal(self, node: tree_sitter.Node) -> Any:
        kind = node.type
        if kind == "numeric_lit":
            raw = self.text(node)
            try:
                return int(raw)
            except ValueError:
                try:
                    return float(raw)
                except ValueError:
                    return Unknown(raw)
        if kind == "bool_lit":
            return self.text(node) == "true"
        if kind == "null_lit":
            return None
        if kind == "string_lit":
            return "".join(self.text(c) for c in node.children if c.type == "template_literal")
        return Unknown(self.text(node))

    def _template(self, node: tree_sitter.Node) -> Any:
        inner = node.children[0]
        parts: list[str] = []
        for child in inner.children:
            if child.type == "template_literal":
                parts.append(self.text(child))
            elif child.type == "template_interpolation":
                exprs = [c for c in child.named_children if c.type == "expression"]
                value = self.evaluate(exprs[0]) if exprs else Unknown(self.text(child))
                if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                    parts.append(str(value))
                else:
                    return Unknown(self.text(node))
            elif child.type in ("template_directive", "heredoc_identifier") and inner.type != "heredoc_template":
                return Unknown(self.text(node))
        return "".join(parts)

    def _traversal(self, node: tree_sitter.Node, children: list[tree_sitter.Node]) -> Any:
        root = self.text(children[0])
        names: list[str] = []
        for child in children[1:]:
            if child.type != "get_attr":
                return Unknown(self.text(node))
            names.append(self.text(child.named_children[-1]))
        if root == "var" and names:
            table: dict[str, Any] = self.scope.variables
        elif root == "local" and names:
            table = self.scope.locals
        else:
            return Unknown(self.text(node))
        value: Any = table
        for name in names:
            if not isinstance(value, dict) or name not in value:
                return Unknown(self.text(node))
            value = value[name]
        if isinstance(value, Unknown):
            return Unknown(self.text(node))
        return value


def _block_parts(node: tree_sitter.Node) -> tuple[str, list[str], tree_sitter.Node | None]:
    ident = node.named_children[0]
    labels: list[str] = []
    body: tree_sitter.Node | None = None
    for child in node.named_children[1:]:
        if child.type == "string_lit":
            labels.append("".join((c.text or b"").decode() for c in child.children if c.type == "template_literal"))
        elif child.type == "identifier":
            labels.append((child.text or b"").decode())
        elif child.type == "body":
            body = child
    return (ident.text or b"").decode(), labels, body


def _attributes(body: tree_sitter.Node | None) -> Iterator[tuple[str, tree_sitter.Node]]:
    if body is None:
        return
    for child in body.named_children:
        if child.type == "attribute":
            name = child.named_children[0]
            expr = child.named_children[-1]
            yield (name.text or b"").decode(), expr


def _blocks(body: tree_sitter.Node | None) -> Iterator[tree_sitter.Node]:
    if body is None:
        return
    for child in body.named_children:
        if child.type == "block":
            yield child


@dataclass
class _ParsedFile:
    source: SourceFile
    root: tree_sitter.Node


def _parse_hcl(source: SourceFile, result: ParseResult) -> _ParsedFile | None:
    parser = tree_sitter.Parser(_HCL)
    tree = parser.parse(source.data)
    root = tree.root_node
    if root.has_error:
        line = first_error_line(root)
        result.parse_error(source, "HCL syntax error", source.location_of_line(line))
        # tree-sitter recovers: keep what parsed so one typo does not hide a module.
    return _ParsedFile(source, root)


def _config_body(root: tree_sitter.Node) -> tree_sitter.Node | None:
    for child in root.named_children:
        if child.type == "body":
            return child
    return None


def parse_module(files: list[SourceFile]) -> ParseResult:
    """Parse every Terraform file of one directory together."""
    result = ParseResult()
    scope = Scope()
    hcl_files: list[_ParsedFile] = []
    json_files: list[tuple[SourceFile, Node]] = []
    tfvars: list[_ParsedFile] = []
    for source in sorted(files, key=lambda s: s.path):
        if source.name.endswith(".tf.json"):
            try:
                json_files.append((source, load_json(source)))
            except JsonParseError as exc:
                result.parse_error(source, str(exc), source.location_of_line(exc.line))
            continue
        parsed = _parse_hcl(source, result)
        if parsed is None:
            continue
        if source.name.endswith((".tfvars", ".tfvars.hcl")):
            tfvars.append(parsed)
        else:
            hcl_files.append(parsed)

    # Pass 1: variable defaults, then tfvars (which win), then literal locals.
    for parsed in hcl_files:
        evaluator = _Evaluator(parsed.source, scope)
        for block in _blocks(_config_body(parsed.root)):
            kind, labels, body = _block_parts(block)
            if kind == "variable" and labels:
                for name, expr in _attributes(body):
                    if name == "default":
                        scope.variables[labels[0]] = evaluator.evaluate(expr)
    for source, node in json_files:
        for name, variable in (node.get("variable") or Node({}, source.whole())).items():
            default = variable.get("default")
            if default is not None:
                scope.variables[name] = default.to_python()
    for parsed in tfvars:
        evaluator = _Evaluator(parsed.source, Scope())
        for name, expr in _attributes(_config_body(parsed.root)):
            scope.variables[name] = evaluator.evaluate(expr)
    for _ in range(2):  # locals may refer to variables and to each other, once deep
        for parsed in hcl_files:
            evaluator = _Evaluator(parsed.source, scope)
            for block in _blocks(_config_body(parsed.root)):
                kind, _labels, body = _block_parts(block)
                if kind == "locals":
                    for name, expr in _attributes(body):
                        scope.locals[name] = evaluator.evaluate(expr)

    # Pass 2: resources.
    for parsed in hcl_files:
        evaluator = _Evaluator(parsed.source, scope)
        for block in _blocks(_config_body(parsed.root)):
            kind, labels, body = _block_parts(block)
            if kind != "resource" or len(labels) < 2:
                continue
            flat: dict[str, Spanned] = {}
            _flatten(evaluator, body, "", flat)
            location = parsed.source.location_from_bytes(block.start_byte, block.end_byte)
            _emit(result, labels[0], labels[1], location, flat, parsed.source)
    for source, node in json_files:
        for rtype, instances in (node.get("resource") or Node({}, source.whole())).items():
            for name, body_node in instances.items():
                flat = {}
                _flatten_json(body_node, "", flat, scope)
                _emit(result, rtype, name, body_node.location, flat, source)
    return result


def _flatten(evaluator: _Evaluator, body: tree_sitter.Node | None, prefix: str, out: dict[str, Spanned]) -> None:
    for name, expr in _attributes(body):
        key = prefix + name
        if key not in out:
            loc = evaluator.source.location_from_bytes(expr.start_byte, expr.end_byte)
            out[key] = Spanned(evaluator.evaluate(expr), loc)
    for block in _blocks(body):
        kind, _labels, inner = _block_parts(block)
        _flatten(evaluator, inner, f"{prefix}{kind}.", out)


_INTERPOLATION = re.compile(r"^\$\{(var|local)\.([A-Za-z0-9_-]+)\}$")


def _flatten_json(node: Node, prefix: str, out: dict[str, Spanned], scope: Scope) -> None:
    for key, child in node.items():
        if isinstance(child.value, dict):
            _flatten_json(child, f"{prefix}{key}.", out, scope)
        elif isinstance(child.value, list) and child.value and isinstance(child.value[0].value, dict):
            _flatten_json(child.value[0], f"{prefix}{key}.", out, scope)
        else:
            value = child.to_python()
            if isinstance(value, str) and "${" in value:
                match = _INTERPOLATION.match(value)
                table = scope.variables if match and match.group(1) == "var" else scope.locals
                if match and match.group(2) in table and not isinstance(table[match.group(2)], Unknown):
                    value = table[match.group(2)]
                else:
                    value = Unknown(value)
            elif isinstance(value, list):
                value = tuple(value)
            out.setdefault(prefix + key, Spanned(value, child.location))


def _to_attribute_value(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool, Unknown)):
        return value
    if isinstance(value, (list, tuple)):
        items = tuple(_to_attribute_value(item) for item in value)
        if all(isinstance(item, (str, int, float, bool, Unknown)) for item in items):
            return items
        return Unknown(json.dumps(_plain(value), sort_keys=True))
    if value is None:
        return None
    return Unknown(json.dumps(_plain(value), sort_keys=True))


def _plain(value: Any) -> Any:
    if isinstance(value, Unknown):
        return "${" + value.expression + "}"
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _emit(
    result: ParseResult, rtype: str, name: str, location: Location, flat: dict[str, Spanned], source: SourceFile
) -> None:
    if rtype in RESOURCES:
        kind, paths = RESOURCES[rtype]
    elif rtype.startswith("aws_sagemaker_"):
        kind, paths = ComponentKind.SAGEMAKER_JOB, SAGEMAKER_PATHS
    else:
        return
    attributes = [Attribute("resource_type", rtype, None)]
    for path, canonical in paths.items():
        if path in flat:
            spanned = flat[path]
            value = spanned.value
            if canonical == v.ARCHITECTURE and isinstance(value, (list, tuple)) and len(value) == 1:
                value = value[0]
            if canonical == v.LOAD_BALANCED:
                value = True
            converted = _to_attribute_value(value)
            if converted is not None:
                attributes.append(Attribute(canonical, converted, spanned.location))
    component = result.add(kind, f"{rtype}.{name}", location, attributes)
    add_lambda_runtime(result, component)
    if rtype == "aws_ecs_task_definition" and "container_definitions" in flat:
        _containers(result, flat["container_definitions"], component.id, source)


def _containers(result: ParseResult, spanned: Spanned, parent: str, source: SourceFile) -> None:
    value = spanned.value
    if isinstance(value, str):  # a heredoc or a literal JSON string
        try:
            value = json.loads(value)
        except ValueError:
            return
    if not isinstance(value, (list, tuple)):
        return
    for container in value:
        if not isinstance(container, dict):
            continue
        image = container.get("image")
        name = container.get("name")
        if image is None:
            continue
        image_value: str | Unknown = image if isinstance(image, (str, Unknown)) else Unknown(str(image))
        if isinstance(name, str):
            label = name
        else:
            label = image_value if isinstance(image_value, str) else image_value.expression
        location = spanned.location
        if isinstance(image, str):
            location = source.locate_text(image, spanned.location.line) or location
        attrs = [Attribute(v.IMAGE, image_value, location)]
        for key, canonical in (("cpu", v.CPU), ("memory", v.MEMORY_MB), ("stopTimeout", v.STOP_TIMEOUT)):
            if isinstance(container.get(key), (int, str)):
                attrs.append(Attribute(canonical, container[key], None))
        result.add(ComponentKind.CONTAINER_IMAGE, str(label), location, attrs, parent)
