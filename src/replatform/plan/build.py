"""Turn components, findings and cost lines into a phased plan, built per component.

Stages (lowest risk first, as the case studies did it): Lambda functions;
batch, async and queue workers; stateless services (with a canary); the rest
(EC2 instances and fleets, node groups, Kubernetes workloads). Only the stages
that have components become phases, numbered 1, 2, 3 in that order.

Readiness comes from the findings linked to *that* component
(`replatform.plan.linking`): its IaC, its runtime, the folders its code and
images are built from. A component with no linked code is "not assessed"; it
is never blocked by findings elsewhere in the repository. Each component has a
change list: its findings, worst first, each with ``path:line`` and the fix.

Effort heuristic (hours, documented so a team can adjust it): a base per kind
(Lambda 1, task run on demand 3, service 6, EC2/ASG/node group 8, Kubernetes
workload 4) plus 4 per blocker and 1 per warning linked to the component. The
finding that states the x86 placement itself (lambda-x86, ecs-task-x86,
ec2-x86-instance...) is the work being planned: it is on the change list and
adds no effort. Payback and ROI count only components with a priced saving.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from replatform import knowledge
from replatform.assess.catalog import catalog
from replatform.graph import Graph
from replatform.model import Component, ComponentKind, CostLine, Finding, PlanItem, Report, Severity
from replatform.plan.linking import FindingIndex, linked_findings
from replatform.plan.spot_conditions import refine
from replatform.price.cost import TARGETS
from replatform.price.spot import SpotVerdict, suitability

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
#: Training-script findings are about a move to SageMaker, not about arm64: they do not weigh on this plan.
TRAINING_RULES = {rule.id for rule in catalog().values() if rule.category == "training"}
# Stages in the order they are done; a plan's phases are the stages that have components, numbered from 1.
STAGES = {
    "functions": "Lambda and other stateless functions",
    "workers": "Batch, async and queue workers",
    "services": "Stateless services (canary)",
    "rest": "Everything else",
}
PHASES = STAGES  # the titles by stage (kept under the old name for readers of the plan module)
STEPS: dict[str, tuple[str, ...]] = {
    "functions": (
        "Rebuild any native dependencies and layers for arm64 (replatform verify tells which).",
        "Switch the architecture to arm64 in the IaC and deploy to dev.",
        "Invoke with production-like events; compare duration, errors and cost in CloudWatch.",
        "Shift traffic with a weighted alias (10 %), watch 24-48 h, then 100 %.",
        "Rollback: point the alias back at the x86_64 version.",
    ),
    "workers": (
        "Build a multi-arch image (docker buildx --platform linux/amd64,linux/arm64) and push it.",
        "Run the test suite and an import smoke test on arm64 (replatform verify --emulate, then a Graviton host).",
        "Set the runtime platform to ARM64 in dev; run a representative batch and compare output and duration.",
        "Move a share of jobs (10 %), watch 24-48 h, then all; consider Spot for retryable jobs.",
        "Rollback: the x86 task definition revision stays registered; switch back and re-queue failed jobs.",
    ),
    "services": (
        "Build a multi-arch image and run the integration tests against an arm64 deployment in dev.",
        "Canary: a second service (or capacity provider) on ARM64 behind the same load balancer at 10 % of traffic.",
        "Watch latency (p99), error rate and saturation for 24-48 h against the x86 tasks.",
        "Scale ARM64 to 100 %; keep the x86 task definition revision for a week.",
        "Rollback: shift the weights back to the x86 target group.",
    ),
    "services-without-traffic": (
        "Build a multi-arch image and run the integration tests against an arm64 deployment in dev.",
        "Deploy an ARM64 revision of the task definition next to the x86 one (a second service or capacity provider).",
        "Watch errors, duration and saturation for 24-48 h against the x86 tasks.",
        "Move the rest to ARM64; keep the x86 task definition revision for a week.",
        "Rollback: redeploy the x86 task definition revision.",
    ),
}
# Steps of the last stage depend on the kind: an instance has no launch template version to roll back to.
STEPS_BY_KIND: dict[ComponentKind, tuple[str, ...]] = {
    ComponentKind.EC2_INSTANCE: (
        "Build or pick the arm64 variant of the instance's AMI; rebuild host agents and packages for arm64.",
        "Launch a Graviton instance of the type shown next to the x86 one and move its load over gradually.",
        "Watch 24-48 h, then stop the x86 instance; keep its AMI or a snapshot for rollback.",
    ),
    ComponentKind.AUTOSCALING_GROUP: (
        "Add a launch template version with an arm64 AMI and the Graviton type shown; rebuild host agents for arm64.",
        "Roll a share of the group onto it (a mixed-instances policy or an instance refresh with a checkpoint).",
        "Watch 24-48 h, then roll the rest; keep the x86 launch template version for rollback.",
    ),
    ComponentKind.EKS_NODE_GROUP: (
        "Create an arm64 node group (AL2023 ARM AMI type, the Graviton type shown) next to the x86 one.",
        "Make sure every DaemonSet and workload image has linux/arm64; move workloads with node affinity.",
        "Watch 24-48 h, then scale the x86 node group to zero; keep it for a week for rollback.",
    ),
    ComponentKind.K8S_WORKLOAD: (
        "Publish a multi-arch image (linux/amd64 and linux/arm64) for every container of the workload.",
        "Change the nodeSelector/affinity from amd64 to arm64 (or allow both) and roll out.",
        "Watch 24-48 h; roll back by restoring the amd64 selector.",
    ),
    ComponentKind.BATCH_COMPUTE_ENVIRONMENT: (
        "Create a compute environment with Graviton types and an arm64 AMI next to the x86 one.",
        "Send a share of the job queue to it (compute environment order), compare results and duration.",
        "Move the queue over; keep the x86 environment disabled for rollback.",
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
    #: Phase number -> stage key (``functions``, ``workers``, ``services``, ``rest``), consecutive from 1.
    stages: dict[int, str] = field(default_factory=dict)

    @property
    def priced_items(self) -> list[PlanItem]:
        """Items with a priced saving on the plan's target (the only ones payback and ROI may count)."""
        return [i for i in self.items if i.monthly_saving is not None]

    @property
    def effort_hours(self) -> float:
        return round(sum(i.effort_hours for i in self.items), 1)

    @property
    def priced_effort_hours(self) -> float:
        return round(sum(i.effort_hours for i in self.priced_items), 1)

    @property
    def monthly_saving(self) -> float:
        return round(sum(i.monthly_saving or 0.0 for i in self.priced_items), 2)

    @property
    def annual_saving(self) -> float:
        return round(self.monthly_saving * 12, 2)

    @property
    def effort_cost(self) -> float:
        return round(self.effort_hours * self.hourly_rate, 2)

    @property
    def priced_effort_cost(self) -> float:
        return round(self.priced_effort_hours * self.hourly_rate, 2)

    @property
    def payback_months(self) -> float | None:
        """Effort of the priced components over their saving; None ("not computable") without a positive saving."""
        if not self.priced_items or self.monthly_saving <= 0 or self.priced_effort_cost <= 0:
            return None
        return round(self.priced_effort_cost / self.monthly_saving, 1)

    @property
    def roi_first_year(self) -> float | None:
        if not self.priced_items or self.priced_effort_cost <= 0 or self.monthly_saving <= 0:
            return None
        return round((self.annual_saving - self.priced_effort_cost) / self.priced_effort_cost, 2)

    def title(self, phase: int) -> str:
        return STAGES[self.stages[phase]]


