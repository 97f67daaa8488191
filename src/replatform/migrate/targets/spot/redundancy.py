"""How much of a service goes to Fargate Spot: an on-demand ``base`` and weights, from its redundancy.

The task count comes from the service's auto scaling bounds when it has them, else its desired count:

- a single task (at most one): it stays on FARGATE (``base`` 1); only tasks beyond it (a deployment's extra
  task, a scale-out) go to Fargate Spot, so one interruption is never an outage;
- a service behind a load balancer with two or more tasks: one task always on FARGATE and a quarter of the
  rest (weights FARGATE 1 : FARGATE_SPOT 3), so losing every Spot task at once (they share a capacity pool)
  still leaves on-demand tasks serving while replacements start;
- a worker with no load balancer that scales (from zero, or two or more tasks): every task on Fargate Spot;
  an interrupted task's work is retried (a queue message becomes visible again);
- an unknown task count: one task kept on FARGATE, as for a single task.
"""

from __future__ import annotations

from dataclasses import dataclass

from replatform.discover import compute_vocabulary as v
from replatform.migrate.targets.capacity.service import ProviderShare, ServiceView
from replatform.migrate.targets.graviton.context import Syntax
from replatform.model import AttributeValue

#: Desired count when the IaC leaves it out: CloudFormation and CDK start 1 task, Terraform 0.
_DEFAULT_DESIRED = {Syntax.TERRAFORM: 0, Syntax.CDK_TYPESCRIPT: 1, Syntax.CDK_PYTHON: 1}


@dataclass(frozen=True)
class Choice:
    """The strategy and the sentence that says why."""

    shares: list[ProviderShare]
    why: str

    @property
    def spot_weight(self) -> int:
        return next(s.weight for s in self.shares if s.provider == "FARGATE_SPOT")


def _count(value: AttributeValue | None) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def task_range(view: ServiceView) -> tuple[int | None, int | None, str]:
    """(fewest, most) tasks the service runs and where that comes from."""
    service = view.service
    low, high = _count(service.get(v.SCALING_MIN)), _count(service.get(v.SCALING_MAX))
    if low is not None or high is not None:
        return low, high, f"auto scaling {low if low is not None else '?'}-{high if high is not None else '?'} tasks"
    stated = service.get(v.DESIRED_COUNT)
    desired = _count(stated)
    if stated is None:
        desired = _DEFAULT_DESIRED.get(view.syntax, 1)
        return desired, desired, f"desired count not set ({desired} by default)"
    if desired is None:
        return None, None, "desired count is not a literal"
    return desired, desired, f"desired count {desired}"


def choose(view: ServiceView) -> Choice:
    """The FARGATE base and FARGATE / FARGATE_SPOT weights for ``view``'s service, with the reason."""
    low, high, source = task_range(view)
    traffic = "behind a load balancer" if view.serves_traffic else "with no load balancer"
    if high is not None and high <= 1 and not (low == 0 and high == 0):
        return Choice(
            [ProviderShare("FARGATE", base=1, weight=0), ProviderShare("FARGATE_SPOT", weight=1)],
            f"{source}, {traffic}: a single task stays on FARGATE (base 1), since an interruption would stop the "
            "whole service; only tasks beyond it (a deployment's extra task, a scale-out) run on Fargate Spot, "
            "so this saves nothing until the service runs more than one task.",
        )
    if low is None and high is None:
        return Choice(
            [ProviderShare("FARGATE", base=1, weight=0), ProviderShare("FARGATE_SPOT", weight=1)],
            f"{source}: one task is kept on FARGATE (base 1) and the rest run on Fargate Spot; check the "
            "scaling keeps at least two tasks.",
        )
    if view.serves_traffic:
        at = low if low else high
        spot = round(((at or 1) - 1) * 3 / 4)
        return Choice(
            [ProviderShare("FARGATE", base=1, weight=1), ProviderShare("FARGATE_SPOT", weight=3)],
            f"{source}, {traffic}: one task always on FARGATE (base 1) and a quarter of the rest (weights 1:3), "
            f"so an interruption of every Spot task at once still leaves on-demand tasks serving; at {at} tasks "
            f"about {spot} run on Fargate Spot.",
        )
    return Choice(
        [ProviderShare("FARGATE_SPOT", weight=1)],
        f"{source}, {traffic}: every task runs on Fargate Spot; an interrupted task's work is retried (a queue "
        "message becomes visible again), and when Spot has no capacity tasks wait rather than fall back to "
        "on-demand.",
    )
