"""Terraform (``.tf``, ``.tf.json``, tfvars) -> compute components and the links between them.

Spans come from the tree-sitter HCL grammar; values from `hcl_eval` (literals,
variables, lazily evaluated locals, conditionals, simple functions). A module
is a directory. Root modules get their variables as Terraform does:
``terraform.tfvars``, ``terraform.tfvars.json``, then ``*.auto.tfvars(.json)``
in lexical order, then ``--var-file`` files; other ``*.tfvars`` are *not*
applied and an info finding says which were. Local modules
(``source = "./modules/x"``) are followed with their inputs, and a reference
to one of their outputs (``module.task.arn``) links to the resources the
output's value names; a directory only
ever called as a module is not a root. ``count``/``for_each`` are evaluated: 0
instances marks the component as declared but not deployed. Links
(service -> task definition, ASG -> launch template...) are resolved here from
references such as ``aws_launch_template.x[0].id``.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import tree_sitter
import tree_sitter_hcl

from replatform.discover import compute_vocabulary as v
from replatform.discover.iac.hcl_eval import Evaluator, Scope, Variable, plain, text_of, unknown_of
from replatform.discover.result import ParseResult, relative_folder
from replatform.discover.software.runtime_pins import add_boot_script_runtime, add_lambda_runtime
from replatform.discover.source import SourceFile
from replatform.discover.syntax import Spanned, first_error_line
from replatform.discover.tree import Node, json_or_parse_error
from replatform.model import (
    Attribute,
    AttributeValue,
    Component,
    ComponentKind,
    Finding,
    LinkKind,
    Location,
    Severity,
    TargetKind,
    Unknown,
)

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
            "capacity_provider_strategy.capacity_provider": v.CAPACITY_PROVIDERS,
            "platform_version": v.PLATFORM_VERSION,
            "task_definition": v.TASK_DEFINITION,
            "load_balancer.target_group_arn": v.LOAD_BALANCED,
            "force_new_deployment": v.FORCE_NEW_DEPLOYMENT,
        },
    ),
    "aws_ecs_cluster": (ComponentKind.ECS_CLUSTER, {"capacity_providers": v.CAPACITY_PROVIDERS}),
    "aws_lb_target_group": (ComponentKind.LB_TARGET_GROUP, {"deregistration_delay": v.DEREGISTRATION_DELAY}),
    "aws_alb_target_group": (ComponentKind.LB_TARGET_GROUP, {"deregistration_delay": v.DEREGISTRATION_DELAY}),
    "aws_instance": (
        ComponentKind.EC2_INSTANCE,
        {
            "instance_type": v.INSTANCE_TYPE,
            "ami": v.IMAGE_ID,
            "user_data": v.USER_DATA,
            "instance_market_options.market_type": v.MARKET_TYPE,
        },
    ),
    "aws_spot_instance_request": (
        ComponentKind.EC2_INSTANCE,
        {"instance_type": v.INSTANCE_TYPE, "ami": v.IMAGE_ID, "spot_price": v.SPOT_PRICE, "user_data": v.USER_DATA},
    ),
    "aws_launch_template": (
        ComponentKind.LAUNCH_TEMPLATE,
        {
            "instance_type": v.INSTANCE_TYPE,
            "image_id": v.IMAGE_ID,
            "user_data": v.USER_DATA,
            "instance_market_options.market_type": v.MARKET_TYPE,
            "instance_market_options.spot_options.max_price": v.SPOT_PRICE,
        },
    ),
    "aws_launch_configuration": (
        ComponentKind.LAUNCH_TEMPLATE,
        {
            "instance_type": v.INSTANCE_TYPE,
            "image_id": v.IMAGE_ID,
            "spot_price": v.SPOT_PRICE,
            "user_data": v.USER_DATA,
        },
    ),
    "aws_autoscaling_group": (
        ComponentKind.AUTOSCALING_GROUP,
        {
            "min_size": v.MIN_SIZE,
            "max_size": v.MAX_SIZE,
            "desired_capacity": v.DESIRED_COUNT,
            "mixed_instances_policy.launch_template.override.instance_type": v.INSTANCE_TYPE,
            "mixed_instances_policy.instances_distribution.on_demand_percentage_above_base_capacity": (
                v.ON_DEMAND_PERCENTAGE
            ),
            "mixed_instances_policy.instances_distribution.on_demand_base_capacity": v.ON_DEMAND_BASE,
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
            "compute_resources.bid_percentage": "bid_percentage",
        },
    ),
    "aws_ecs_capacity_provider": (ComponentKind.ECS_CAPACITY_PROVIDER, {"name": "provider_name"}),
    "aws_sqs_queue": (
        ComponentKind.SQS_QUEUE,
        {
            "visibility_timeout_seconds": v.VISIBILITY_TIMEOUT,
            "receive_wait_time_seconds": v.RECEIVE_WAIT_SECONDS,
            "message_retention_seconds": "message_retention_seconds",
            "fifo_queue": "fifo",
        },
    ),
}
# Every aws_sagemaker_* resource: instance types sit at different depths.
SAGEMAKER_PATHS = {
    "instance_type": v.INSTANCE_TYPE,
    "production_variants.instance_type": v.INSTANCE_TYPE,
    "production_variants.initial_instance_count": v.INSTANCE_COUNT,
}


MAX_MODULE_DEPTH = 8
VAR_FILES_RULE = "terraform-var-files"


# ----------------------------------------------------------------- syntax helpers


def _block_parts(node: tree_sitter.Node) -> tuple[str, list[str], tree_sitter.Node | None]:
    ident = node.named_children[0]
    labels: list[str] = []
    body: tree_sitter.Node | None = None
    for child in node.named_children[1:]:
        if child.type == "string_lit":
            labels.append("".join(text_of(c) for c in child.children if c.type == "template_literal"))
        elif child.type == "identifier":
            labels.append(text_of(child))
        elif child.type == "body":
            body = child
    return text_of(ident), labels, body


def _attributes(body: tree_sitter.Node | None) -> Iterator[tuple[str, tree_sitter.Node]]:
    if body is None:
        return
    for child in body.named_children:
        if child.type == "attribute":
            yield text_of(child.named_children[0]), child.named_children[-1]


def _blocks(body: tree_sitter.Node | None) -> Iterator[tree_sitter.Node]:
    if body is None:
        return
    for child in body.named_children:
        if child.type == "block":
            yield child


def _config_body(root: tree_sitter.Node) -> tree_sitter.Node | None:
    for child in root.named_children:
        if child.type == "body":
            return child
    return None


@dataclass
class _Body:
    """A resource body evaluated: attributes with spans, and every repeated block kept in order."""

    location: Location
    attrs: dict[str, Spanned] = field(default_factory=dict)
    blocks: dict[str, list[_Body]] = field(default_factory=dict)
    source: SourceFile | None = None


def _read_body(evaluator: Evaluator, body: tree_sitter.Node | None, location: Location) -> _Body:
    out = _Body(location, source=evaluator.source)
    for name, expr in _attributes(body):
        out.attrs[name] = Spanned(evaluator.evaluate(expr), evaluator.location(expr), text_of(expr), expr)
    for block in _blocks(body):
        kind, _labels, inner = _block_parts(block)
        out.blocks.setdefault(kind, []).append(_read_body(evaluator, inner, evaluator.location(block)))
    return out


_INTERPOLATION = re.compile(r"^\$\{(var|local)\.([A-Za-z0-9_-]+)\}$")


def _json_body(node: Node, scope: Scope) -> _Body:
    out = _Body(node.location)
    for key, child in node.items():
        if isinstance(child.value, dict):
            out.blocks.setdefault(key, []).append(_json_body(child, scope))
        elif isinstance(child.value, list) and child.value and isinstance(child.value[0].value, dict):
            out.blocks.setdefault(key, []).extend(_json_body(c, scope) for c in child.value)
        else:
            value = child.to_python()
            if isinstance(value, str) and "${" in value:
                match = _INTERPOLATION.match(value)
                found: Any = None
                if match and match.group(1) == "var" and match.group(2) in scope.variables:
                    found = scope.variables[match.group(2)].value
                elif match and match.group(1) == "local":
                    found = scope.local(match.group(2))
                value = found if found is not None and not isinstance(found, Unknown) else Unknown(value)
            elif isinstance(value, list):
                value = tuple(value)
            out.attrs[key] = Spanned(value, child.location, value.expression if isinstance(value, Unknown) else "")
    return out


def _find(body: _Body | None, path: str) -> list[Spanned]:
    """Every value at a dotted path, across repeated blocks."""
    if body is None:
        return []
    head, _, rest = path.partition(".")
    if not rest:
        return [body.attrs[head]] if head in body.attrs else []
    return [found for inner in body.blocks.get(head, []) for found in _find(inner, rest)]


def _first(body: _Body | None, path: str) -> Spanned | None:
    found = _find(body, path)
    return found[0] if found else None


def _to_attribute_value(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool, Unknown)):
        return value
    if isinstance(value, (list, tuple)):
        items = tuple(_to_attribute_value(item) for item in value)
        if all(isinstance(item, (str, int, float, bool, Unknown)) for item in items):
            return items
        return unknown_of(value)
    if value is None:
        return None
    return unknown_of(value)


# ----------------------------------------------------------------- files and modules


@dataclass
class _Parsed:
    source: SourceFile
    root: tree_sitter.Node


@dataclass
class _Module:
    directory: str
    hcl: list[_Parsed] = field(default_factory=list)
    json: list[tuple[SourceFile, Node]] = field(default_factory=list)
    tfvars: list[SourceFile] = field(default_factory=list)

    def blocks(self) -> Iterator[tuple[_Parsed, str, list[str], tree_sitter.Node | None, tree_sitter.Node]]:
        for parsed in self.hcl:
            for block in _blocks(_config_body(parsed.root)):
                kind, labels, body = _block_parts(block)
                yield parsed, kind, labels, body, block


def _parse_hcl(source: SourceFile, result: ParseResult) -> _Parsed:
    tree = tree_sitter.Parser(_HCL).parse(source.data)
    root = tree.root_node
    if root.has_error:
        result.parse_error(source, "HCL syntax error", source.location_of_line(first_error_line(root)))
        # tree-sitter recovers: keep what parsed so one typo does not hide a module.
    return _Parsed(source, root)


def _is_tfvars(name: str) -> bool:
    return name.endswith((".tfvars", ".tfvars.json", ".tfvars.hcl"))


def _load_module(directory: str, files: list[SourceFile], result: ParseResult) -> _Module:
    module = _Module(directory)
    for source in sorted(files, key=lambda s: s.path):
        if _is_tfvars(source.name):
            module.tfvars.append(source)
        elif source.name.endswith(".tf.json"):
            document = json_or_parse_error(source, result)
            if document is not None:
                module.json.append((source, document))
        else:
            module.hcl.append(_parse_hcl(source, result))
    return module


def auto_loaded(names: list[str]) -> list[str]:
    """The variable files Terraform loads by itself, in its order."""
    fixed = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names]
    auto = sorted(n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json")))
    return fixed + auto


def _tfvars_values(source: SourceFile, result: ParseResult) -> dict[str, tuple[Any, Location]]:
    values: dict[str, tuple[Any, Location]] = {}
    if source.name.endswith(".json"):
        document = json_or_parse_error(source, result)
        if document is None:
            return values
        for name, node in document.items():
            value = node.to_python()
            values[name] = (tuple(value) if isinstance(value, list) else value, node.location)
        return values
    parsed = _parse_hcl(source, result)
    evaluator = Evaluator(source, Scope())
    for name, expr in _attributes(_config_body(parsed.root)):
        values[name] = (evaluator.evaluate(expr), evaluator.location(expr))
    return values


class _Tree:
    """Every Terraform directory of the scan, evaluated from its root modules down."""

    def __init__(self, dirs: dict[str, list[SourceFile]], var_files: list[SourceFile]) -> None:
        self.result = ParseResult()
        self.modules = {d: _load_module(d, files, self.result) for d, files in sorted(dirs.items())}
        self.var_files = var_files

    def calls(self, module: _Module) -> Iterator[tuple[str, str]]:
        """(module name, called directory) for every local module call."""
        for parsed, kind, labels, body, _block in module.blocks():
            if kind != "module" or not labels:
                continue
            for name, expr in _attributes(body):
                if name == "source":
                    text = Evaluator(parsed.source, Scope()).evaluate(expr)
                    if isinstance(text, str) and text.startswith(("./", "../")):
                        target = relative_folder(module.directory, text)
                        if target is not None and target in self.modules:
                            yield labels[0], target

    def run(self) -> ParseResult:
        called = {target for module in self.modules.values() for _name, target in self.calls(module)}
        roots = [d for d in self.modules if d not in called] or list(self.modules)
        for directory in roots:
            module = self.modules[directory]
            scope = Scope(module_dir=".")
            self._root_variables(module, scope)
            _Instance(self, module, scope, "", directory, (directory,)).run()
        return self.result

    def _root_variables(self, module: _Module, scope: Scope) -> None:
        _declare_variables(module, scope)
        names = [s.name for s in module.tfvars]
        applied = auto_loaded(names)
        by_name = {s.name: s for s in module.tfvars}
        chosen = [by_name[n] for n in applied]
        for given in self.var_files:  # --var-file: its own directory's module, or every root when outside
            if posixpath.dirname(given.path) == module.directory or given.path == posixpath.basename(given.path):
                chosen.append(given)
        chosen = list({s.path: s for s in chosen}.values())
        given_paths = {f.path for f in self.var_files}
        for source in chosen:
            origin = source.path + (" (--var-file)" if source.path in given_paths else "")
            for name, (value, location) in _tfvars_values(source, self.result).items():
                scope.variables[name] = Variable(value, origin, location)
        skipped = sorted(n for n in names if n not in applied and by_name[n].path not in given_paths)
        if module.tfvars and (skipped or applied):
            first = sorted(module.tfvars, key=lambda s: s.path)[0]
            used = [s.path.rsplit("/", 1)[-1] for s in chosen]
            message = (
                f"Terraform variables for {module.directory or '.'}/ come from {', '.join(used) or 'defaults only'}"
                + (
                    f"; not applied: {', '.join(skipped)} (Terraform loads them only with -var-file; pass --var-file)"
                    if skipped
                    else ""
                )
            )
            self.result.findings.append(
                Finding(
                    rule_id=VAR_FILES_RULE,
                    severity=Severity.INFO,
                    message=message,
                    location=first.location_of_line(1),
                    subject=module.directory or ".",
                )
            )


def _declare_variables(module: _Module, scope: Scope) -> None:
    for parsed, kind, labels, body, _block in module.blocks():
        if kind == "variable" and labels:
            for name, expr in _attributes(body):
                if name == "default":
                    evaluator = Evaluator(parsed.source, Scope())
                    scope.variables[labels[0]] = Variable(
                        evaluator.evaluate(expr), f"default in {parsed.source.path}", evaluator.location(expr)
                    )
    for source, node in module.json:
        for name, variable in (node.get("variable") or Node({}, source.whole())).items():
            default = variable.get("default")
            if default is not None:
                value = default.to_python()
                scope.variables[name] = Variable(
                    tuple(value) if isinstance(value, list) else value, f"default in {source.path}", default.location
                )


@dataclass
class _Resource:
    rtype: str
    name: str
    body: _Body
    component: Component
    evaluator: Evaluator | None
    #: An ECS task definition's containers with their evaluated definitions (for environment links).
    containers: list[tuple[Component, dict[str, Any]]] = field(default_factory=list)


class _Instance:
    """One instance of a module: its scope, resources, links and the modules it calls."""

    def __init__(
        self,
        tree: _Tree,
        module: _Module,
        scope: Scope,
        prefix: str,
        root_dir: str,
        stack: tuple[str, ...],
        not_deployed: str = "",
    ) -> None:
        self.tree = tree
        self.module = module
        self.scope = scope
        self.prefix = prefix
        self.root_dir = root_dir
        self.stack = stack
        self.not_deployed = not_deployed
        self.resources: dict[str, _Resource] = {}
        #: ``name.output`` of each local module this instance calls -> (resource type, component id) the
        #: output's value names, so ``module.task.arn`` links to the task definition inside the module.
        self.module_outputs: dict[str, list[tuple[str, str]]] = {}

    @property
    def result(self) -> ParseResult:
        return self.tree.result

    def run(self) -> None:
        for parsed, kind, _labels, body, _block in self.module.blocks():
            if kind == "locals":
                for name, expr in _attributes(body):
                    self.scope.local_nodes[name] = (parsed.source, expr)
        for parsed, kind, labels, body, block in self.module.blocks():
            if kind == "data" and len(labels) >= 2:
                evaluator = Evaluator(parsed.source, self.scope)
                data = _read_body(evaluator, body, evaluator.location(block))
                self.scope.data[f"{labels[0]}.{labels[1]}"] = {k: s.value for k, s in data.attrs.items()}
        for parsed, kind, labels, body, block in self.module.blocks():
            if kind == "resource" and len(labels) >= 2:
                self._resource(parsed.source, labels[0], labels[1], body, block)
        for source, node in self.module.json:
            for rtype, instances in (node.get("resource") or Node({}, source.whole())).items():
                for name, body_node in instances.items():
                    json_body = _json_body(body_node, self.scope)
                    json_body.source = source
                    self._emit(rtype, name, json_body, body_node.location, None, None)
        for parsed, kind, labels, body, block in self.module.blocks():
            if kind == "module" and labels:  # first, so links here can follow a module's outputs
                self._call(parsed.source, labels[0], body, block)
        for resource in list(self.resources.values()):
            _Links(self, resource).run()
        self._cluster_associations()
        self._service_scaling()
        self._queue_scaling()

    def outputs(self) -> dict[str, list[tuple[str, str]]]:
        """Each ``output`` -> the (resource type, component id) of the resources its value names (through the
        outputs of the modules this instance calls too).
        """
        out: dict[str, list[tuple[str, str]]] = {}
        for parsed, kind, labels, body, _block in self.module.blocks():
            if kind != "output" or not labels:
                continue
            value = next((expr for key, expr in _attributes(body) if key == "value"), None)
            if value is None:
                continue
            found: list[tuple[str, str]] = []
            for address, _node in Evaluator(parsed.source, self.scope).references(value):
                if address in self.resources:
                    found.append((self.resources[address].rtype, self.resources[address].component.id))
                elif address.startswith("module."):
                    found += self.module_outputs.get(address.removeprefix("module."), [])
            out[labels[0]] = list(dict.fromkeys(found))
        return out

    def _blocks_of(self, rtype: str) -> Iterator[tuple[Evaluator, _Body]]:
        """The deployed instances of ``rtype`` resources that are not components, read with their evaluator."""
        for parsed, kind, labels, body, block in self.module.blocks():
            if kind != "resource" or len(labels) < 2 or labels[0] != rtype:
                continue
            evaluator = Evaluator(parsed.source, self.scope)
            count = _instances(evaluator, body)
            if count.known == 0:
                continue
            if count.known == 1:
                evaluator = Evaluator(parsed.source, self.scope, count.first)
            yield evaluator, _read_body(evaluator, body, evaluator.location(block))

    def _amend(self, address: str, attributes: list[Attribute]) -> None:
        """Add attributes another resource states about a component (a cluster's providers, a service's scaling)."""
        resource = self.resources[address]
        resource.component = self.result.amend(resource.component, attributes)

    def _cluster_associations(self) -> None:
        """``aws_ecs_cluster_capacity_providers``: the capacity providers it associates become the cluster's."""
        for evaluator, body in self._blocks_of("aws_ecs_cluster_capacity_providers"):
            name = body.attrs.get("cluster_name")
            providers = body.attrs.get("capacity_providers")
            if name is None or name.node is None:
                continue
            clusters = [a for a, _n in evaluator.references(name.node) if a.startswith("aws_ecs_cluster.")]
            if len(clusters) != 1 or clusters[0] not in self.resources:
                continue
            value: AttributeValue = ()
            if providers is not None:
                converted = _to_attribute_value(providers.value)
                value = converted if isinstance(converted, tuple) else (converted,) if converted is not None else ()
            where = providers.location if providers is not None else body.location
            self._amend(clusters[0], [Attribute(v.CAPACITY_PROVIDERS, value, where)])

    def _service_scaling(self) -> None:
        """``aws_appautoscaling_target`` on ``ecs:service:DesiredCount``: the bounds of the service's task count.

        The target names its service in ``resource_id`` (``service/<cluster>/<service name>``): by address,
        or by the service's ``name`` (its value, or the same expression).
        """
        for _evaluator, body in self._blocks_of("aws_appautoscaling_target"):
            dimension, resource_id = body.attrs.get("scalable_dimension"), body.attrs.get("resource_id")
            if dimension is None or dimension.value != "ecs:service:DesiredCount" or resource_id is None:
                continue
            address = self._service_named(resource_id)
            if address is None:
                continue
            extra = [
                Attribute(canonical, body.attrs[key].value, body.attrs[key].location)
                for key, canonical in (("min_capacity", v.SCALING_MIN), ("max_capacity", v.SCALING_MAX))
                if key in body.attrs and isinstance(_to_attribute_value(body.attrs[key].value), (int, Unknown))
            ]
            self._amend(address, extra)

    def _queue_scaling(self) -> None:
        """An ``aws_appautoscaling_policy`` on a queue's metric whose target is a service -> it uses that queue.

        The policy names its scalable target (or the service) in ``resource_id``; the service is found the way
        `_service_named` finds it for the target's scaling bounds.
        """
        targets: dict[str, Spanned] = {}
        policies: list[tuple[SourceFile, str, _Body, tree_sitter.Node]] = []
        for parsed, kind, labels, body, block in self.module.blocks():
            if kind != "resource" or len(labels) < 2:
                continue
            if labels[0] not in ("aws_appautoscaling_target", "aws_appautoscaling_policy"):
                continue
            evaluator = Evaluator(parsed.source, self.scope)
            count = _instances(evaluator, body)
            if count.known == 0:
                continue
            if count.known == 1:
                evaluator = Evaluator(parsed.source, self.scope, count.first)
            read = _read_body(evaluator, body, evaluator.location(block))
            resource_id = read.attrs.get("resource_id")
            if labels[0] == "aws_appautoscaling_target" and resource_id is not None:
                targets[labels[1]] = resource_id
            elif labels[0] == "aws_appautoscaling_policy":
                policies.append((parsed.source, labels[1], read, block))
        for source, name, read, block in policies:
            queue = _QUEUE_REFERENCE.search(text_of(block))
            resource_id = read.attrs.get("resource_id")
            if queue is None or resource_id is None:
                continue
            via_target = re.search(r"\baws_appautoscaling_target\.([\w-]+)", resource_id.text)
            spanned = targets.get(via_target.group(1)) if via_target is not None else resource_id
            address = self._service_named(spanned) if spanned is not None else None
            if address is None:
                continue
            location = source.locate_text(queue.group(0), read.location.line) or read.location
            queue_address = f"aws_sqs_queue.{queue.group(1)}"
            declared = self.resources.get(queue_address)  # the queue component when this module declares it
            target, kind = (
                (declared.component.id, TargetKind.COMPONENT) if declared else (queue_address, TargetKind.NAME)
            )
            self.result.link(
                LinkKind.USES_QUEUE, self.resources[address].component, target, location, queue.group(0), kind,
                (Attribute("via", "scaling", None), Attribute("name", f"aws_appautoscaling_policy.{name}", None)),
            )  # fmt: skip

    def _service_named(self, resource_id: Spanned) -> str | None:
        direct = re.search(r"\baws_ecs_service\.([\w-]+)", resource_id.text)
        if direct is not None:
            address = f"aws_ecs_service.{direct.group(1)}"
            return address if address in self.resources else None
        value = resource_id.value
        last = value.rsplit("/", 1)[-1] if isinstance(value, str) else resource_id.text.strip('"').rsplit("/", 1)[-1]
        expression = last[2:-1] if last.startswith("${") and last.endswith("}") else None
        found = [
            address
            for address, resource in self.resources.items()
            if resource.rtype == "aws_ecs_service"
            and (own := resource.body.attrs.get("name")) is not None
            and (
                (isinstance(own.value, str) and own.value == last)
                or (expression is not None and own.text == expression)
            )
        ]
        return found[0] if len(found) == 1 else None

    def _resource(
        self, source: SourceFile, rtype: str, name: str, body: tree_sitter.Node | None, block: tree_sitter.Node
    ) -> None:
        if rtype not in RESOURCES and not rtype.startswith("aws_sagemaker_"):
            return
        evaluator = Evaluator(source, self.scope)
        count = _instances(evaluator, body)
        if count.known == 1:
            evaluator = Evaluator(source, self.scope, count.first)
        evaluated = _read_body(evaluator, body, evaluator.location(block))
        location = source.location_from_bytes(block.start_byte, block.end_byte)
        self._emit(rtype, name, evaluated, location, count, evaluator)

    def _emit(
        self, rtype: str, name: str, body: _Body, location: Location, count: _Count | None, evaluator: Evaluator | None
    ) -> None:
        if rtype in RESOURCES:
            kind, paths = RESOURCES[rtype]
        elif rtype.startswith("aws_sagemaker_"):
            kind, paths = ComponentKind.SAGEMAKER_JOB, SAGEMAKER_PATHS
        else:
            return
        attributes = [Attribute("resource_type", rtype, None)]
        for path, canonical in paths.items():
            found = _find(body, path)
            if not found:
                continue
            values = [f.value for f in found]
            value: Any = (
                values[0]
                if len(values) == 1
                else tuple(x for val in values for x in (val if isinstance(val, (list, tuple)) else (val,)))
            )
            if canonical == v.ARCHITECTURE and isinstance(value, (list, tuple)) and len(value) == 1:
                value = value[0]
            if canonical == v.LOAD_BALANCED:
                value = True
            if canonical == v.CAPACITY_PROVIDERS and not isinstance(value, (list, tuple)):
                value = (value,)
            converted = _to_attribute_value(value)
            if converted is not None:
                attributes.append(Attribute(canonical, converted, self._place(found[0])))
        if count is not None and count.known is not None and count.expression:
            label = v.INSTANCE_COUNT if kind is ComponentKind.EC2_INSTANCE else "count"
            attributes.append(Attribute(label, count.known, count.location))
        elif count is not None and count.expression and count.known is None:
            attributes.append(Attribute("count", Unknown(count.expression), count.location))
        attributes += _purchase_attributes(rtype, body, attributes)
        if rtype == "aws_sqs_queue":
            attributes += _redrive_attributes(body)
        if self.prefix:
            attributes.append(Attribute("module", self.prefix.rstrip("."), None))
        component = self.result.add(kind, f"{self.prefix}{rtype}.{name}", location, attributes)
        if count is not None and count.known == 0:
            component = self.result.not_deployed(component, count.reason)
        elif self.not_deployed:
            component = self.result.not_deployed(component, self.not_deployed)
        add_lambda_runtime(self.result, component)
        add_boot_script_runtime(self.result, component)
        self.resources[f"{rtype}.{name}"] = _Resource(rtype, name, body, component, evaluator)
        containers: list[tuple[Component, dict[str, Any]]] = []
        if rtype == "aws_ecs_task_definition" and "container_definitions" in body.attrs:
            containers = _containers(self.result, body.attrs["container_definitions"], component, body.source)
        self.resources[f"{rtype}.{name}"].containers = containers

    def _place(self, spanned: Spanned) -> Location:
        """Where a value is changed: the module call's argument for a value passed straight through."""
        if spanned.text.startswith("var.") and spanned.text[4:].isidentifier():
            variable = self.scope.variables.get(spanned.text[4:])
            if variable is not None and variable.origin.startswith("module ") and variable.location is not None:
                return variable.location
        return spanned.location

    def _call(self, source: SourceFile, name: str, body: tree_sitter.Node | None, block: tree_sitter.Node) -> None:
        evaluator = Evaluator(source, self.scope)
        target = None
        inputs: dict[str, Variable] = {}
        for key, expr in _attributes(body):
            if key == "source":
                text = evaluator.evaluate(expr)
                if isinstance(text, str) and text.startswith(("./", "../")):
                    target = relative_folder(self.module.directory, text)
            elif key not in ("count", "for_each", "providers", "depends_on", "version"):
                origin = f"module {self.prefix}{name} input in {source.path}"
                inputs[key] = Variable(evaluator.evaluate(expr), origin, evaluator.location(expr))
        if target is None or target not in self.tree.modules or target in self.stack:
            return
        if len(self.stack) >= MAX_MODULE_DEPTH:
            return
        count = _instances(evaluator, body)
        module = self.tree.modules[target]
        scope = Scope(module_dir=posixpath.relpath(target or ".", self.root_dir or "."))
        _declare_variables(module, scope)
        scope.variables.update(inputs)
        reason = self.not_deployed or (f"module {name}: {count.reason}" if count.known == 0 else "")
        child = _Instance(
            self.tree, module, scope, f"{self.prefix}module.{name}.", self.root_dir, (*self.stack, target), reason
        )
        child.run()
        for output, named in child.outputs().items():
            self.module_outputs[f"{name}.{output}"] = named


