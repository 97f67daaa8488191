"""The ECS on EC2 Spot target (``migrate --target ec2-spot``): a Fargate service moved onto an Auto Scaling
group of Spot instances behind an ECS capacity provider, as seed 001's engineer did by hand.

Per service, one *unsafe* fix (new infrastructure, interruptible tasks): the launch template, group, capacity
provider, instance role and profile and variables written in the service's own file and style (`terraform`,
`cloudformation`, `cdk` for TypeScript; CDK Python services are manual with the figure),
the task definition made EC2-compatible and the service's strategy on the new provider. The capacity is sized
by the cost target's own formula (`sizing`), so the diff and the plan agree; the fix says what it costs (an
estimate) and what the worker's code must do first. Services it cannot move, and EKS Fargate profiles, are
manual with the reason.
"""

from __future__ import annotations

from collections.abc import Callable

from replatform import knowledge
from replatform.discover import compute_vocabulary as v
from replatform.graph import Graph
from replatform.migrate.targets import Expectation, Proposal, TargetOptions
from replatform.migrate.targets.capacity import cluster as clusters
from replatform.migrate.targets.capacity.rollout import rollout_note
from replatform.migrate.targets.capacity.service import ProviderShare, ServiceView, view
from replatform.migrate.targets.ec2_spot import cdk_python, cdk_typescript, cloudformation, terraform
from replatform.migrate.targets.ec2_spot import sizing as sizes
from replatform.migrate.targets.ec2_spot.generated import Generated
from replatform.migrate.targets.graviton.context import Context, Syntax, make_fix
from replatform.migrate.targets.spot import code_conditions, fit_draining
from replatform.migrate.workspace import Workspace
from replatform.model import Applicability, Component, ComponentKind, LinkKind, Report
from replatform.price.cost import Pricer
from replatform.price.spot import STATEFUL_IMAGES

RULE = "ecs-ec2-spot"
_GENERATORS: dict[Syntax, Callable[[Context, ServiceView, sizes.Sizing], Generated]] = {
    Syntax.TERRAFORM: terraform.generate,
    Syntax.CFN_YAML: cloudformation.generate,
    Syntax.CFN_JSON: cloudformation.generate,
    Syntax.CDK_TYPESCRIPT: cdk_typescript.generate,
    Syntax.CDK_PYTHON: cdk_python.generate,
}
_X86 = (
    "The task runs x86 images, so the capacity is x86: the re-scan reports the new launch template as a Graviton "
    "candidate (ec2-x86-instance), as expected; build the image for arm64 to take it further."
)
_UNSAFE = (
    "New infrastructure (instances, an Auto Scaling group, an IAM role) and tasks that become interruptible with "
    "two minutes' notice: a change to review and accept (unsafe)."
)


def propose(report: Report, options: TargetOptions, workspace: Workspace) -> list[Proposal]:
    """A fix per ECS service on Fargate (or a manual entry with the reason), and one per EKS Fargate profile."""
    ctx = Context(report, options, workspace)
    proposals: list[Proposal] = []
    pricer: Pricer | None = None
    moved: set[str] = set()  # clusters given a new capacity provider in this run
    for service in report.components_of(ComponentKind.ECS_SERVICE):
        if not service.deployed:
            continue
        if pricer is None:
            pricer = sizes.pricer(report, workspace.root, options.region)
        proposals.append(_service(ctx, pricer, view(ctx.graph, service), moved))
    for profile in report.components_of(ComponentKind.EKS_FARGATE_PROFILE):
        why = (
            f"Not moved: EKS Fargate profile {profile.name} runs Kubernetes pods, not ECS tasks; on EC2 Spot they "
            "need a managed node group with capacity type SPOT (or Karpenter), which this target does not write."
        )
        fix = make_fix(RULE, profile, f"Keep {profile.name} on EKS Fargate", [], Applicability.MANUAL, why)
        proposals.append(Proposal(fix, where=profile.location))
    return sorted(proposals, key=lambda p: (p.fix.component.split(":", 1)[-1], p.fix.description))