def _stage(graph: Graph, component: Component) -> str:
    kind = component.kind
    if kind is ComponentKind.LAMBDA_FUNCTION:
        return "functions"
    if kind in (ComponentKind.ECS_TASK_DEFINITION, ComponentKind.BATCH_COMPUTE_ENVIRONMENT):
        return "workers"
    if kind is ComponentKind.ECS_SERVICE:
        if graph.queues(component) and not graph.load_balancers(component):
            return "workers"
        return "services"
    return "rest"


def _savings(costs: list[CostLine], target: str) -> dict[str, float | None]:
    """Per component: today's cost minus the target's, when both are priced (None otherwise)."""
    by_component: dict[str, dict[str, CostLine]] = {}
    for line in costs:
        by_component.setdefault(line.component, {})[line.target] = line
    out: dict[str, float | None] = {}
    for component_id, lines in by_component.items():
        now, then = lines.get("current"), lines.get(target)
        if now is not None and then is not None and now.monthly is not None and then.monthly is not None:
            out[component_id] = round(now.monthly - then.monthly, 2)
        else:
            out[component_id] = None
    return out


def _changes(findings: list[Finding]) -> tuple[Finding, ...]:
    """The change list: every linked blocker and warning (the x86 placement included), worst first."""
    return tuple(f for f in findings if f.severity is not Severity.INFO)


def _readiness(
    component: Component, findings: list[Finding], folders: list[str]
) -> tuple[str, list[str], list[Finding], list[Finding]]:
    relevant = [
        f
        for f in findings
        if f.rule_id not in PLACEMENT_RULES
        and f.severity is not Severity.INFO
        and f.rule_id not in INTERRUPTION_RULES
        and f.rule_id not in TRAINING_RULES
    ]
    blockers = [f for f in relevant if f.severity is Severity.BLOCKER]
    warnings = [f for f in relevant if f.severity is Severity.WARNING]
    reasons: list[str] = []
    for finding in blockers:
        reasons.append(f"blocked: {finding.message} ({finding.location.short()})")
    if warnings:
        scope = ", ".join(f"{folder}/" if folder not in ("", ".") else "./" for folder in folders) or "its IaC"
        reasons.append(f"{len(warnings)} warning(s) in {scope}")
    assessed = bool(folders)
    if blockers:
        return "blocked", reasons, blockers, warnings
    if warnings:
        return "needs work", reasons, blockers, warnings
    if not assessed:
        return "not assessed", ["not assessed: no code linked (no code folder or image build links to it)"], [], []
    return "ready", reasons, blockers, warnings


