"""Associate capacity providers with a service's cluster, in the file and the form the cluster is declared in.

Terraform: the cluster's ``aws_ecs_cluster_capacity_providers`` gets the providers (a new one is added after
the cluster when it has none; the service must then depend on it). CloudFormation: the cluster's
``CapacityProviders`` (or its ``ClusterCapacityProviderAssociations``; a new one for an Auto Scaling group
provider, which the cluster itself cannot list without a circular dependency). CDK: ``enableFargateCapacityProviders``
for the Fargate providers. A cluster that is not declared in the repository cannot be edited: the caller says
what must be true of it instead.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import tree_sitter

from replatform.discover import compute_vocabulary as v
from replatform.migrate.editors.hcl import HclEditError, labels
from replatform.migrate.editors.json import JsonEditError
from replatform.migrate.editors.python import PythonSymbols
from replatform.migrate.editors.yaml import YamlEditError, YamlValue
from replatform.migrate.targets.capacity.intrinsics import in_style, ref
from replatform.migrate.targets.graviton.context import Context, Syntax, syntax_of
from replatform.model import Component, Edit, Unknown

FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")


@dataclass(frozen=True)
class Association:
    """The edits, why none could be made, and the resource the service must depend on (the association, when
    it is a resource of its own: a Terraform address or a CloudFormation logical id).
    """

    edits: tuple[Edit | None, ...] = ()
    problem: str = ""
    depends_on: str | None = None


def associated(cluster: Component) -> tuple[str, ...]:
    """The capacity providers discovery found associated with the cluster."""
    value = cluster.get(v.CAPACITY_PROVIDERS)
    if isinstance(value, tuple):  # a reference discovery could not reduce to a name is kept as written
        return tuple(x.expression if isinstance(x, Unknown) else str(x) for x in value)
    return (str(value),) if isinstance(value, str) else ()


def associate(ctx: Context, cluster: Component, providers: tuple[str, ...]) -> Association:
    """Edits that associate ``providers`` (names AWS defines, or a Terraform reference) with ``cluster``."""
    syntax = syntax_of(cluster)
    try:
        if syntax is Syntax.TERRAFORM:
            return _terraform(ctx, cluster, providers)
        if syntax in (Syntax.CFN_YAML, Syntax.CFN_JSON):
            return _cloudformation(ctx, cluster, providers, syntax)
        if syntax in (Syntax.CDK_TYPESCRIPT, Syntax.CDK_PYTHON):
            return _cdk(ctx, cluster, providers, syntax)
    except (HclEditError, YamlEditError, JsonEditError, ValueError, KeyError) as exc:
        return Association(problem=str(exc))
    return Association(problem=f"no editor for {syntax.value}")


def _terraform(ctx: Context, cluster: Component, providers: tuple[str, ...]) -> Association:
    if cluster.get("count") is not None or cluster.get("module") is not None:
        return Association(problem=f"{cluster.name} uses count/for_each or sits in a module: associate by hand")
    present = associated(cluster)
    attribute = cluster.attribute(v.CAPACITY_PROVIDERS)
    if attribute is not None and attribute.location is not None:
        path = attribute.location.path
        editor = ctx.ws.hcl(path)
        if editor is None:
            return Association(problem=ctx.ws.notes.get(path, "file not editable"))
        block = editor.block_containing(attribute.location.start_byte, attribute.location.end_byte)
        owner = _labels_of(block)
        depends = f"{owner[1]}.{owner[2]}" if len(owner) == 3 and owner[1] != "aws_ecs_cluster" else None
        missing = [p for p in providers if p not in present]
        if not missing:
            return Association(depends_on=depends)
        current = editor.attribute(block, "capacity_providers") if block is not None else None
        items = editor.string_items(current) if current is not None else None
        if current is None or items is None:
            return Association(problem=f"capacity_providers of {cluster.name} is not a list of names to extend")
        rendered = ", ".join([*(f'"{p}"' for p in items), *(_hcl_provider(p) for p in missing)])
        return Association((editor.set_expression(current, f"[{rendered}]"),), depends_on=depends)
    path = cluster.location.path
    editor = ctx.ws.hcl(path)
    if editor is None:
        return Association(problem=ctx.ws.notes.get(path, "file not editable"))
    block = editor.block_containing(cluster.location.start_byte, cluster.location.end_byte)
    if block is None:
        return Association(problem="the cluster's resource block was not found")
    address = cluster.name
    label = address.split(".", 1)[1]
    taken = set()
    for sibling in ctx.ws.siblings(path, (".tf",)):
        other = ctx.ws.hcl(sibling)
        for node in other.body.named_children if other is not None and other.body is not None else []:
            if node.type == "block":
                taken.add(".".join(labels(node)[1:]))
    while f"aws_ecs_cluster_capacity_providers.{label}" in taken:
        label += "_providers"
    rendered = ", ".join(_hcl_provider(p) for p in providers)
    edit = editor.add_resource_after(
        block,
        ("resource", "aws_ecs_cluster_capacity_providers", label),
        [("cluster_name", f"{address}.name"), ("capacity_providers", f"[{rendered}]")],
    )
    return Association((edit,), depends_on=f"aws_ecs_cluster_capacity_providers.{label}")


def _hcl_provider(provider: str) -> str:
    """A name AWS defines as a string literal; anything else is a Terraform reference, written as is."""
    return f'"{provider}"' if provider in FARGATE_PROVIDERS else provider


def _labels_of(block: tree_sitter.Node | None) -> list[str]:
    return labels(block) if block is not None else []


def _cloudformation(ctx: Context, cluster: Component, providers: tuple[str, ...], syntax: Syntax) -> Association:
    present = associated(cluster)
    missing = [p for p in providers if p not in present]
    attribute = cluster.attribute(v.CAPACITY_PROVIDERS)
    if not missing:
        return Association()
    path = cluster.location.path
    buffer = ctx.ws.buffer(path)
    if buffer is None:
        return Association(problem=ctx.ws.notes.get(path, "file not editable"))
    json_file = syntax is Syntax.CFN_JSON
    items = [p if p in FARGATE_PROVIDERS else in_style(ref(p), buffer.data, json_file) for p in missing]
    if attribute is None and any(p not in FARGATE_PROVIDERS for p in missing):
        return _new_association(ctx, cluster, providers, json_file)
    if json_file:
        editor = ctx.ws.json(path)
        if editor is None:
            return Association(problem=ctx.ws.notes.get(path, "file not editable"))
        base: tuple[str | int, ...] = ("Resources", cluster.name)
        if attribute is not None and attribute.location is not None:
            where = editor.path_of(attribute.location.start_byte)
            if where is None:
                return Association(problem="the cluster's CapacityProviders list was not found")
            owner = str(where[1]) if len(where) > 1 and where[1] != cluster.name else None
            return Association((editor.append_items(where, items),), depends_on=owner)
        if editor.node((*base, "Properties")) is None:
            return Association((editor.insert_property(base, "Properties", {"CapacityProviders": items}),))
        return Association((editor.insert_property((*base, "Properties"), "CapacityProviders", items),))
    yaml = ctx.ws.yaml(path)
    if yaml is None:
        return Association(problem=ctx.ws.notes.get(path, "file not editable"))
    if attribute is not None and attribute.location is not None:
        where = yaml.path_at(attribute.location.start_byte)
        if where is None:
            return Association(problem="the cluster's CapacityProviders list was not found")
        owner = str(where[2]) if len(where) > 2 and where[2] != cluster.name else None
        return Association((yaml.append_items(where, items),), depends_on=owner)
    resource = yaml.path_at(cluster.location.start_byte)
    if resource is None:
        return Association(problem="the cluster was not found in the template")
    if yaml.node((*resource, "Properties")) is None:
        return Association((yaml.insert_entry(resource, "Properties", {"CapacityProviders": items}),))
    return Association((yaml.insert_entry((*resource, "Properties"), "CapacityProviders", items),))


def _new_association(ctx: Context, cluster: Component, providers: tuple[str, ...], json_file: bool) -> Association:
    """An AWS::ECS::ClusterCapacityProviderAssociations after a cluster that has no capacity providers yet.

    An Auto Scaling group provider cannot be listed on the cluster itself: its instances' user data names the
    cluster, so the cluster would depend on the provider and the provider on the cluster (a circular dependency).
    The resource requires a default strategy: the first provider (FARGATE for the Spot targets), which a service
    that states a launch type or a strategy of its own does not use.
    """
    path = cluster.location.path
    buffer = ctx.ws.buffer(path)
    assert buffer is not None
    values = [p if p in FARGATE_PROVIDERS else ref(p) for p in providers]
    body: dict[str, YamlValue] = {
        "Type": "AWS::ECS::ClusterCapacityProviderAssociations",
        "Properties": {
            "Cluster": ref(cluster.name),
            "CapacityProviders": values,
            "DefaultCapacityProviderStrategy": [{"CapacityProvider": values[0], "Weight": 1}],
        },
    }
    value = in_style(body, buffer.data, json_file)
    if json_file:
        editor = ctx.ws.json(path)
        if editor is None:
            return Association(problem=ctx.ws.notes.get(path, "file not editable"))
        name = free_name(f"{cluster.name}CapacityProviders", editor.value(("Resources",)) or {})
        edit = editor.insert_properties(("Resources",), [(name, value)], after=cluster.name)
        return Association((edit,), depends_on=name)
    yaml = ctx.ws.yaml(path)
    if yaml is None:
        return Association(problem=ctx.ws.notes.get(path, "file not editable"))
    resource = yaml.path_at(cluster.location.start_byte)
    if resource is None:
        return Association(problem="the cluster was not found in the template")
    name = free_name(f"{cluster.name}CapacityProviders", yaml.node(resource[:-1]) or {})
    return Association((yaml.insert_entries(resource[:-1], [(name, value)], after=cluster.name),), depends_on=name)


def free_name(name: str, taken: Collection[str]) -> str:
    """``name``, or ``name2``, ``name3``... when the template declares it already."""
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name}{number}"
    return candidate


def _cdk(ctx: Context, cluster: Component, providers: tuple[str, ...], syntax: Syntax) -> Association:
    present = associated(cluster)
    if all(p in present for p in providers):
        return Association()
    if any(p not in FARGATE_PROVIDERS for p in providers):
        return Association(
            problem="a capacity provider other than FARGATE/FARGATE_SPOT: use cluster.addAsgCapacityProvider"
        )
    path = cluster.location.path
    if syntax is Syntax.CDK_PYTHON:
        python = ctx.ws.python(path)
        if python is None:
            return Association(problem=ctx.ws.notes.get(path, "file not editable"))
        call = python.call_at(cluster.location.start_byte, cluster.location.end_byte)
        if call is None:
            return Association(problem="the Cluster call was not found")
        symbols = PythonSymbols()
        edit = python.insert_keyword(call, "enable_fargate_capacity_providers", "True")
        return Association((edit, *python.import_edits(symbols)))
    editor = ctx.ws.typescript(path)
    if editor is None:
        return Association(problem=ctx.ws.notes.get(path, "file not editable"))
    call = editor.call_at(cluster.location.start_byte, cluster.location.end_byte)
    if call is None:
        return Association(problem="the Cluster construct was not found")
    props = editor.props(call, 2)
    if props is None:
        if len(editor.arguments(call)) != 2:
            return Association(problem="the Cluster props are not an object literal")
        return Association((editor.append_argument(call, "{ enableFargateCapacityProviders: true }"),))
    current = editor.property(props, "enableFargateCapacityProviders")
    if current is not None:
        return Association((editor.replace_node(current, "true"),))
    return Association((editor.insert_property(props, "enableFargateCapacityProviders", "true"),))
