"""One ECS service as the capacity edits see it: its task, containers, cluster and target groups (from links)."""

from __future__ import annotations

from dataclasses import dataclass, field

from replatform.discover import compute_vocabulary as v
from replatform.graph import Graph, Purchase
from replatform.migrate.targets.graviton.context import Syntax, syntax_of
from replatform.model import Component, ComponentKind, Link, LinkKind, TargetKind, Unknown


@dataclass(frozen=True)
class ProviderShare:
    """One entry of a capacity provider strategy.

    ``provider`` is a name AWS defines (``FARGATE``, ``FARGATE_SPOT``) written as a literal, or, with
    ``expression``, a reference written as is (a Terraform ``aws_ecs_capacity_provider.x.name``, a
    CloudFormation logical id to ``Ref``, a CDK ``provider.capacityProviderName``).
    """

    provider: str
    base: int = 0
    weight: int = 1
    expression: bool = False


@dataclass
class ServiceView:
    """What the graph links to a service (resolved once in discovery; read here, never re-linked)."""

    service: Component
    syntax: Syntax
    task: Component | None
    containers: list[Component] = field(default_factory=list)
    cluster: Component | None = None
    cluster_link: Link | None = None
    target_groups: list[Component] = field(default_factory=list)
    outside_balancers: list[Link] = field(default_factory=list)
    purchases: list[Purchase] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.service.name

    @property
    def serves_traffic(self) -> bool:
        return bool(self.target_groups or self.outside_balancers or self.service.get(v.LOAD_BALANCED) is True)

    def essential_containers(self) -> list[Component]:
        """Containers whose exit stops the task (``essential`` defaults to true)."""
        return [c for c in self.containers if c.get(v.ESSENTIAL) is not False]


def view(graph: Graph, service: Component) -> ServiceView:
    """The service with everything the capacity edits need, from its links."""
    task = graph.task_of(service)
    containers = [c for c in graph.children(task) if c.kind is ComponentKind.CONTAINER_IMAGE] if task else []
    links = graph.out(service, LinkKind.RUNS_IN)
    clusters = graph.targets(service, LinkKind.RUNS_IN)
    balancers = graph.load_balancers(service)  # the one reading of load_balanced links (Spot evidence uses it too)
    groups = [
        group
        for link in balancers
        if (group := graph.link_target(link)) is not None and group.kind is ComponentKind.LB_TARGET_GROUP
    ]
    outside = [
        link for link in balancers if isinstance(link.target, Unknown) or link.target_kind is not TargetKind.COMPONENT
    ]
    return ServiceView(
        service,
        syntax_of(service),
        task,
        containers,
        clusters[0] if len(clusters) == 1 else None,
        links[0] if links else None,
        groups,
        outside,
        graph.purchases(service),
    )
