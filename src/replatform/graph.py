"""The resource graph: components and the links discovery resolved, indexed for O(1) lookups.

Stages after discovery (price, plan, Spot, migrate) ask this index instead of
parsing references or matching names. Building it is linear in components and
links; every lookup is a dictionary access.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from replatform.model import (
    AttributeValue,
    Component,
    ComponentKind,
    Link,
    LinkKind,
    Location,
    Report,
    TargetKind,
    Unknown,
)

FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")


@dataclass(frozen=True)
class Purchase:
    """How one capacity provider (or launch type) share of a service is bought."""

    provider: str  # FARGATE, FARGATE_SPOT, EC2, EXTERNAL, or the capacity provider component's name
    base: int
    weight: int
    market: str  # on_demand | spot | unknown
    fargate: bool
    capacity: Component | None = None  # the ASG behind an EC2 capacity provider, when linked
    resolved: bool = True  # False when the strategy names something discovery could not resolve


def stated_instance_types(component: Component) -> list[tuple[str, Location]]:
    """The literal instance types a component states itself (``instance_type``, then ``instance_types``), each
    with where it is stated; not its launch template's (see `Graph.instance_types`).
    """
    out = []
    for name in ("instance_type", "instance_types"):
        attribute = component.attribute(name)
        if attribute is None:
            continue
        values = attribute.value if isinstance(attribute.value, tuple) else (attribute.value,)
        out += [(value, attribute.location or component.location) for value in values if isinstance(value, str)]
    return out


class Graph:
    """Out- and in-edges per component id and link kind."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.by_id: dict[str, Component] = {c.id: c for c in report.components}
        self._out: dict[tuple[str, LinkKind], list[Link]] = defaultdict(list)
        self._into: dict[tuple[str, LinkKind], list[Link]] = defaultdict(list)
        self._children: dict[str, list[Component]] = defaultdict(list)
        self._declared: dict[tuple[str, str], list[Component]] = defaultdict(list)
        for link in report.links:
            self._out[link.source, link.kind].append(link)
            if link.target_kind is TargetKind.COMPONENT and isinstance(link.target, str):
                self._into[link.target, link.kind].append(link)
        for component in report.components:
            self._declared[component.location.path, component.name].append(component)
            if component.parent:
                self._children[component.parent].append(component)

    def component(self, component_id: str) -> Component | None:
        return self.by_id.get(component_id)

    def out(self, component: Component | str, kind: LinkKind) -> list[Link]:
        """Links of ``kind`` leaving a component."""
        key = component if isinstance(component, str) else component.id
        return self._out.get((key, kind), [])

    def into(self, component: Component | str, kind: LinkKind) -> list[Link]:
        """Links of ``kind`` arriving at a component."""
        key = component if isinstance(component, str) else component.id
        return self._into.get((key, kind), [])

    def children(self, component: Component | str) -> list[Component]:
        key = component if isinstance(component, str) else component.id
        return self._children.get(key, [])

    def declared(self, path: str, name: str, kinds: tuple[ComponentKind, ...]) -> list[Component]:
        """The components of ``kinds`` named ``name`` in file ``path``, in report order: what a finding's subject names."""
        return [c for c in self._declared.get((path, name), []) if c.kind in kinds]

    def link_target(self, link: Link) -> Component | None:
        """The component a link resolves to; None for a name, an unknown or a resource the repository does not hold."""
        if link.target_kind is TargetKind.COMPONENT and isinstance(link.target, str):
            return self.by_id.get(link.target)
        return None

    def targets(self, component: Component | str, kind: LinkKind) -> list[Component]:
        """The components that links of ``kind`` from ``component`` resolve to."""
        return [target for link in self.out(component, kind) if (target := self.link_target(link)) is not None]

    def task_of(self, service: Component) -> Component | None:
        """The task definition a service runs (only when the link resolved)."""
        tasks = self.targets(service, LinkKind.RUNS_TASK)
        return tasks[0] if len(tasks) == 1 else None

    def runs_a_service(self, task: Component) -> bool:
        """Whether some deployed service runs this task definition."""
        return any(self.by_id[link.source].deployed for link in self.into(task, LinkKind.RUNS_TASK))

    def launch_template_of(self, component: Component) -> Component | None:
        templates = self.targets(component, LinkKind.LAUNCHES)
        return templates[0] if len(templates) == 1 else None

    def instance_types(self, component: Component) -> tuple[AttributeValue, ...]:
        """The instance types a component runs: its own, else its launch template's (overrides first)."""
        for link in self.out(component, LinkKind.LAUNCHES):
            overrides = link.get("overrides")
            if isinstance(overrides, tuple) and overrides:
                return overrides
        for name in ("instance_type", "instance_types"):
            value = component.get(name)
            if value is not None:
                return value if isinstance(value, tuple) else (value,)
        template = self.launch_template_of(component)
        if template is not None and template is not component:
            return self.instance_types(template)
        return ()

    def market(self, component: Component) -> str:
        """on_demand | spot | mixed | unknown for EC2-backed capacity, from the component and its template."""
        value = component.get("market")
        if isinstance(value, str):
            return value
        template = self.launch_template_of(component)
        if template is not None:
            value = template.get("market")
            if isinstance(value, str):
                return value
        return "on_demand"

    def purchases(self, service: Component) -> list[Purchase]:
        """How an ECS service's tasks are bought: one entry per capacity provider, or its launch type."""
        out = []
        for link in self.out(service, LinkKind.BUYS_CAPACITY):
            base, weight = link.get("base"), link.get("weight")
            base_n = base if isinstance(base, int) and not isinstance(base, bool) else 0
            weight_n = weight if isinstance(weight, int) and not isinstance(weight, bool) else 1
            if isinstance(link.target, Unknown):
                out.append(Purchase(link.target.expression, base_n, weight_n, "unknown", False, None, False))
                continue
            if link.target_kind is TargetKind.NAME:
                name = link.target
                market = "spot" if name == "FARGATE_SPOT" else ("on_demand" if name == "FARGATE" else "unknown")
                out.append(Purchase(name, base_n, weight_n, market, name in FARGATE_PROVIDERS))
                continue
            provider = self.by_id.get(link.target)
            groups = self.targets(link.target, LinkKind.SCALES) if provider is not None else []
            asg = groups[0] if len(groups) == 1 else None
            name = provider.name if provider is not None else link.target
            market = self.market(asg) if asg is not None else "unknown"
            out.append(Purchase(name, base_n, weight_n, market, False, asg))
        return out

    def hosts(self, task: Component) -> list[Component]:
        """The Auto Scaling groups whose instances an ECS task definition (or service) is placed on, through
        the EC2 capacity providers its services buy (``runs_task`` -> ``buys_capacity`` -> ``scales``).
        """
        services = [task] if task.kind is ComponentKind.ECS_SERVICE else []
        services += [self.by_id[link.source] for link in self.into(task, LinkKind.RUNS_TASK)]
        found = {p.capacity.id: p.capacity for s in services for p in self.purchases(s) if p.capacity is not None}
        return [found[key] for key in sorted(found)]

    def _with_task(self, component: Component) -> list[Component]:
        """A service and the task definition it runs (links may start at either)."""
        task = self.task_of(component) if component.kind is ComponentKind.ECS_SERVICE else None
        return [component, task] if task is not None else [component]

    def load_balancers(self, component: Component) -> list[Link]:
        """The load balancers, listeners or target groups that send traffic to a service (``load_balanced`` links)."""
        return [link for owner in self._with_task(component) for link in self.out(owner, LinkKind.LOAD_BALANCED)]

    def queues(self, component: Component) -> list[Link]:
        """The queues a component's env, role or scaling policy names (``uses_queue`` links).

        From the component, the task definition it runs and their containers (a container's environment names
        the queue it reads).
        """
        owners = self._with_task(component)
        owners += [child for owner in list(owners) for child in self.children(owner)]
        return [link for owner in owners for link in self.out(owner, LinkKind.USES_QUEUE)]

    def code_folders(self, component: Component) -> list[str]:
        """Folders (relative to the root, "." for the root) holding a component's code or image build."""
        folders = []
        owners = [component, *self.children(component)]
        task = self.task_of(component) if component.kind is ComponentKind.ECS_SERVICE else None
        if task is not None:
            owners += [task, *self.children(task)]
        for owner in owners:
            for kind in (LinkKind.HAS_CODE, LinkKind.RUNS_IMAGE):
                for link in self.out(owner, kind):
                    if link.target_kind is TargetKind.FOLDER and isinstance(link.target, str):
                        folders.append(link.target)
        return sorted(set(folders))