def _manual(service: Component, description: str, why: str) -> Proposal:
    return Proposal(make_fix(RULE, service, description, [], Applicability.MANUAL, why), where=service.location)


def refusal(service_view: ServiceView) -> str:
    """Why this service cannot move to ECS on EC2 Spot here (an empty string when it can)."""
    purchases = service_view.purchases
    unresolved = [p.provider for p in purchases if not p.resolved]
    if unresolved:
        return f"its capacity provider strategy names {', '.join(unresolved)}, which is not a literal"
    if not purchases or not all(p.fargate for p in purchases):
        bought = ", ".join(sorted({p.provider for p in purchases})) or "nothing stated"
        return f"it buys {bought}, not Fargate: it already runs on EC2 capacity (or its capacity is not stated)"
    task = service_view.task
    if task is None:
        return "its task definition is not linked"
    family = task.get(v.OS_FAMILY)
    if isinstance(family, str) and family.upper().startswith("WINDOWS"):
        return (
            f"its task runs Windows ({family}): the capacity written here is the Linux ECS-optimized AMI with a shell "
            "user data; Windows needs the Windows ECS-optimized AMI and a PowerShell user data"
        )
    for container in service_view.containers:
        image = container.get(v.IMAGE)
        if isinstance(image, str) and STATEFUL_IMAGES.search(image):
            return f"it runs a stateful image ({image}): an interruption loses or corrupts its state"
    return ""


def _service(ctx: Context, pricer: Pricer, service_view: ServiceView, moved: set[str]) -> Proposal:
    service = service_view.service
    reason = refusal(service_view)
    if reason:
        return _manual(service, f"Keep {service.name} off EC2 Spot", f"Not moved: {reason}.")
    sizing = sizes.size(pricer, service, service_view.task)
    if isinstance(sizing, str):
        return _manual(service, f"Size EC2 Spot capacity for {service.name} by hand", f"Not moved: {sizing}.")
    generator = _GENERATORS.get(service_view.syntax)
    if generator is None:
        return _manual(
            service,
            f"Move {service.name} to ECS on EC2 Spot by hand",
            f"Not changed: the ec2-spot target writes Terraform, CloudFormation and CDK (TypeScript, Python), and {service.name} "
            f"is declared in {service_view.syntax.value}. {sizing.cost_text()}",
        )
    if service_view.cluster is not None and service_view.cluster.id in moved:
        return _manual(
            service,
            f"Move {service.name} to ECS on EC2 Spot in the next run",
            f"Not changed in this run: {service_view.cluster.name} gets another service's EC2 Spot capacity "
            "provider in this run, and one run adds one provider to a cluster; apply this run, then run migrate "
            f"again. {sizing.cost_text()}",
        )
    generated = generator(ctx, service_view, sizing)
    if generated.problem:
        return _manual(service, f"Move {service.name} to ECS on EC2 Spot by hand", f"Not changed: {generated.problem}.")
    generated.notes += _other_groups(ctx, service)
    fitted = fit_draining(ctx, service_view)
    generated.notes += fitted.by_hand
    if service_view.cluster is not None:
        moved.add(service_view.cluster.id)
    share = ProviderShare(generated.strategy, 0, 1, expression=True)
    facts = knowledge.ecs_ec2_spot()
    description = (
        f"Run {service.name} on ECS on EC2 Spot: {generated.provider} over {generated.group} "
        f"({sizing.instance_type} and {len(sizing.types) - 1} more same-size type(s), 0-{sizing.max_instances} "
        f"instances), associated with {generated.cluster}; task definition EC2-compatible"
    )
    if fitted.done:
        description += "; " + "; ".join(fitted.done)
    parts = [
        _UNSAFE,
        code_conditions(ctx.report, service),
        sizing.cost_text(),
        f"Instances at most: {sizing.max_why} ({generated.max_setting}).",
        _single_task(service_view),
        *fitted.reasons,
        f"{facts.capacity_provider.note} ({facts.capacity_provider.source}).",
        f"{facts.draining.note} ({facts.draining.source}).",
        f"{facts.awsvpc.note} ({facts.awsvpc.source}).",
        ("By hand: " + "; ".join(generated.notes) + ".") if generated.notes else "",
        f"Rollout: {facts.rollout_text()}",
        rollout_note(ctx, service_view, [share], None),
        _X86 if sizing.architecture == "x86_64" else "",
    ]
    why = " ".join(part for part in parts if part)
    fix = make_fix(RULE, service, description, [*generated.edits, *fitted.edits], Applicability.UNSAFE, why)
    introduces = ("ec2-x86-instance",) if sizing.architecture == "x86_64" else ()
    expects = (*_expectations(service, generated, sizing, pricer), *fitted.expects)
    return Proposal(fix, expects=expects, where=service.location, introduces=introduces)


