"""The Graviton target: every finding with a known fixer becomes a `Fix` with edits and a safety label.

Findings at warning or worse that no fixer edits (and that are not conditions of another move: Spot, SageMaker)
are proposed as *manual* fixes carrying the rule's advice,
so a migration run lists everything that is left to do.
"""

from __future__ import annotations

from collections import defaultdict

from replatform.assess.catalog import catalog
from replatform.migrate.targets import Proposal, TargetOptions
from replatform.migrate.targets.graviton import builds, dependencies, ecs, hosts, instances, lambdas
from replatform.migrate.targets.graviton.context import Context, worst
from replatform.migrate.workspace import Workspace
from replatform.model import Applicability, Component, ComponentKind, Finding, Fix, Report, Severity
from replatform.registry.stage import FIRST_READY_LABEL

_INSTANCE_KINDS = (
    ComponentKind.EC2_INSTANCE,
    ComponentKind.LAUNCH_TEMPLATE,
    ComponentKind.AUTOSCALING_GROUP,
    ComponentKind.EKS_NODE_GROUP,
    ComponentKind.BATCH_COMPUTE_ENVIRONMENT,
)
#: Findings that are conditions of another move (Spot: SIGTERM and SQS; SageMaker: the training script), listed by
#: those targets, not as work left for an arm64 move.
_OTHER_MOVES = frozenset(rule.id for rule in catalog().values() if rule.category in ("interruption", "training"))
_DEPENDENCY_RULES = ("dependency-below-arm64-minimum", "pypi-no-arm64-artifact", "pypi-sdist-only")


def _component(ctx: Context, finding: Finding, kinds: tuple[ComponentKind, ...], name: str) -> Component | None:
    """The component a finding names: declared in the finding's file, or (a resource inside a Terraform module)
    stating the value the finding is about there, at the module call's argument discovery placed it at.
    """
    found = ctx.graph.declared(finding.location.path, name, kinds)
    if found:
        return found[0]
    where = finding.location
    for component in ctx.report.components:
        if component.name == name and component.kind in kinds and isinstance(component.get("module"), str):
            for attribute in component.attributes:
                if attribute.location is not None and (attribute.location.path, attribute.location.line) == (
                    where.path,
                    where.line,
                ):
                    return component
    return None


def propose(report: Report, options: TargetOptions, workspace: Workspace) -> list[Proposal]:
    """Fixes for every finding of ``report`` that moving to Graviton can answer."""
    ctx = Context(report, options, workspace)
    proposals: list[Proposal] = []
    instance_findings: dict[str, list[Finding]] = defaultdict(list)
    lambda_fixes: list[Proposal] = []
    task_fixes: list[Proposal] = []
    for finding in report.findings:
        rule = finding.rule_id
        if rule == "lambda-x86":
            function = _component(ctx, finding, (ComponentKind.LAMBDA_FUNCTION,), finding.subject)
            if function is not None:
                lambda_fixes.append(Proposal(lambdas.fix_lambda(ctx, function), (finding,)))
                continue
        elif rule == "ecs-task-x86":
            kinds = (ComponentKind.ECS_TASK_DEFINITION, ComponentKind.ECS_SERVICE)
            task = _component(ctx, finding, kinds, finding.subject)
            if task is not None:
                task_fixes.append(Proposal(ecs.fix_task(ctx, task), (finding,)))
                continue
        elif rule in ("ec2-x86-instance", "eks-ami-x86"):
            name = finding.subject.rsplit(":", 1)[0] if rule == "ec2-x86-instance" else finding.subject
            component = _component(ctx, finding, _INSTANCE_KINDS, name)
            if component is not None:
                instance_findings[component.id].append(finding)
                continue
        elif rule == "dockerfile-platform-amd64":
            proposals.append(Proposal(builds.fix_dockerfile_platform(ctx, finding), (finding,)))
            continue
        elif rule == "dockerfile-download-x86-artifact":
            proposals.append(Proposal(builds.fix_dockerfile_download(ctx, finding), (finding,)))
            continue
        elif rule == "ci-build-without-arm64":
            build = _ci_build(ctx, finding)
            proposals.append(Proposal(builds.fix_ci_build(ctx, finding, build), (finding,)))
            continue
        elif rule == "k8s-arch-amd64":
            workload = _component(ctx, finding, (ComponentKind.K8S_WORKLOAD,), finding.subject)
            proposals.append(Proposal(builds.fix_kubernetes(ctx, finding, workload), (finding,)))
            continue
        elif rule == "compose-platform-amd64":
            proposals.append(Proposal(builds.fix_compose(ctx, finding), (finding,)))
            continue
        elif rule in _DEPENDENCY_RULES and (rule == _DEPENDENCY_RULES[0] or FIRST_READY_LABEL in finding.message):
            dependency = dependencies.dependency_of(ctx, finding)
            proposals.append(Proposal(dependencies.fix_dependency(ctx, finding, dependency), (finding,)))
            continue
        if finding.severity.rank >= Severity.WARNING.rank and finding.rule_id not in _OTHER_MOVES:
            proposals.append(Proposal(_advice(finding), (finding,)))
    host_fixes = {
        component_id: Proposal(instances.fix_instances(ctx, ctx.by_id[component_id]), tuple(findings))
        for component_id, findings in sorted(instance_findings.items())
    }
    tied, taken = hosts.tie(ctx, task_fixes, host_fixes)
    proposals += tied + [proposal for component_id, proposal in host_fixes.items() if component_id not in taken]
    proposals.extend(_share_labels(lambda_fixes))
    return sorted(proposals, key=_order)


def _ci_build(ctx: Context, finding: Finding) -> Component | None:
    for component in ctx.graph.declared(finding.location.path, finding.subject, (ComponentKind.CI_BUILD,)):
        if (
            component.location.start_byte == finding.location.start_byte
            or component.location.line == finding.location.line
        ):
            return component
    return None


def _advice(finding: Finding) -> Fix:
    advice = finding.fix.description if finding.fix is not None else finding.message
    return Fix(
        description=advice,
        applicability=Applicability.MANUAL,
        rule_id=finding.rule_id,
        component=finding.location.path,
        why=f"No automatic edit for {finding.rule_id}: {finding.message}.",
    )


def _share_labels(proposals: list[Proposal]) -> list[Proposal]:
    """Fixes that share an edit (SAM Globals, serverless provider) take the least safe label among them."""
    by_edit: dict[object, list[int]] = defaultdict(list)
    for index, proposal in enumerate(proposals):
        for edit in proposal.fix.edits:
            by_edit[edit].append(index)
    labels = [p.fix.applicability for p in proposals]
    for indexes in by_edit.values():
        if len(indexes) > 1:
            shared = worst(*(labels[i] for i in indexes))
            for i in indexes:
                labels[i] = worst(labels[i], shared)
    out = []
    for proposal, label in zip(proposals, labels, strict=True):
        fix = proposal.fix
        if label is not fix.applicability:
            fix = Fix(
                fix.description,
                fix.edits,
                label,
                fix.rule_id,
                fix.component,
                fix.why + " (Shared with a function that needs review.)",
            )
        out.append(Proposal(fix, proposal.findings))
    return out


def _order(proposal: Proposal) -> tuple[str, int, str, str]:
    fix = proposal.fix
    first = proposal.findings[0].location if proposal.findings else None
    path = first.path if first is not None else (fix.edits[0].path if fix.edits else "")
    return (path, first.line if first is not None else 0, fix.rule_id, fix.component)