@dataclass
class _Count:
    known: int | None = None
    expression: str = ""
    reason: str = ""
    location: Location | None = None
    first: dict[str, Any] = field(default_factory=dict)


def _instances(evaluator: Evaluator, body: tree_sitter.Node | None) -> _Count:
    """How many instances ``count``/``for_each`` make (None when not literal), and why."""
    for name, expr in _attributes(body):
        if name not in ("count", "for_each"):
            continue
        scope = evaluator.scope
        scope.used.clear()
        value = evaluator.evaluate(expr)
        text = text_of(expr)
        used = sorted(scope.used)
        origins = [
            f"{n} = {json.dumps(plain(scope.variables[n].value))} from {scope.variables[n].origin}"
            for n in used
            if n in scope.variables
        ]
        explained = f" ({'; '.join(origins)})" if origins else ""
        location = evaluator.location(expr)
        if name == "count":
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                number = int(value)
                first = {"count.index": 0} if number == 1 else {}
                return _Count(number, text, f"count = {text} is {number}{explained}", location, first)
            return _Count(None, text, "", location)
        if isinstance(value, dict):
            keys = sorted(value)
            first = {"each.key": keys[0], "each.value": value[keys[0]]} if len(keys) == 1 else {}
            return _Count(len(keys), text, f"for_each = {text} is empty{explained}", location, first)
        if isinstance(value, (list, tuple)) and all(isinstance(x, str) for x in value):
            items = list(dict.fromkeys(value))
            first = {"each.key": items[0], "each.value": items[0]} if len(items) == 1 else {}
            return _Count(len(items), text, f"for_each = {text} is empty{explained}", location, first)
        return _Count(None, text, "", location)
    return _Count()


