"""The Fargate Spot target (``migrate --target spot``): ECS services on Fargate buy part or all of their
tasks as FARGATE_SPOT.

Per service, one fix: a capacity provider strategy in place of the launch type (base and weights from its
redundancy, `redundancy`), FARGATE_SPOT associated with its cluster, containers' ``stopTimeout`` and the target
groups' deregistration delay fitted into the two-minute notice, and how the change rolls out (`capacity.rollout`).
Every such fix is *unsafe*: tasks become interruptible, a behaviour change someone must accept. Services Fargate
Spot cannot run (`refusals`) and EKS Fargate profiles are listed as manual, with the reason and its source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from replatform import knowledge
from replatform.graph import Graph
from replatform.migrate.targets import Expectation, Proposal, TargetOptions
from replatform.migrate.targets.capacity import cluster as clusters
from replatform.migrate.targets.capacity import draining
from replatform.migrate.targets.capacity.rollout import rollout_note
from replatform.migrate.targets.capacity.service import ProviderShare, ServiceView, view
from replatform.migrate.targets.capacity.strategy import set_strategy
from replatform.migrate.targets.graviton.context import Context, Syntax, make_fix
from replatform.migrate.targets.spot import redundancy, refusals
from replatform.migrate.workspace import Workspace
from replatform.model import Applicability, Component, ComponentKind, Edit, Report, Unknown
from replatform.plan.spot_conditions import conditions

RULE = "fargate-spot"
_UNSAFE = "Tasks become interruptible with two minutes' notice, a behaviour change to accept (unsafe)."


def propose(report: Report, options: TargetOptions, workspace: Workspace) -> list[Proposal]:
    """A fix per ECS service on Fargate (or a refusal with its reason), and a refusal per EKS Fargate profile."""
    ctx = Context(report, options, workspace)
    proposals: list[Proposal] = []
    for service in report.components_of(ComponentKind.ECS_SERVICE):
        if service.deployed:
            proposal = _service(ctx, view(ctx.graph, service))
            if proposal is not None:
                proposals.append(proposal)
    for profile in report.components_of(ComponentKind.EKS_FARGATE_PROFILE):
        why = "Not moved: " + refusals.eks_fargate_refusal(profile) + "."
        proposals.append(
            Proposal(
                make_fix(RULE, profile, f"Keep {profile.name} on EKS Fargate", [], Applicability.MANUAL, why),
                where=profile.location,
            )
        )
    return sorted(proposals, key=lambda p: (p.fix.component.split(":", 1)[-1], p.fix.description))


def _manual(service: Component, description: str, why: str) -> Proposal:
    return Proposal(make_fix(RULE, service, description, [], Applicability.MANUAL, why), where=service.location)


def _service(ctx: Context, service_view: ServiceView) -> Proposal | None:
    service = service_view.service
    purchases = service_view.purchases
    unresolved = [p.provider for p in purchases if not p.resolved]
    if unresolved:
        return _manual(
            service,
            f"Check how {service.name} buys capacity",
            f"Not changed: its capacity provider strategy names {', '.join(unresolved)}, which is not a literal.",
        )
    misspelt = [p.provider for p in purchases if not p.fargate and p.provider.upper() in ("FARGATE", "FARGATE_SPOT")]
    if misspelt:
        return _manual(
            service,
            f"Correct {service.name}'s launch type",
            f"Not changed: its launch type is written {misspelt[0]}, but the allowed values are EC2, FARGATE and "
            "EXTERNAL (cfn-lint E3030 says so too); correct it, then run migrate again.",
        )
    if not purchases or not all(p.fargate for p in purchases):
        bought = ", ".join(sorted({p.provider for p in purchases})) or "nothing stated"
        return _manual(
            service,
            f"{service.name} does not run on Fargate",
            f"Not changed: it buys {bought}, not Fargate; ECS on EC2 Spot is the ec2-spot target's move.",
        )
    reason = refusals.refusal(service_view, ctx.options.region)
    if reason:
        return _manual(service, f"Keep {service.name} off Fargate Spot", f"Not moved: {reason}.")
    if any(p.provider == "FARGATE_SPOT" and (p.weight or p.base) for p in purchases):
        return _draining_only(ctx, service_view)
    return _move(ctx, service_view)


@dataclass
class _Draining:
    """Edits fitting the containers' stop and the target groups' drain into the notice, and what is left."""

    edits: list[Edit | None] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    by_hand: list[str] = field(default_factory=list)
    expects: list[Expectation] = field(default_factory=list)


def fit_draining(ctx: Context, service_view: ServiceView) -> _Draining:
    facts = knowledge.fargate_spot().draining
    out = _Draining()
    containers = service_view.essential_containers()
    stop_edits, problem = draining.lower_stop_timeouts(ctx, containers, facts.stop_timeout_max)
    if problem:
        out.by_hand.append(problem)
    elif any(stop_edits):
        out.edits += stop_edits
        out.done.append(f"containers stop within {facts.stop_timeout_max} s")
        out.reasons.append(f"{facts.stop_timeout_note} ({facts.stop_timeout_source}).")
        out.expects += [_stop_expectation(c, facts.stop_timeout_max) for c in containers]
    for group in service_view.target_groups:
        group_edits, problem = draining.shorten_deregistration(ctx, group, facts.deregistration_delay)
        if problem:
            out.by_hand.append(problem)
        elif any(group_edits):
            out.edits += group_edits
            was = group.get("deregistration_delay")
            shown = f"{was} s" if was is not None else "300 s (the default)"
            out.done.append(f"{group.name} deregisters in {facts.deregistration_delay} s, not {shown}")
            out.reasons.append(f"{facts.deregistration_delay_note} ({facts.deregistration_delay_source}).")
            out.expects.append(_delay_expectation(group, facts.deregistration_delay))
    for link in service_view.outside_balancers:
        target = link.target.expression if isinstance(link.target, Unknown) else link.target
        out.by_hand.append(
            f"{target} is not declared here: keep its deregistration delay at {facts.deregistration_delay} s or less"
        )
    out.reasons = list(dict.fromkeys(out.reasons))
    return out


def _draining_only(ctx: Context, service_view: ServiceView) -> Proposal | None:
    fitted = fit_draining(ctx, service_view)
    if not any(fitted.edits) and not fitted.by_hand:
        return None
    service = service_view.service
    description = f"Fit {service.name}'s draining into the Fargate Spot notice: " + "; ".join(
        fitted.done or fitted.by_hand
    )
    why = " ".join(
        part
        for part in [
            "It already runs on Fargate Spot; a drain longer than the two-minute notice is cut short.",
            *fitted.reasons,
            code_conditions(ctx.report, service),
            *(["By hand: " + "; ".join(fitted.by_hand) + "."] if fitted.by_hand else []),
        ]
        if part
    )
    fix = make_fix(RULE, service, description, fitted.edits, Applicability.UNSAFE, why)
    return Proposal(fix, expects=tuple(fitted.expects), where=service.location)


def _move(ctx: Context, service_view: ServiceView) -> Proposal:
    service = service_view.service
    choice = redundancy.choose(service_view)
    edits: list[Edit | None] = []
    notes: list[str] = []
    expects: list[Expectation] = [_strategy_expectation(service, choice.shares)]
    depends_on = None
    cluster = service_view.cluster
    if cluster is not None:
        association = clusters.associate(ctx, cluster, clusters.FARGATE_PROVIDERS)
        if association.problem:
            return _manual(
                service,
                f"Move {service.name} to Fargate Spot by hand",
                f"Not changed: the cluster {cluster.name}: {association.problem}.",
            )
        edits += association.edits
        depends_on = association.depends_on
        expects.append(_cluster_expectation(cluster))
    elif service_view.cluster_link is None and service_view.syntax in (Syntax.CDK_TYPESCRIPT, Syntax.CDK_PYTHON):
        prop = "cluster=ecs.Cluster(..., enable_fargate_capacity_providers=True)"
        if service_view.syntax is Syntax.CDK_TYPESCRIPT:
            prop = "cluster: new ecs.Cluster(this, ..., { vpc, enableFargateCapacityProviders: true })"
        return _manual(
            service,
            f"Give {service.name} a cluster with the Fargate capacity providers",
            f"Not changed: {service.name} has no cluster prop, so CDK creates a cluster without FARGATE_SPOT and "
            f"a Spot strategy could not be deployed; pass `{prop}`, then run migrate again.",
        )
    else:
        link = service_view.cluster_link
        shown = (
            (link.target.expression if isinstance(link.target, Unknown) else link.target)
            if link is not None
            else "the default cluster"
        )
        notes.append(
            f"the cluster ({shown}) is not declared here: associate FARGATE_SPOT with it before deploying "
            "(aws ecs put-cluster-capacity-providers replaces the list, so name every provider it has)"
        )
    strategy_edits, problem = set_strategy(ctx, service_view, choice.shares, depends_on)
    if problem:
        return _manual(service, f"Move {service.name} to Fargate Spot by hand", f"Not changed: {problem}.")
    edits += strategy_edits
    fitted = fit_draining(ctx, service_view)
    edits += fitted.edits
    expects += fitted.expects
    description = f"Run {service.name} on Fargate Spot ({_summary(choice.shares)})"
    if cluster is not None:
        description += f"; associate FARGATE_SPOT with {cluster.name}"
    if fitted.done:
        description += "; " + "; ".join(fitted.done)
    by_hand = notes + fitted.by_hand
    parts = [
        _UNSAFE,
        code_conditions(ctx.report, service),
        choice.why,
        *fitted.reasons,
        ("By hand: " + "; ".join(by_hand) + ".") if by_hand else "",
        rollout_note(ctx, service_view, choice.shares, depends_on),
    ]
    why = " ".join(part for part in parts if part)
    fix = make_fix(RULE, service, description, edits, Applicability.UNSAFE, why)
    return Proposal(fix, expects=tuple(expects), where=service.location)


def code_conditions(report: Report, service: Component) -> str:
    """What the worker's code must do first (``plan.spot_conditions``, read from its entry point and queue)."""
    unmet = [condition for condition, met in conditions(report, service) if met is False]
    return ("From the worker's code, before moving: " + "; ".join(unmet) + ".") if unmet else ""


