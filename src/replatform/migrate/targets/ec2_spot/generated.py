"""What a format's generator wrote for one service: the edits, the names the re-scan must find, and why not."""

from __future__ import annotations

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
