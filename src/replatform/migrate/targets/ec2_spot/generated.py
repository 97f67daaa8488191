"""What a format's generator wrote for one service: the edits, the names the re-scan must find, and why not."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from replatform.migrate.targets.capacity.service import ProviderShare, ServiceView
from replatform.migrate.targets.capacity.strategy import set_strategy
from replatform.migrate.targets.graviton.context import Context
from replatform.model import Edit

#: A format's task definition edit: (edits, why it could not be made).
TaskEdits = Callable[[], tuple[list[Edit | None], str]]


@dataclass
class Generated:
    """The edits, what they declare (for the description and the re-scan), and why they could not be made.

    ``provider``, ``group``, ``template`` and ``cluster`` are the names discovery gives the new capacity provider,
    Auto Scaling group, launch template and the service's cluster (a Terraform address, a CloudFormation logical
    id, a CDK construct id); ``strategy`` is the provider as the service's strategy writes it (a Terraform
    ``….name``, a logical id to ``Ref``, a CDK ``provider.capacityProviderName``) and ``associated`` as the
    re-scanned cluster lists it.
    """

    edits: list[Edit | None] = field(default_factory=list)
    problem: str = ""
    label: str = ""
    provider: str = ""
    group: str = ""
    template: str = ""
    cluster: str = ""
    strategy: str = ""
    associated: str = ""
    max_setting: str = "var.ecs_max_instances"  # where the group's maximum is set
    notes: list[str] = field(default_factory=list)


def finish(ctx: Context, view: ServiceView, out: Generated, depends_on: str | None, task: TaskEdits) -> Generated:
    """The service's strategy on the new provider (after the association ``depends_on``) and the task definition's
    edits, added to ``out``; or a `Generated` with the problem.
    """
    share = ProviderShare(out.strategy, 0, 1, expression=True)
    strategy, problem = set_strategy(ctx, view, [share], depends_on)
    if problem:
        return Generated(problem=problem)
    out.edits += strategy
    task_edits, problem = task()
    if problem:
        return Generated(problem=f"its task definition: {problem}")
    out.edits += task_edits
    return out


# ------------------------------------------------------------------------------------------------ CDK (both languages)


def cdk_refusal(
    view: ServiceView, cluster_found: bool, public_ip: bool, add_provider: str, public_ip_prop: tuple[str, str]
) -> str:
    """Why a CDK service is not moved here, or ""; the names are the language's spelling of the CDK API
    (``public_ip_prop``: the prop's name and how it is written when true).
    """
    service = view.service
    if service.get("construct") != "FargateService":
        return f"it is a {service.get('construct')} construct; only a FargateService becomes an Ec2Service here"
    if not cluster_found or view.cluster is None or view.cluster.location.path != service.location.path:
        return (
            "its cluster is not declared in this file: the capacity provider is added to the cluster "
            f"(cluster.{add_provider}), which writes the cluster's name into the instances' user data"
        )
    if public_ip:
        return (
            f"its tasks get a public IP ({public_ip_prop[1]}), which ECS supports on Fargate only: give them a route "
            f"out through a NAT gateway or VPC endpoints, drop {public_ip_prop[0]}, then run migrate again"
        )
    return ""


def cdk_label(file_text: str, service: str, variable: Callable[[str], str]) -> str:
    """``<Service>Ec2Spot``, numbered when the construct id or the variable it makes is taken in the file."""
    base = re.sub(r"[^A-Za-z0-9]", "", service[:1].upper() + service[1:]) + "Ec2Spot"
    label, number = base, 1
    while label in file_text or variable(label) in file_text:
        number += 1
        label = f"{base}{number}"
    return label


def cdk_generated(view: ServiceView, label: str, max_setting: str, strategy: str) -> Generated:
    """The names a CDK generator writes for ``label`` (construct ids ``<label>CapacityProvider``...)."""
    out = Generated(label=label, max_setting=max_setting, strategy=strategy)
    out.provider, out.group, out.template = (
        f"{label}{s}" for s in ("CapacityProvider", "AutoScalingGroup", "LaunchTemplate")
    )
    out.cluster = view.cluster.name if view.cluster is not None else ""
    out.associated = out.provider
    return out