def _single_task(service_view: ServiceView) -> str:
    """A warning when one Spot interruption stops the whole service (a strategy cannot keep a task on Fargate)."""
    count = service_view.service.get(v.DESIRED_COUNT)
    if not service_view.serves_traffic or (isinstance(count, int) and count > 1):
        return ""
    shown = count if isinstance(count, int) else "not a literal"
    return (
        f"It serves traffic with a desired count of {shown}: an interruption stops it until a replacement instance "
        "and task start; run at least 2 tasks (in different Availability Zones) before the move."
    )


def _other_groups(ctx: Context, service: Component) -> list[str]:
    """Auto Scaling groups of the service's folder that no capacity provider uses: kept, said."""
    folder = service.location.path.rsplit("/", 1)[0] if "/" in service.location.path else ""
    out = []
    for group in ctx.report.components_of(ComponentKind.AUTOSCALING_GROUP):
        where = group.location.path.rsplit("/", 1)[0] if "/" in group.location.path else ""
        if where == folder and not ctx.graph.into(group, LinkKind.SCALES):
            state = "" if group.deployed else " (declared, not deployed)"
            out.append(f"{group.name}{state} is not an ECS capacity provider's group and is left as it is")
    return out


# ---------------------------------------------------------------- what the re-scan must show


def _expectations(
    service: Component, generated: Generated, sizing: sizes.Sizing, pricer: Pricer
) -> tuple[Expectation, ...]:
    suffix = f"#{generated.group}"

    def capacity(graph: Graph) -> Component | None:
        found = graph.component(service.id)
        purchases = graph.purchases(found) if found is not None else []
        if len(purchases) != 1 or purchases[0].capacity is None:
            return None
        group = purchases[0].capacity
        return group if group.id.endswith(suffix) else None

    def linked(graph: Graph) -> bool:
        group = capacity(graph)
        if group is None or graph.market(group) != "spot":
            return False
        template = graph.launch_template_of(group)
        types = tuple(str(t) for t in graph.instance_types(group))
        return template is not None and template.name == generated.template and types == sizing.types

    def associated(graph: Graph) -> bool:
        found = next((c for c in graph.report.components if c.name == generated.cluster), None)
        return found is not None and generated.associated in clusters.associated(found)

    expected = sizing.line.monthly if sizing.line is not None else None

    def priced(graph: Graph) -> bool:
        group = capacity(graph)
        if group is None:
            return False
        again = Pricer(graph.report, pricer.snapshot, pricer.usage, pricer.strategy, pricer.advisor)
        lines = [ln for ln in again.component_lines(group) if ln.target == "current"]
        return (
            len(lines) == 1 and lines[0].monthly is not None and round(lines[0].monthly, 2) == round(expected or -1, 2)
        )

    out = [
        Expectation(
            f"{service.name} buying {generated.provider}, which scales {generated.group} (Spot, "
            f"{', '.join(sizing.types)}) launching {generated.template}",
            linked,
        ),
        Expectation(f"{generated.provider} associated with {generated.cluster}", associated),
    ]
    if expected is not None:
        out.append(Expectation(f"{generated.group} priced at ${expected:,.2f} a month, as the plan's line", priced))
    return tuple(out)


__all__ = ["RULE", "propose", "refusal"]