def _market(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return {
        "SPOT": "spot",
        "FARGATE_SPOT": "spot",
        "ON_DEMAND": "on_demand",
        "EC2": "on_demand",
        "FARGATE": "on_demand",
    }.get(value.upper())


def _purchase_attributes(rtype: str, body: _Body, attributes: list[Attribute]) -> list[Attribute]:
    """``market`` (on_demand | spot | mixed) where the resource states how its capacity is bought."""
    given = {a.name: a for a in attributes}
    out: list[Attribute] = []

    def add(market: str | None, where: Attribute | Spanned | None) -> None:
        if market is not None:
            out.append(Attribute(v.MARKET, market, where.location if where is not None else None))

    if rtype == "aws_ecs_service":
        providers = given.get(v.CAPACITY_PROVIDERS)
        if providers is not None:
            values = providers.value if isinstance(providers.value, tuple) else (providers.value,)
            markets = {_market(p) for p in values}
            if None not in markets:
                add(markets.pop() if len(markets) == 1 else "mixed", providers)
        elif v.LAUNCH_TYPE in given:
            add("on_demand" if _market(given[v.LAUNCH_TYPE].value) == "on_demand" else None, given[v.LAUNCH_TYPE])
    elif rtype in ("aws_instance", "aws_launch_template") and v.MARKET_TYPE in given:
        add(_market(given[v.MARKET_TYPE].value), given[v.MARKET_TYPE])
    elif rtype == "aws_spot_instance_request":
        add("spot", None)
    elif rtype == "aws_launch_configuration" and v.SPOT_PRICE in given:
        add("spot", given[v.SPOT_PRICE])
    elif rtype == "aws_autoscaling_group" and body.blocks.get("mixed_instances_policy"):
        percentage = given.get(v.ON_DEMAND_PERCENTAGE)
        value = percentage.value if percentage is not None else 100  # AWS's default
        if percentage is None:
            out.append(Attribute(v.ON_DEMAND_PERCENTAGE, 100, None))
        if isinstance(value, int) and not isinstance(value, bool):
            add("on_demand" if value >= 100 else ("spot" if value <= 0 else "mixed"), percentage)
    elif rtype == "aws_eks_node_group":
        capacity = given.get(v.CAPACITY_TYPE)
        add(_market(capacity.value) if capacity is not None else "on_demand", capacity)
    elif rtype == "aws_batch_compute_environment" and v.COMPUTE_TYPE in given:
        add(_market(given[v.COMPUTE_TYPE].value), given[v.COMPUTE_TYPE])
    return out


class _Links:
    """The links one resource states, resolved against the resources of its module instance."""

    def __init__(self, instance: _Instance, resource: _Resource) -> None:
        self.instance = instance
        self.resource = resource
        self.body = resource.body
        self.component = resource.component
        self.result = instance.result

    def run(self) -> None:
        rtype, body = self.resource.rtype, self.body
        if rtype == "aws_ecs_service":
            self.reference(LinkKind.RUNS_TASK, _first(body, "task_definition"), ("aws_ecs_task_definition",))
            self.capacity()
            self.reference(LinkKind.RUNS_IN, _first(body, "cluster"), ("aws_ecs_cluster",))
            for balancer in body.blocks.get("load_balancer", []):
                target_group = balancer.attrs.get("target_group_arn") or balancer.attrs.get("elb_name")
                self.reference(
                    LinkKind.LOAD_BALANCED, target_group, ("aws_lb_target_group", "aws_alb_target_group", "aws_elb")
                )
        elif rtype == "aws_autoscaling_group":
            self.template(body.blocks.get("launch_template", []), "id", "name")
            self.reference(LinkKind.LAUNCHES, _first(body, "launch_configuration"), ("aws_launch_configuration",))
            for policy in body.blocks.get("mixed_instances_policy", []):
                for spec in policy.blocks.get("launch_template", []):
                    overrides = tuple(
                        x
                        for s in _find(spec, "override.instance_type")
                        for x in (s.value if isinstance(s.value, tuple) else (s.value,))
                        if isinstance(x, (str, Unknown))
                    )
                    self.template(
                        spec.blocks.get("launch_template_specification", []),
                        "launch_template_id",
                        "launch_template_name",
                        overrides,
                    )
        elif rtype in ("aws_instance", "aws_eks_node_group", "aws_spot_instance_request"):
            self.template(body.blocks.get("launch_template", []), "id", "name")
        elif rtype == "aws_batch_compute_environment":
            for resources in body.blocks.get("compute_resources", []):
                self.template(resources.blocks.get("launch_template", []), "launch_template_id", "launch_template_name")
        elif rtype == "aws_ecs_capacity_provider":
            arn = _first(body, "auto_scaling_group_provider.auto_scaling_group_arn")
            self.reference(LinkKind.SCALES, arn, ("aws_autoscaling_group",))
        elif rtype == "aws_lambda_function":
            self.lambda_code()
        elif rtype == "aws_ecs_task_definition":
            self.environment_queues()
        elif rtype == "aws_sqs_queue":
            self.dead_letters(_first(body, "redrive_policy") or self.separate_redrive_policy())

    def environment_queues(self) -> None:
        """Container -> SQS queue for each environment variable whose value names a queue resource."""
        for container, definition in self.resource.containers:
            for variable in definition.get("environment") or ():
                if not isinstance(variable, dict) or not isinstance(variable.get("name"), str):
                    continue
                value = variable.get("value")
                if not isinstance(value, Unknown):
                    continue
                source = self.body.source
                where = (source.locate_text(value.expression, container.location.line) if source else None) or (
                    container.location
                )  # the variable's own line, where a reviewer looks
                spanned = Spanned(value, where, value.expression)
                for queue in self.targets(spanned, ("aws_sqs_queue",)):
                    self.result.link(
                        LinkKind.USES_QUEUE, container, queue, where, value.expression,
                        TargetKind.COMPONENT, (Attribute("env", variable["name"], None),),
                    )  # fmt: skip

    def separate_redrive_policy(self) -> Spanned | None:
        """The ``redrive_policy`` of an ``aws_sqs_queue_redrive_policy`` whose ``queue_url`` names this queue."""
        for parsed, kind, labels, body, block in self.instance.module.blocks():
            if kind != "resource" or len(labels) < 2 or labels[0] != "aws_sqs_queue_redrive_policy":
                continue
            evaluator = Evaluator(parsed.source, self.instance.scope)
            read = _read_body(evaluator, body, evaluator.location(block))
            url = read.attrs.get("queue_url")
            refs = [a for a, _n in evaluator.references(url.node)] if url is not None and url.node is not None else []
            if f"{self.resource.rtype}.{self.resource.name}" in refs:
                return read.attrs.get("redrive_policy")
        return None

    def dead_letters(self, policy: Spanned | None) -> None:
        """``redrive_policy`` (on the queue or an ``aws_sqs_queue_redrive_policy``) -> the dead-letter queue."""
        if policy is None:
            return
        value = _json_value(policy.value)
        if not isinstance(value, dict):
            return
        source = self.component
        target = value.get("deadLetterTargetArn")
        count = value.get("maxReceiveCount")
        attributes = (Attribute(v.MAX_RECEIVE_COUNT, _receive_count(count), policy.location),)
        if isinstance(target, Unknown):
            found = self.targets(Spanned(target, policy.location, target.expression), ("aws_sqs_queue",))
            if len(found) == 1:
                self.result.link(
                    LinkKind.DEAD_LETTERS, source, found[0], policy.location, target.expression,
                    TargetKind.COMPONENT, attributes,
                )  # fmt: skip
                return
        expression = target.expression if isinstance(target, Unknown) else str(target)
        linked: str | Unknown = target if isinstance(target, str) else Unknown(expression)
        self.result.link(
            LinkKind.DEAD_LETTERS, source, linked, policy.location, expression, TargetKind.NAME, attributes
        )

    def addresses(self, spanned: Spanned) -> list[str]:
        """Every ``type.name`` address the expression names (the taken branch only)."""
        evaluator = self.resource.evaluator
        if spanned.node is not None and evaluator is not None:
            return list(dict.fromkeys(address for address, _node in evaluator.references(spanned.node)))
        if not isinstance(spanned.value, Unknown):
            return []
        found = re.finditer(r"\b(aws_\w+)\.([\w-]+)", spanned.value.expression)
        return list(dict.fromkeys(f"{m.group(1)}.{m.group(2)}" for m in found))

    def targets(self, spanned: Spanned, types: tuple[str, ...]) -> list[str]:
        """Component ids of the resources of ``types`` the expression names (the taken branch only)."""
        found = []
        for address in self.addresses(spanned):
            rtype = address.split(".", 1)[0]
            if (not types or rtype in types) and address in self.instance.resources:
                found.append(self.instance.resources[address].component.id)
            elif address.startswith("module."):  # a module's output: the resources its value names
                named = self.instance.module_outputs.get(address.removeprefix("module."), [])
                found += [component for kind, component in named if not types or kind in types]
        return list(dict.fromkeys(found))

    def reference(
        self, kind: LinkKind, spanned: Spanned | None, types: tuple[str, ...], attributes: tuple[Attribute, ...] = ()
    ) -> None:
        if spanned is None:
            return
        expression = spanned.text or (
            spanned.value.expression if isinstance(spanned.value, Unknown) else str(spanned.value)
        )
        found = self.targets(spanned, types)
        if len(found) == 1:
            self.result.link(
                kind, self.component, found[0], spanned.location, expression, TargetKind.COMPONENT, attributes
            )
        elif isinstance(spanned.value, str) and not found:
            self.result.link(
                kind, self.component, spanned.value, spanned.location, expression, TargetKind.NAME, attributes
            )
        else:
            self.result.link(
                kind,
                self.component,
                Unknown(expression),
                spanned.location,
                expression,
                TargetKind.COMPONENT,
                attributes,
            )

    def template(
        self, specs: list[_Body], id_key: str, name_key: str, overrides: tuple[str | Unknown, ...] = ()
    ) -> None:
        for spec in specs:
            reference = spec.attrs.get(id_key) or spec.attrs.get(name_key)
            extra: list[Attribute] = []
            version = spec.attrs.get("version")
            if version is not None:
                value = _to_attribute_value(version.value)
                extra.append(
                    Attribute("version", value if value is not None else Unknown(version.text), version.location)
                )
            if overrides:
                extra.append(Attribute("overrides", overrides, None))
            if reference is None:
                reference = Spanned(Unknown("launch template"), spec.location, "launch_template {}")
            self.reference(
                LinkKind.LAUNCHES, reference, ("aws_launch_template", "aws_launch_configuration"), tuple(extra)
            )

    def capacity(self) -> None:
        """Service -> each capacity provider (base, weight), its launch type, or the cluster default."""
        strategies = self.body.blocks.get("capacity_provider_strategy", [])
        origin = ""
        if not strategies and "launch_type" not in self.body.attrs:
            strategies, origin = self.cluster_default(), " (the cluster's default capacity provider strategy)"
        for strategy in strategies:
            provider = strategy.attrs.get("capacity_provider")
            if provider is None:
                continue
            attributes = tuple(
                Attribute(key, _to_attribute_value(strategy.attrs[key].value), strategy.attrs[key].location)
                for key in ("base", "weight")
                if key in strategy.attrs and _to_attribute_value(strategy.attrs[key].value) is not None
            )
            if origin:
                provider = Spanned(provider.value, provider.location, provider.text + origin, provider.node)
            self.reference(LinkKind.BUYS_CAPACITY, provider, ("aws_ecs_capacity_provider",), attributes)
        if strategies:
            return
        launch_type = self.body.attrs.get("launch_type")
        if launch_type is not None:
            value = launch_type.value
            target: str | Unknown = value if isinstance(value, str) else Unknown(launch_type.text)
            self.result.link(
                LinkKind.BUYS_CAPACITY, self.component, target, launch_type.location, launch_type.text, TargetKind.NAME
            )
        else:
            expression = "launch_type not set (Terraform defaults to EC2)"
            self.result.link(
                LinkKind.BUYS_CAPACITY, self.component, "EC2", self.component.location, expression, TargetKind.NAME
            )

    def cluster_default(self) -> list[_Body]:
        cluster = _first(self.body, "cluster")
        if cluster is None:
            return []
        clusters = self.targets(cluster, ("aws_ecs_cluster",)) or []
        names = {c.split("#", 1)[-1] for c in clusters}
        for parsed, kind, labels, body, block in self.instance.module.blocks():
            if kind != "resource" or len(labels) < 2:
                continue
            if labels[0] == "aws_ecs_cluster_capacity_providers":
                evaluator = Evaluator(parsed.source, self.instance.scope)
                read = _read_body(evaluator, body, evaluator.location(block))
                name = read.attrs.get("cluster_name")
                refs = (
                    [a for a, _n in evaluator.references(name.node)]
                    if name is not None and name.node is not None
                    else []
                )
                if any(f"{self.instance.prefix}{r}" in names for r in refs) or (
                    not clusters
                    and name is not None
                    and cluster.text
                    and name.text.split(".")[:2] == cluster.text.split(".")[:2]
                ):
                    return read.blocks.get("default_capacity_provider_strategy", [])
        return []

    def lambda_code(self) -> None:
        body = self.body
        image = body.attrs.get("image_uri")
        if image is not None:
            target = image.value if isinstance(image.value, str) else Unknown(image.text)
            self.result.link(LinkKind.RUNS_IMAGE, self.component, target, image.location, image.text, TargetKind.IMAGE)
        filename = body.attrs.get("filename")
        if filename is not None:
            self.code_from(filename)
        elif "s3_bucket" in body.attrs:
            bucket = body.attrs["s3_bucket"]
            self.result.link(
                LinkKind.HAS_CODE, self.component, Unknown(bucket.text), bucket.location, bucket.text, TargetKind.FOLDER
            )
        layers = body.attrs.get("layers")
        if layers is not None:
            values = layers.value if isinstance(layers.value, tuple) else (layers.value,)
            for layer in values:
                target = layer if isinstance(layer, str) else Unknown(layers.text)
                self.result.link(
                    LinkKind.HAS_CODE,
                    self.component,
                    target,
                    layers.location,
                    layers.text,
                    TargetKind.NAME,
                    (Attribute("layer", True, None),),
                )

    def code_from(self, filename: Spanned) -> None:
        """Filename = data.archive_file.x.output_path -> the archive's source folder."""
        evaluator = self.resource.evaluator
        archives = (
            [a for a, _n in evaluator.references(filename.node) if a.startswith("data.archive_file.")]
            if filename.node is not None and evaluator is not None
            else []
        )
        candidates: list[str | None] = []
        for archive in archives:
            data = self.instance.scope.data.get(archive.removeprefix("data."), {})
            folder = data.get("source_dir")
            if not isinstance(folder, str) and isinstance(data.get("source_file"), str):
                folder = posixpath.dirname(data["source_file"]) or "."
            if isinstance(folder, str):
                candidates.append(relative_folder(self.instance.root_dir, folder))
        if candidates:
            self.result.link_folder(LinkKind.HAS_CODE, self.component, candidates, filename.location, filename.text)
        else:
            expression = filename.text or str(filename.value)
            self.result.link(
                LinkKind.HAS_CODE, self.component, Unknown(expression), filename.location, expression, TargetKind.FOLDER
            )


def _json_value(value: Any) -> Any:
    """A value Terraform passes as JSON: ``jsonencode(...)`` is already structured, a heredoc string is parsed."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _receive_count(value: Any) -> int | Unknown:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, Unknown) else Unknown(str(value))


def _redrive_attributes(body: _Body) -> list[Attribute]:
    policy = _first(body, "redrive_policy")
    value = _json_value(policy.value) if policy is not None else None
    if policy is None or not isinstance(value, dict) or "maxReceiveCount" not in value:
        return []
    return [Attribute(v.MAX_RECEIVE_COUNT, _receive_count(value["maxReceiveCount"]), policy.location)]


def _command(value: Any) -> tuple[str | Unknown, ...] | None:
    if isinstance(value, (list, tuple)):
        return tuple(item if isinstance(item, (str, Unknown)) else Unknown(str(item)) for item in value)
    return None


def _containers(
    result: ParseResult, spanned: Spanned, parent: Component, source: SourceFile | None
) -> list[tuple[Component, dict[str, Any]]]:
    value = _json_value(spanned.value)
    found: list[tuple[Component, dict[str, Any]]] = []
    if not isinstance(value, (list, tuple)):
        return found
    start = spanned.location.line  # where the next container's text begins (to place its keys)
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
        if isinstance(image, str) and source is not None:
            location = source.locate_text(image, spanned.location.line) or location
        attrs = [Attribute(v.IMAGE, image_value, location)]
        for key, canonical in (("cpu", v.CPU), ("memory", v.MEMORY_MB), ("stopTimeout", v.STOP_TIMEOUT)):
            if isinstance(container.get(key), (int, str)):
                where = source.locate_text(key, start) if source is not None else None
                attrs.append(Attribute(canonical, container[key], where))
        for key, canonical in (("command", v.COMMAND), ("entryPoint", v.ENTRY_POINT)):
            argv = _command(container.get(key))
            if argv is not None:
                attrs.append(Attribute(canonical, argv, None))
        linux = container.get("linuxParameters")
        if isinstance(linux, dict) and isinstance(linux.get("initProcessEnabled"), bool):
            attrs.append(Attribute(v.INIT_PROCESS, linux["initProcessEnabled"], None))
        if isinstance(container.get("essential"), bool):
            attrs.append(Attribute(v.ESSENTIAL, container["essential"], None))
        if location.line > start:
            start = location.line + 1
        module = parent.get("module")  # each instance of a module has its own containers (and ids)
        label = f"{module}.{label}" if isinstance(module, str) and module else label
        component = result.add(ComponentKind.CONTAINER_IMAGE, str(label), location, attrs, parent.id)
        expression = image_value if isinstance(image_value, str) else image_value.expression
        result.link(LinkKind.RUNS_IMAGE, component, image_value, location, expression, TargetKind.IMAGE)
        found.append((component, container))
    return found


_QUEUE_REFERENCE = re.compile(r"\baws_sqs_queue\.([\w-]+)")  # a queue a scaling policy's metric names


def parse_tree(dirs: dict[str, list[SourceFile]], var_files: list[SourceFile] | None = None) -> ParseResult:
    """Every Terraform directory of a scan: root modules, the local modules they call, and links."""
    return _Tree(dirs, var_files or []).run()


def parse_module(files: list[SourceFile]) -> ParseResult:
    """One directory on its own (a root module)."""
    directory = files[0].path.rsplit("/", 1)[0] if files and "/" in files[0].path else ""
    return parse_tree({directory: files})


__all__ = ["RESOURCES", "SAGEMAKER_PATHS", "AttributeValue", "auto_loaded", "parse_module", "parse_tree"]
