"""ECS on EC2 Spot in CloudFormation (YAML or JSON), written into the template where the service lives.

New resources after the service, in the template's own form of intrinsics (`capacity.intrinsics`): the instance
role (the two managed policies only) and its instance profile, a launch template (the ECS-optimized AMI from an
``AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>`` parameter; user data joining the cluster with Spot draining
on), an Auto Scaling group with a mixed-instances policy (all Spot, price-capacity-optimized, the diversified
types, from 0, scale-in protection) and the ECS capacity provider (managed scaling, termination protection,
draining). New parameters with defaults (``EcsAmiId``, ``EcsInstanceType``, ``EcsSpotMaxPrice``,
``EcsMaxInstances``) as seed 001 added variables. The task definition becomes EC2-only (network mode kept), the
service's strategy (`capacity.strategy`) names the new provider and the cluster is associated with it
(`capacity.cluster`: an ``AWS::ECS::ClusterCapacityProviderAssociations``, since a cluster listing a provider
whose instances name the cluster would be a circular dependency).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from replatform import knowledge
from replatform.migrate.editors.json import JsonEditError, JsonEditor
from replatform.migrate.editors.yaml import YamlEditError, YamlEditor, YamlValue, plain
from replatform.migrate.targets.capacity import cluster as clusters
from replatform.migrate.targets.capacity.intrinsics import get_att, in_style, ref, sub
from replatform.migrate.targets.capacity.service import ServiceView
from replatform.migrate.targets.ec2_spot.generated import Generated, finish
from replatform.migrate.targets.ec2_spot.sizing import Sizing
from replatform.migrate.targets.graviton.context import Context, Syntax
from replatform.migrate.targets.spot.refusals import partition
from replatform.model import Edit

Path = tuple[str | int, ...]


class _Template:
    """One template through the editor of its syntax: values read as plain data, entries added in its style."""

    def __init__(self, ctx: Context, path: str, syntax: Syntax) -> None:
        self.json_file = syntax is Syntax.CFN_JSON
        self.yaml: YamlEditor | None = None if self.json_file else ctx.ws.yaml(path)
        self.json: JsonEditor | None = ctx.ws.json(path) if self.json_file else None
        buffer = ctx.ws.buffer(path)
        if (self.yaml is None and self.json is None) or buffer is None:
            raise ValueError(ctx.ws.notes.get(path, "file not editable"))
        self.data = buffer.data
        self.root: Path = () if self.json_file else (0,)

    def value(self, *keys: str | int) -> Any:
        if self.json is not None:
            return self.json.value(keys)
        assert self.yaml is not None
        node = self.yaml.node((*self.root, *keys))
        return None if node is None else plain(node)

    def styled(self, value: YamlValue) -> Any:
        return in_style(value, self.data, self.json_file)

    def add(self, keys: Path, entries: list[tuple[str, YamlValue]], after: str | None) -> Edit:
        styled = [(key, self.styled(value)) for key, value in entries]
        if self.json is not None:
            return self.json.insert_properties(keys, styled, after=after)
        assert self.yaml is not None
        return self.yaml.insert_entries((*self.root, *keys), styled, after=after)

    def set(self, keys: Path, value: YamlValue) -> Edit | None:
        """Replace the value at ``keys`` (a scalar keeps its quotes; a list or map is written anew)."""
        if self.json is not None:
            return self.json.set_value(keys, self.styled(value))
        assert self.yaml is not None
        path = (*self.root, *keys)
        if isinstance(value, str | int):
            return self.yaml.set_scalar(path, value)
        parent, key = path[:-1], path[-1]
        assert isinstance(key, str)
        return self.yaml.replace_entry(parent, key, self.styled(value))

    def insert(self, keys: Path, key: str, value: YamlValue) -> Edit | None:
        if self.json is not None:
            return self.json.insert_property(keys, key, self.styled(value))
        assert self.yaml is not None
        return self.yaml.insert_entry((*self.root, *keys), key, self.styled(value))


def generate(ctx: Context, view: ServiceView, sizing: Sizing) -> Generated:
    try:
        return _generate(ctx, view, sizing)
    except (YamlEditError, JsonEditError, ValueError, KeyError) as exc:
        return Generated(problem=str(exc))


def _generate(ctx: Context, view: ServiceView, sizing: Sizing) -> Generated:
    service = view.service
    path = service.location.path
    template = _Template(ctx, path, view.syntax)
    cluster = view.cluster
    if cluster is None or cluster.location.path != path:
        return Generated(
            problem="its cluster is not declared in this template: the instances' user data needs the cluster's "
            "name and the capacity provider must be associated with it"
        )
    network = template.value("Resources", service.name, "Properties", "NetworkConfiguration", "AwsvpcConfiguration")
    subnets = network.get("Subnets") if isinstance(network, Mapping) else None
    if subnets is None:
        return Generated(problem="it has no NetworkConfiguration with Subnets for the Auto Scaling group's instances")
    if isinstance(network, Mapping) and str(network.get("AssignPublicIp", "")).upper() == "ENABLED":
        return Generated(
            problem="its tasks get a public IP (AssignPublicIp: ENABLED), which ECS supports on Fargate only: give "
            "them a route out through a NAT gateway or VPC endpoints, set it to DISABLED, then run migrate again"
        )
    resources = template.value("Resources") or {}
    base = service.name + "Ec2Spot"
    suffixes = ("InstanceRole", "InstanceProfile", "LaunchTemplate", "AutoScalingGroup", "CapacityProvider")
    label, number = base, 1
    while any(f"{label}{suffix}" in resources for suffix in suffixes):
        number += 1
        label = f"{base}{number}"
    out = Generated(label=label)
    out.provider = out.strategy = f"{label}CapacityProvider"
    out.associated = f"Ref {out.provider}"  # how discovery shows a reference it keeps as written
    out.group, out.template, out.cluster = f"{label}AutoScalingGroup", f"{label}LaunchTemplate", cluster.name
    association = clusters.associate(ctx, cluster, ("FARGATE", out.provider))
    if association.problem:
        return Generated(problem=f"the cluster {cluster.name}: {association.problem}")
    cluster_name = f"${{{cluster.name}}}"
    if association.depends_on is None:  # listed on the cluster itself: naming it by Ref would be circular
        literal = template.value("Resources", cluster.name, "Properties", "ClusterName")
        if not isinstance(literal, str) or "${" in literal:
            return Generated(
                problem=f"the cluster {cluster.name} lists its capacity providers itself and has no literal "
                "ClusterName, so the instances' user data could only name it by a reference, a circular dependency; "
                "move its CapacityProviders to an AWS::ECS::ClusterCapacityProviderAssociations, then run migrate "
                "again"
            )
        cluster_name = literal
    out.edits += association.edits
    names, parameter_edit = _parameters(template, service.name, sizing)
    out.max_setting = f"the {names['EcsMaxInstances']} parameter"
    out.edits.append(parameter_edit)
    entries = _resources(label, names, cluster_name, subnets, sizing, ctx.options.region)
    out.edits.append(template.add(("Resources",), entries, after=service.name))
    return finish(ctx, view, out, association.depends_on, lambda: _task_definition(ctx, view, sizing, out))


def _parameters(template: _Template, service: str, sizing: Sizing) -> tuple[dict[str, str], Edit]:
    """The parameters the resources use (a same-named one with the same default is reused), and the edit."""
    facts = knowledge.ecs_ec2_spot()
    wanted: list[tuple[str, dict[str, YamlValue]]] = [
        (
            "EcsAmiId",
            {
                "Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
                "Default": facts.ami_parameters[sizing.architecture],
                "Description": "ECS-optimized Amazon Linux 2023 AMI of the ECS capacity, from its public SSM parameter",
            },
        ),
        (
            "EcsInstanceType",
            {
                "Type": "String",
                "Default": sizing.instance_type,
                "Description": "EC2 instance type of the ECS capacity, the first type of the mixed-instances policy",
            },
        ),
        (
            "EcsSpotMaxPrice",
            {
                "Type": "String",
                "Default": "",
                "Description": "Maximum Spot price per instance-hour, empty for the on-demand price",
            },
        ),
        (
            "EcsMaxInstances",
            {
                "Type": "Number",
                "Default": sizing.max_instances,
                "MinValue": 1,
                "Description": "Maximum EC2 instances of the ECS Spot capacity",
            },
        ),
    ]
    present = template.value("Parameters")
    declared: Mapping[str, Any] = present if isinstance(present, Mapping) else {}
    taken = set(declared) | set(template.value("Resources") or {})
    names: dict[str, str] = {}
    new: list[tuple[str, YamlValue]] = []
    for name, body in wanted:
        existing = declared.get(name)
        if isinstance(existing, Mapping) and str(existing.get("Default")) == str(body["Default"]):
            names[name] = name
            continue
        chosen = clusters.free_name(name if name not in taken else f"{service}{name}", taken)
        taken.add(chosen)
        names[name] = chosen
        new.append((chosen, body))
    if not new:
        raise ValueError("no parameter to add")  # unreachable: EcsAmiId is new or reused with new ones beside it
    if isinstance(present, Mapping) and present:
        return names, template.add(("Parameters",), new, after=None)
    top = list(template.value() or {})
    before = top[top.index("Resources") - 1] if "Resources" in top and top.index("Resources") > 0 else None
    return names, template.add((), [("Parameters", dict(new))], after=before)


def _resources(
    label: str, names: dict[str, str], cluster: str, subnets: YamlValue, sizing: Sizing, region: str
) -> list[tuple[str, YamlValue]]:
    facts = knowledge.ecs_ec2_spot()
    user_data = "#!/bin/bash\n" + "".join(
        f'echo "{line.replace("{cluster}", cluster)}" >> /etc/ecs/ecs.config\n' for line in facts.user_data
    )
    overrides: list[YamlValue] = [{"InstanceType": ref(names["EcsInstanceType"])}]
    overrides += [{"InstanceType": t} for t in sizing.types[1:]]
    return [
        (
            f"{label}InstanceRole",
            {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "ec2.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    },
                    "ManagedPolicyArns": list(facts.policy_arns(partition(region))),
                },
            },
        ),
        (
            f"{label}InstanceProfile",
            {"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [ref(f"{label}InstanceRole")]}},
        ),
        (
            f"{label}LaunchTemplate",
            {
                "Type": "AWS::EC2::LaunchTemplate",
                "Properties": {
                    "LaunchTemplateData": {
                        "ImageId": ref(names["EcsAmiId"]),
                        "InstanceType": ref(names["EcsInstanceType"]),
                        "IamInstanceProfile": {"Arn": get_att(f"{label}InstanceProfile", "Arn")},
                        "MetadataOptions": {"HttpTokens": "required"},
                        "UserData": {"Fn::Base64": sub(user_data) if "${" in user_data else user_data},
                    }
                },
            },
        ),
        (
            f"{label}AutoScalingGroup",
            {
                "Type": "AWS::AutoScaling::AutoScalingGroup",
                "Properties": {
                    "MinSize": "0",
                    "MaxSize": ref(names["EcsMaxInstances"]),
                    "VPCZoneIdentifier": subnets,
                    "NewInstancesProtectedFromScaleIn": True,
                    "MixedInstancesPolicy": {
                        "InstancesDistribution": {
                            "OnDemandBaseCapacity": 0,
                            "OnDemandPercentageAboveBaseCapacity": 0,
                            "SpotAllocationStrategy": "price-capacity-optimized",
                            "SpotMaxPrice": ref(names["EcsSpotMaxPrice"]),
                        },
                        "LaunchTemplate": {
                            "LaunchTemplateSpecification": {
                                "LaunchTemplateId": ref(f"{label}LaunchTemplate"),
                                "Version": get_att(f"{label}LaunchTemplate", "LatestVersionNumber"),
                            },
                            "Overrides": overrides,
                        },
                    },
                    "Tags": [{"Key": "AmazonECSManaged", "Value": "true", "PropagateAtLaunch": True}],
                },
            },
        ),
        (
            f"{label}CapacityProvider",
            {
                "Type": "AWS::ECS::CapacityProvider",
                "Properties": {
                    "AutoScalingGroupProvider": {
                        "AutoScalingGroupArn": ref(f"{label}AutoScalingGroup"),
                        "ManagedScaling": {"Status": "ENABLED", "TargetCapacity": 100},
                        "ManagedTerminationProtection": "ENABLED",
                        "ManagedDraining": "ENABLED",
                    }
                },
            },
        ),
    ]


def _task_definition(ctx: Context, view: ServiceView, sizing: Sizing, out: Generated) -> tuple[list[Edit | None], str]:
    """EC2 only (network mode kept), and the size the plan priced where the usage file says the task needs less."""
    task = view.task
    assert task is not None
    if task.location.path != view.service.location.path:
        return [], f"it is declared in {task.location.path}, not in the service's template"
    template = _Template(ctx, task.location.path, view.syntax)
    properties: Path = ("Resources", task.name, "Properties")
    if template.value(*properties) is None:
        return [], "it has no Properties"
    edits: list[Edit | None] = []
    current = template.value(*properties, "RequiresCompatibilities")
    if current is None:
        edits.append(template.insert(properties, "RequiresCompatibilities", ["EC2"]))
    elif isinstance(current, list) and len(current) == 1 and isinstance(current[0], str):
        edits.append(template.set((*properties, "RequiresCompatibilities", 0), "EC2"))
    else:
        edits.append(template.set((*properties, "RequiresCompatibilities"), ["EC2"]))
    for key, wanted, _declared in sizing.reservations():
        stated = template.value(*properties, key.capitalize())
        if stated is None:
            return [], f"it has no task-level {key.capitalize()} to change"
        edits.append(template.set((*properties, key.capitalize()), str(wanted) if isinstance(stated, str) else wanted))
    if template.value(*properties, "NetworkMode") is None:
        out.notes.append("no NetworkMode: EC2 defaults to bridge, where Fargate had awsvpc")
    return edits, ""