def _summary(shares: list[ProviderShare]) -> str:
    return ", ".join(f"{s.provider}" + (f" base {s.base}" if s.base else "") + f" weight {s.weight}" for s in shares)


# ---------------------------------------------------------------- what the re-scan must show


def _strategy_expectation(service: Component, shares: list[ProviderShare]) -> Expectation:
    wanted = sorted((s.provider, s.base, s.weight) for s in shares)

    def holds(graph: Graph) -> bool:
        found = graph.component(service.id)
        if found is None:
            return False
        return sorted((p.provider, p.base, p.weight) for p in graph.purchases(found)) == wanted

    return Expectation(f"{service.name} buying {_summary(shares)}", holds)


def _cluster_expectation(cluster: Component) -> Expectation:
    def holds(graph: Graph) -> bool:
        found = graph.component(cluster.id)
        return found is not None and "FARGATE_SPOT" in clusters.associated(found)

    return Expectation(f"FARGATE_SPOT associated with {cluster.name}", holds)


def _delay_expectation(group: Component, seconds: int) -> Expectation:
    def holds(graph: Graph) -> bool:
        found = graph.component(group.id)
        value = found.get("deregistration_delay") if found is not None else None
        return value is not None and not draining.too_long(value, seconds)

    return Expectation(f"{group.name} deregistering within {seconds} s", holds)


def _stop_expectation(container: Component, seconds: int) -> Expectation:
    def holds(graph: Graph) -> bool:
        found = graph.component(container.id)
        return found is not None and not draining.too_long(found.get("stop_timeout"), seconds)

    return Expectation(f"container {container.name} stopping within {seconds} s", holds)


__all__ = ["RULE", "propose"]