def build_plan(
    root: str, report: Report, costs: list[CostLine], *, hourly_rate: float = 100.0, target: str = "graviton"
) -> Plan:
    """The phased plan for every component that has compute to move."""
    if target not in TARGETS:
        raise ValueError(f"unknown target {target}")
    plan = Plan(costs=costs, hourly_rate=hourly_rate, target=target)
    graph = Graph(report)
    index = FindingIndex(report.findings, report.components)
    saving = _savings(costs, target)
    staged: list[tuple[str, PlanItem]] = []
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
        staged.append((_stage(graph, component), _item(graph, index, component, task, saving, target)))
    order = [stage for stage in STAGES if any(s == stage for s, _ in staged)]
    plan.stages = {n: stage for n, stage in enumerate(order, start=1)}
    number = {stage: n for n, stage in plan.stages.items()}
    plan.items = [_with_phase(item, number[stage]) for stage, item in staged]
    rank = {"blocked": 3, "not assessed": 2, "needs work": 1, "ready": 0}
    plan.items.sort(key=lambda i: (i.phase, rank[i.readiness], i.name))
    return plan


def _with_phase(item: PlanItem, phase: int) -> PlanItem:
    from dataclasses import replace

    return replace(item, phase=phase)


def _item(
    graph: Graph,
    index: FindingIndex,
    component: Component,
    task: Component | None,
    saving: dict[str, float | None],
    target: str,
) -> PlanItem:
    # the IaC's evidence, then what the worker's own code says (SIGTERM, SQS handling: issue 13's conditions)
    spot: SpotVerdict = refine(suitability(graph, component, task), graph.report, component)
    findings, folders = linked_findings(graph, index, component)
    readiness, reasons, blockers, warnings = _readiness(component, findings, folders)
    stage = _stage(graph, component)
    risk = (
        "high"
        if blockers or (spot.verdict == "unsuitable" and stage in ("services", "rest"))
        else ("medium" if warnings or readiness == "not assessed" or stage in ("services", "rest") else "low")
    )
    if stage == "services":
        reasons.append("serves traffic: move behind a canary")
    if stage == "functions" and not blockers:
        reasons.append("an architecture flag; no server to rebuild")
    effort = BASE_EFFORT[component.kind] + PER_BLOCKER * len(blockers) + PER_WARNING * len(warnings)
    return PlanItem(
        component.id,
        component.name,
        component.kind.value,
        0,
        readiness,
        risk,
        tuple(reasons),
        effort,
        saving.get(component.id),
        target,
        spot.verdict,
        spot.reasons + tuple(f"change: {c}" for c in spot.changes),
        _changes(findings),
    )


def steps_for(plan: Plan, phase: int) -> list[tuple[str, tuple[str, ...]]]:
    """The steps of one phase: (heading, steps) per group of components that move the same way."""
    stage = plan.stages[phase]
    groups: dict[str, tuple[str, tuple[str, ...]]] = {}
    for item in (i for i in plan.items if i.phase == phase):
        kind = ComponentKind(item.kind)
        if stage == "services":
            traffic = any("behind a load balancer" in r for r in item.spot_reasons)
            key = "services" if traffic else "services-without-traffic"
            heading = "services behind a load balancer" if traffic else "services no load balancer sends traffic to"
            groups.setdefault(key, (heading, STEPS[key]))
        elif stage in ("rest", "workers") and kind in STEPS_BY_KIND:
            groups.setdefault(kind.value, (kind.value.replace("_", " "), STEPS_BY_KIND[kind]))
        else:
            groups.setdefault(
                stage, ("", STEPS[stage] if stage in STEPS else STEPS_BY_KIND[ComponentKind.EC2_INSTANCE])
            )
    if len(groups) == 1:
        return [("", steps) for _heading, steps in groups.values()]
    return list(groups.values())


def _on_arm64(graph: Graph, component: Component) -> bool:
    arch = component.get("architecture")
    if isinstance(arch, str) and arch.lower() in ("arm64", "arm_64", "aarch64"):
        return True
    types = graph.instance_types(component)
    value = types[0] if types else None
    if isinstance(value, str) and "." in value:
        return value.removeprefix("ml.").split(".", 1)[0] in knowledge.instances().graviton_families
    return False


__all__ = ["PHASES", "STAGES", "STEPS", "STEPS_BY_KIND", "TARGETS", "Plan", "build_plan", "steps_for"]
