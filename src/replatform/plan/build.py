"""Turn components, findings and cost lines into a phased plan.

Phases (lowest risk first, as the case studies did it): 1. Lambda functions;
2. batch, async and queue workers; 3. stateless services (with a canary);
4. the rest (EC2 fleets, node groups, Kubernetes workloads).

Effort heuristic (hours, documented so a team can adjust it): a base per kind
(Lambda 1, task run on demand 3, service 6, EC2/ASG/node group 8, Kubernetes
workload 4) plus 4 per blocker and 1 per warning found in the component's own
code (the folders its code and image builds are linked to in the resource graph;
the whole repository when nothing is linked).
The finding that states the x86 placement itself (lambda-x86, ecs-task-x86,
ec2-x86-instance...) is the work being planned and adds nothing.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from replatform.assess.catalog import catalog
from replatform.assess.context import MAX_SOURCE_BYTES
from replatform.discover.source import SourceFile
from replatform.fsio import read_in_root
from replatform.graph import Graph
from replatform.model import Component, ComponentKind, CostLine, Finding, PlanItem, Report, Severity
from replatform.plan.spot_conditions import refine
from replatform.price.cost import TARGETS
from replatform.price.spot import QUEUE_HINT, SpotVerdict, suitability

BASE_EFFORT = {
    ComponentKind.LAMBDA_FUNCTION: 1.0,
    ComponentKind.ECS_TASK_DEFINITION: 3.0,
    ComponentKind.ECS_SERVICE: 6.0,
    ComponentKind.EC2_INSTANCE: 8.0,
    ComponentKind.AUTOSCALING_GROUP: 8.0,
    ComponentKind.EKS_NODE_GROUP: 8.0,
    ComponentKind.BATCH_COMPUTE_ENVIRONMENT: 6.0,
    ComponentKind.K8S_WORKLOAD: 4.0,
}
PER_BLOCKER, PER_WARNING = 4.0, 1.0
PLACEMENT_RULES = {
    "lambda-x86", "ecs-task-x86", "ec2-x86-instance", "ec2-x86-no-same-size", "eks-ami-x86", "sagemaker-x86-instance",
    "k8s-arch-amd64", "registry-not-consulted", "image-not-checked", "dependency-arm64-ready", "pypi-arm64-ready",
    "image-arm64-ready", "c-x86-code-already-ported",
}  # fmt: skip
#: Findings about taking a stop (SIGTERM, SQS) are conditions of a Spot move, not arm64 readiness.
INTERRUPTION_RULES = {rule.id for rule in catalog().values() if rule.category == "interruption"}
PHASES = {
    1: "Lambda and other stateless functions",
    2: "Batch, async and queue workers",
    3: "Stateless services (canary)",
    4: "Everything else",
}
STEPS = {
    1: (
        "Rebuild any native dependencies and layers for arm64 (replatform verify tells which).",
        "Switch the architecture to arm64 in the IaC and deploy to dev.",
        "Invoke with production-like events; compare duration, errors and cost in CloudWatch.",
        "Shift traffic with a weighted alias (10 %), watch 24-48 h, then 100 %.",
        "Rollback: point the alias back at the x86_64 version.",
    ),
    2: (
        "Build a multi-arch image (docker buildx --platform linux/amd64,linux/arm64) and push it.",
        "Run the test suite and an import smoke test on arm64 (replatform verify --emulate, then a Graviton host).",
        "Set the runtime platform to ARM64 in dev; run a representative batch and compare output and duration.",
        "Move a share of jobs (10 %), watch 24-48 h, then all; consider Spot for retryable jobs.",
        "Rollback: the x86 task definition revision stays registered; switch back and re-queue failed jobs.",
    ),
    3: (
        "Build a multi-arch image and run the integration tests against an arm64 deployment in dev.",
        "Canary: a second service (or capacity provider) on ARM64 behind the same load balancer at 10 % of traffic.",
        "Watch latency (p99), error rate and saturation for 24-48 h against the x86 tasks.",
        "Scale ARM64 to 100 %; keep the x86 task definition revision for a week.",
        "Rollback: shift the weights back to the x86 target group.",
    ),
    4: (
        "Pick the Graviton type shown (same size), with an arm64 AMI; rebuild host agents for arm64.",
        "Replace one instance or one node group first (mixed-architecture fleet), move load gradually.",
        "Watch 24-48 h, then roll the rest; keep the x86 launch template version for rollback.",
    ),
}


@dataclass
class Plan:
    """The plan and its totals (all money per month unless stated)."""

    items: list[PlanItem] = field(default_factory=list)
    costs: list[CostLine] = field(default_factory=list)
    already_arm64: list[str] = field(default_factory=list)
    #: Declared in the code but not deployed (count = 0, a false condition): name -> why.
    not_deployed: dict[str, str] = field(default_factory=dict)
    #: A user-given speed-up of arm64 over x86 (1.2 = the same work in 1/1.2 of the time); an assumption, never a default.
    performance_factor: float | None = None
    hourly_rate: float = 100.0
    target: str = "graviton"

    @property
    def effort_hours(self) -> float:
        return round(sum(i.effort_hours for i in self.items), 1)

    @property
    def monthly_saving(self) -> float:
        return round(sum(i.monthly_saving or 0.0 for i in self.items), 2)

    @property
    def annual_saving(self) -> float:
        return round(self.monthly_saving * 12, 2)

    @property
    def effort_cost(self) -> float:
        return round(self.effort_hours * self.hourly_rate, 2)

    @property
    def payback_months(self) -> float | None:
        return round(self.effort_cost / self.monthly_saving, 1) if self.monthly_saving > 0 else None

    @property
    def roi_first_year(self) -> float | None:
        return round((self.annual_saving - self.effort_cost) / self.effort_cost, 2) if self.effort_cost > 0 else None


def _linked_findings(graph: Graph, report: Report, component: Component) -> tuple[list[Finding], str]:
    """Findings in the component's own code (the folders the graph links it to), else the repository's."""
    folders = [f"{folder}/" if folder not in ("", ".") else "" for folder in graph.code_folders(component)]
    relevant = [
        f
        for f in report.findings
        if f.rule_id not in PLACEMENT_RULES
        and f.severity is not Severity.INFO
        and f.rule_id not in INTERRUPTION_RULES
        and not _about_sagemaker(f)
    ]
    if folders:
        scope = ", ".join(folder or "./" for folder in folders)
        return [f for f in relevant if any(f.location.path.startswith(folder) for folder in folders)], scope
    if component.kind is ComponentKind.LAMBDA_FUNCTION:
        return [], "its code (not linked)"
    return relevant, "the repository"


def _about_sagemaker(finding: Finding) -> bool:
    """Training-script findings are about a move to SageMaker, not about arm64: they do not weigh on this plan."""
    from replatform.assess.catalog import catalog

    rule = catalog().get(finding.rule_id)
    return rule is not None and rule.category == "training"


def _phase(component: Component, task: Component | None, spot: SpotVerdict, files: dict[str, SourceFile]) -> int:
    kind = component.kind
    if kind is ComponentKind.LAMBDA_FUNCTION:
        return 1
    source = files.get(component.location.path)
    queue = source is not None and QUEUE_HINT.search(source.text) is not None and kind is ComponentKind.ECS_SERVICE
    if kind in (ComponentKind.ECS_TASK_DEFINITION, ComponentKind.BATCH_COMPUTE_ENVIRONMENT) or (
        queue and component.get("load_balanced") is not True
    ):
        return 2
    if kind is ComponentKind.ECS_SERVICE:
        return 3
    return 4


def build_plan(
    root: str, report: Report, costs: list[CostLine], *, hourly_rate: float = 100.0, target: str = "graviton"
) -> Plan:
    """The phased plan for every component that has compute to move."""
    plan = Plan(costs=costs, hourly_rate=hourly_rate, target=target)
    graph = Graph(report)
    files: dict[str, SourceFile] = {}
    for component in report.components:
        path = component.location.path
        if path not in files:
            with contextlib.suppress(OSError):
                files[path] = SourceFile(path, read_in_root(root, path, MAX_SOURCE_BYTES))
    saving: dict[str, float | None] = {}
    for component_id in {line.component for line in costs}:
        lines = {line.target: line.monthly for line in costs if line.component == component_id}
        now, then = lines.get("current"), lines.get(target)
        saving[component_id] = round(now - then, 2) if now is not None and then is not None else None
    for component in report.components:
        if component.kind not in BASE_EFFORT:
            continue
        if not component.deployed:
            plan.not_deployed[component.name] = component.not_deployed
            continue
        if component.kind is ComponentKind.ECS_TASK_DEFINITION and graph.runs_a_service(component):
            continue  # planned with the service that runs it
        if (
            component.kind is ComponentKind.K8S_WORKLOAD
            and component.get("node_selector_arch") is None
            and component.get("affinity_arch") is None
        ):
            continue
        task = graph.task_of(component) if component.kind is ComponentKind.ECS_SERVICE else None
        if _on_arm64(graph, component) or (task is not None and _on_arm64(graph, task)):
            plan.already_arm64.append(component.name)
            continue
        spot = refine(suitability(report, component, task, files), report, component)
        linked, scope = _linked_findings(graph, report, component)
        blockers = [f for f in linked if f.severity is Severity.BLOCKER]
        warnings = [f for f in linked if f.severity is Severity.WARNING]
        readiness = "blocked" if blockers else ("needs work" if warnings else "ready")
        reasons = []
        if blockers:
            reasons.append(
                f"{len(blockers)} blocker(s) in {scope}: " + ", ".join(sorted({f.rule_id for f in blockers}))
            )
        if warnings:
            reasons.append(f"{len(warnings)} warning(s) in {scope}")
        phase = _phase(component, task, spot, files)
        risk = (
            "high"
            if blockers or (spot.verdict == "unsuitable" and phase > 2)
            else ("medium" if warnings or phase >= 3 else "low")
        )
        if phase == 3:
            reasons.append("serves traffic: move behind a canary")
        if phase == 1 and not blockers:
            reasons.append("an architecture flag; no server to rebuild")
        effort = BASE_EFFORT[component.kind] + PER_BLOCKER * len(blockers) + PER_WARNING * len(warnings)
        plan.items.append(
            PlanItem(
                component.id,
                component.name,
                component.kind.value,
                phase,
                readiness,
                risk,
                tuple(reasons),
                effort,
                saving.get(component.id),
                target,
                spot.verdict,
                spot.reasons + tuple(f"change: {c}" for c in spot.changes),
            )
        )
    plan.items.sort(key=lambda i: (i.phase, {"ready": 0, "needs work": 1, "blocked": 2}[i.readiness], i.name))
    return plan


def _on_arm64(graph: Graph, component: Component) -> bool:
    arch = component.get("architecture")
    if isinstance(arch, str) and arch.lower() in ("arm64", "arm_64", "aarch64"):
        return True
    types = graph.instance_types(component)
    value = types[0] if types else None
    if isinstance(value, str) and "." in value:
        from replatform import knowledge

        return value.removeprefix("ml.").split(".", 1)[0] in knowledge.instances().graviton_families
    return False


__all__ = ["PHASES", "STEPS", "TARGETS", "Plan", "build_plan"]
