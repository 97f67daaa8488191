"""Spot suitability: can this workload take a 2-minute interruption notice? Each signal has its reason and place.

Only evidence tied to the component counts, read from the resource graph: the
queues its environment, role or scaling policy names (``uses_queue`` links),
the load balancers that send it traffic (``load_balanced`` links), how its
capacity is bought today, its own task definition's containers, stop timeout
and volumes. Every reason ends with the ``path:line`` it rests on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from replatform.discover import compute_vocabulary as v
from replatform.graph import Graph
from replatform.model import Attribute, Component, ComponentKind, Link, LinkKind, Location, TargetKind, Unknown
from replatform.price.usage import code_count

STATEFUL_IMAGES = re.compile(
    r"(?:^|/)(postgres|mysql|mariadb|redis|valkey|mongo|mongodb|kafka|zookeeper|elasticsearch|opensearch|cassandra|"
    r"rabbitmq|etcd|consul|memcached|clickhouse)(?::|@|$)",
    re.IGNORECASE,
)
SPOT_NOTICE_SECONDS = 120
SPOT_KINDS = (
    ComponentKind.ECS_SERVICE,
    ComponentKind.ECS_TASK_DEFINITION,
    ComponentKind.AUTOSCALING_GROUP,
    ComponentKind.EKS_NODE_GROUP,
)


@dataclass(frozen=True)
class SpotVerdict:
    """suitable | suitable with changes | unsuitable | n/a, with the reasons and the changes."""

    verdict: str
    reasons: tuple[str, ...]
    changes: tuple[str, ...] = ()


def _at(location: Location | None, fallback: Component) -> str:
    return f"({(location or fallback.location).short()})"


def _attribute_at(owner: Component, attribute: Attribute) -> str:
    return _at(attribute.location, owner)


def _queue_name(graph: Graph, link: Link) -> str:
    if isinstance(link.target, Unknown):
        return link.target.expression
    queue = graph.component(link.target) if link.target_kind is TargetKind.COMPONENT else None
    return queue.name if queue is not None else link.target


def _queue_reason(graph: Graph, link: Link) -> str:
    env, via, name = link.get("env"), link.get("via"), link.get("name")
    if env is not None:
        how = f"its environment variable {env} names it"
    else:
        how = {
            "role": f"its task role is granted to consume it ({name})",
            "scaling": f"it scales on the queue's depth ({name})",
            "pattern": f"{name} feeds it from the queue",
        }.get(str(via), "its configuration names it")
    return (
        f"consumes queue {_queue_name(graph, link)}: {how} ({link.location.short()}); "
        "an interrupted job's message reappears and is retried"
    )


class _Signals:
    """Collects reasons (tolerates interruptions), changes (needed first) and blockers (cannot) for one component."""

    def __init__(self, graph: Graph, component: Component, task: Component | None) -> None:
        self.graph = graph
        self.component = component
        self.task = task
        self.reasons: list[str] = []
        self.changes: list[str] = []
        self.blockers: list[str] = []

    def owners(self) -> list[Component]:
        return [self.component] + ([self.task] if self.task is not None else [])

    def containers(self) -> list[Component]:
        return [
            child
            for owner in self.owners()
            for child in self.graph.children(owner)
            if child.kind is ComponentKind.CONTAINER_IMAGE
        ]

    def images(self) -> None:
        for container in self.containers():
            image = container.get(v.IMAGE)
            text = image if isinstance(image, str) else container.name
            if STATEFUL_IMAGES.search(text):
                self.blockers.append(
                    f"runs a stateful image ({text}) {_at(container.location, container)}: "
                    "an interruption loses or corrupts state"
                )

    def queues(self) -> None:
        seen = set()
        for link in self.graph.queues(self.component):
            key = (_queue_name(self.graph, link), link.get("via") or "env")
            if key not in seen:
                seen.add(key)
                self.reasons.append(_queue_reason(self.graph, link))

    def traffic(self) -> None:
        balancers = self.graph.load_balancers(self.component)
        if balancers:
            link = balancers[0]
            group = self.graph.component(link.target) if isinstance(link.target, str) else None
            what = (
                group.name if group is not None else (link.target if isinstance(link.target, str) else link.expression)
            )
            self.changes.append(
                f"behind a load balancer (target group {what}, linked at {link.location.short()}): keep at least 2 "
                "tasks and a short deregistration delay so draining fits in the 2-minute notice"
            )
        else:
            self.reasons.append(
                f"no load balancer sends it traffic (none is linked to it in the IaC) {_at(None, self.component)}: "
                "no connections to drain"
            )

    def redundancy(self) -> None:
        attribute = self.component.attribute(v.DESIRED_COUNT)
        count, how = code_count(self.component)  # the count the cost model reads: "2", min = max size too
        where = _attribute_at(self.component, attribute) if attribute is not None else _at(None, self.component)
        where += f" ({how})" if how and count is not None else ""
        desired = attribute.value if attribute is not None else None
        if count is not None:
            copies = int(count) if float(count).is_integer() else count
            if count >= 2:
                self.reasons.append(f"redundant: {copies} copies {where}, so one interruption leaves capacity")
            elif self.component.kind is ComponentKind.ECS_SERVICE and count == 1:
                self.changes.append(
                    f"a single task {where}: run at least 2 (or mix in an on-demand base) so an interruption is not "
                    "an outage"
                )
        elif isinstance(desired, Unknown):
            self.changes.append(
                f"desired count is not a literal ({desired.expression}) {where}: check the scaling policy keeps "
                "work retryable"
            )

    def stop_timeout(self) -> None:
        found = [
            (container, attribute)
            for container in self.containers()
            if (attribute := container.attribute(v.STOP_TIMEOUT)) is not None and isinstance(attribute.value, int)
        ]
        if not found:
            if self.component.kind in (ComponentKind.ECS_SERVICE, ComponentKind.ECS_TASK_DEFINITION):
                self.changes.append("handle SIGTERM and finish or checkpoint within 120 s (stopTimeout is not set)")
            return
        container, attribute = max(found, key=lambda pair: int(pair[1].value))  # type: ignore[arg-type]
        seconds = int(attribute.value)  # type: ignore[arg-type]
        where = _at(attribute.location or container.location, container)
        if seconds <= SPOT_NOTICE_SECONDS:
            self.reasons.append(f"stopTimeout {seconds} s fits the 2-minute Spot notice {where}")
        else:
            self.changes.append(
                f"stopTimeout {seconds} s exceeds the 2-minute Spot notice {where}: lower it to <= 120 s"
            )

    def already_spot(self) -> None:
        if self.component.kind is ComponentKind.ECS_SERVICE:
            for link in self.graph.out(self.component, LinkKind.BUYS_CAPACITY):
                if link.target == "FARGATE_SPOT":
                    self.reasons.append(f"already bought as FARGATE_SPOT {_at(link.location, self.component)}")
                    return
        market = self.component.attribute(v.MARKET)
        if market is not None and market.value in ("spot", "mixed"):
            self.reasons.append(f"already bought as Spot ({market.value}) {_attribute_at(self.component, market)}")

    def volumes(self) -> None:
        owner = self.task or self.component
        host_path = owner.attribute("volume_host_path")
        if host_path is not None:
            self.blockers.append(
                f"mounts a host path ({host_path.value}) {_attribute_at(owner, host_path)}: data on the instance is "
                "lost when Spot reclaims it"
            )
        scope = owner.attribute("volume_docker_scope")
        if scope is not None and isinstance(scope.value, str) and scope.value.lower() == "shared":
            self.changes.append(
                f"uses a shared Docker volume {_attribute_at(owner, scope)}: make sure nothing depends on it "
                "surviving an interruption"
            )
        efs = owner.attribute("volume_efs")
        if efs is not None:
            self.reasons.append(f"keeps state on EFS {_attribute_at(owner, efs)}, which survives an interruption")


def suitability(graph: Graph, component: Component, task: Component | None = None) -> SpotVerdict:
    """Signals from the component, its task definition, its containers and what the graph links to it."""
    kind = component.kind
    if kind is ComponentKind.EKS_FARGATE_PROFILE:
        return SpotVerdict("n/a", ("EKS on Fargate has no Spot capacity",))
    if kind not in SPOT_KINDS:
        return SpotVerdict("n/a", ())
    signals = _Signals(graph, component, task)
    signals.images()
    signals.queues()
    if kind is ComponentKind.ECS_TASK_DEFINITION:
        signals.reasons.append(
            f"runs as a task (RunTask or scheduled), not a long-lived service {_at(None, component)}: "
            "a retry restarts the job"
        )
    if kind is ComponentKind.ECS_SERVICE:
        signals.traffic()
    signals.redundancy()
    signals.stop_timeout()
    signals.already_spot()
    signals.volumes()
    if signals.blockers:
        return SpotVerdict("unsuitable", tuple(signals.blockers + signals.reasons))
    if not signals.reasons:
        return SpotVerdict("suitable with changes", ("no interruption-tolerance signal found",), tuple(signals.changes))
    verdict = "suitable with changes" if signals.changes else "suitable"
    return SpotVerdict(verdict, tuple(signals.reasons), tuple(signals.changes))
