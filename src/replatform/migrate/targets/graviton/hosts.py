"""ECS tasks on EC2 capacity move with their hosts: one fix for the task definitions and the instances they run on.

An arm64 task definition cannot be placed on x86 container instances, and x86 tasks stop being placed once
the hosts are Graviton, so neither move is offered alone. The hosts are found through the links discovery
resolved (service -> capacity provider -> Auto Scaling group -> launch template, `Graph.purchases`); the
fixes the instance fixer made for those hosts (types and AMI) join the task fixes in one fix whose label is
the least safe of its parts, and which needs a person when any part does.
"""

from __future__ import annotations

from collections import defaultdict

from replatform.migrate.targets import Proposal
from replatform.migrate.targets.graviton.context import Context, make_fix, worst
from replatform.model import Applicability, Component, Edit, Fix


def hosts_of(ctx: Context, task: Component) -> list[Component]:
    """The EC2 capacity a task definition's services are placed on: Auto Scaling groups and their templates."""
    hosts: dict[str, Component] = {}
    for group in ctx.graph.hosts(task):
        hosts[group.id] = group
        template = ctx.graph.launch_template_of(group)
        if template is not None:
            hosts[template.id] = template
    return list(hosts.values())


def tie(ctx: Context, tasks: list[Proposal], instances: dict[str, Proposal]) -> tuple[list[Proposal], set[str]]:
    """Task fixes merged with the fixes of the hosts they are placed on; and the host ids those fixes took."""
    groups: dict[tuple[str, ...], list[Proposal]] = defaultdict(list)
    hosts_by_key: dict[tuple[str, ...], list[Component]] = {}
    out: list[Proposal] = []
    for proposal in tasks:
        task = ctx.by_id.get(proposal.fix.component)
        hosts = hosts_of(ctx, task) if task is not None else []
        if not hosts:
            out.append(proposal)
            continue
        key = tuple(sorted(h.id for h in hosts))
        groups[key].append(proposal)
        hosts_by_key[key] = sorted(hosts, key=lambda h: h.id)
    taken: set[str] = set()
    for key, group in groups.items():
        host_fixes = [instances[h] for h in key if h in instances]
        taken.update(h for h in key if h in instances)
        out.append(_merged(group, host_fixes, hosts_by_key[key]))
    return out, taken


def _merged(tasks: list[Proposal], host_fixes: list[Proposal], hosts: list[Component]) -> Proposal:
    parts = [*tasks, *host_fixes]
    task_names = ", ".join(p.fix.component.rsplit("#", 1)[-1] for p in tasks)
    host_names = ", ".join(h.name for h in hosts)
    moves = "; ".join(p.fix.description for p in host_fixes) or "no host move found"
    why = (
        f"The tasks are placed on EC2 hosts ({host_names}): an arm64 task cannot be placed on an x86 host, and "
        "x86 tasks stop being placed once the hosts are Graviton, so tasks and hosts move together."
    )
    if not host_fixes:
        why += f" No x86 instance type was found on {host_names}: make sure the hosts are Graviton with an arm64 AMI."
    manual = [p for p in parts if p.fix.applicability is Applicability.MANUAL]
    label = worst(*(p.fix.applicability for p in parts))
    edits: list[Edit | None] = [] if manual else [e for p in parts for e in p.fix.edits]
    if manual:
        why += " Needs a person first: " + " ".join(f"{_name(p.fix)}: {p.fix.why}" for p in manual)
        label = Applicability.MANUAL
    else:
        why += " " + " ".join(f"{_name(p.fix)}: {p.fix.why}" for p in parts)
    fix = make_fix(
        tasks[0].fix.rule_id,
        tasks[0].fix.component,
        f"Run ECS task {task_names} on ARM64 with its hosts ({moves})",
        edits,
        label,
        why,
    )
    findings = tuple(dict.fromkeys(f for p in parts for f in p.findings))
    return Proposal(fix, findings)


def _name(fix: Fix) -> str:
    return fix.component.rsplit("#", 1)[-1]
