"""Spot suitability: can this workload take a 2-minute interruption notice? Each signal has its reason."""

from __future__ import annotations

import re
from dataclasses import dataclass

from replatform.discover import compute_vocabulary as v
from replatform.discover.source import SourceFile
from replatform.model import Component, ComponentKind, Report, Unknown

STATEFUL_IMAGES = re.compile(
    r"(?:^|/)(postgres|mysql|mariadb|redis|valkey|mongo|mongodb|kafka|zookeeper|elasticsearch|opensearch|cassandra|"
    r"rabbitmq|etcd|consul|memcached|clickhouse)(?::|@|$)",
    re.IGNORECASE,
)
QUEUE_HINT = re.compile(
    r"aws_sqs_queue|sqs\.Queue|AWS::SQS::Queue|QUEUE_URL|ApproximateNumberOfMessages|QueueProcessing", re.IGNORECASE
)
SPOT_NOTICE_SECONDS = 120


@dataclass(frozen=True)
class SpotVerdict:
    """suitable | suitable with changes | unsuitable | n/a, with the reasons and the changes."""

    verdict: str
    reasons: tuple[str, ...]
    changes: tuple[str, ...] = ()


def _images(report: Report, component: Component, task: Component | None) -> list[str]:
    owners = {component.id} | ({task.id} if task is not None else set())
    images = []
    for c in report.components:
        if c.kind is ComponentKind.CONTAINER_IMAGE and c.parent in owners:
            image = c.get("image")
            images.append(image if isinstance(image, str) else c.name)
    return images


def suitability(
    report: Report, component: Component, task: Component | None, files: dict[str, SourceFile]
) -> SpotVerdict:
    """Signals from the component, its task definition, its images and the IaC file around it."""
    kind = component.kind
    if kind is ComponentKind.EKS_FARGATE_PROFILE:
        return SpotVerdict("n/a", ("EKS on Fargate has no Spot capacity",))
    if kind not in (
        ComponentKind.ECS_SERVICE,
        ComponentKind.ECS_TASK_DEFINITION,
        ComponentKind.AUTOSCALING_GROUP,
        ComponentKind.EKS_NODE_GROUP,
    ):
        return SpotVerdict("n/a", ())
    reasons: list[str] = []
    changes: list[str] = []
    blockers: list[str] = []
    for image in _images(report, component, task):
        if STATEFUL_IMAGES.search(image):
            blockers.append(f"runs a stateful image ({image}): an interruption loses or corrupts state")
    source = files.get(component.location.path)
    if source is not None and QUEUE_HINT.search(source.text):
        reasons.append(
            "consumes a queue (SQS in the same IaC file): an interrupted job's message reappears and is retried"
        )
    if kind is ComponentKind.ECS_TASK_DEFINITION:
        reasons.append("runs as a task (RunTask or scheduled), not a long-lived service: a retry restarts the job")
    if kind is ComponentKind.ECS_SERVICE:
        if component.get(v.LOAD_BALANCED) is True:
            changes.append(
                "behind a load balancer: keep at least 2 tasks and a short deregistration delay so draining fits in 2 minutes"
            )
        else:
            reasons.append("no load balancer in front: no connections to drain")
    desired = component.get(v.DESIRED_COUNT)
    if isinstance(desired, int) and not isinstance(desired, bool):
        if desired >= 2:
            reasons.append(f"redundant: {desired} copies, so one interruption leaves capacity")
        elif kind is ComponentKind.ECS_SERVICE and desired == 1:
            changes.append(
                "a single task: run at least 2 (or mix in an on-demand base) so an interruption is not an outage"
            )
    stop = None
    for owner in (task, component):
        if owner is None:
            continue
        for c in report.components:
            if c.parent == owner.id and isinstance(c.get(v.STOP_TIMEOUT), int):
                stop = c.get(v.STOP_TIMEOUT)
    if isinstance(stop, int) and stop <= SPOT_NOTICE_SECONDS:
        reasons.append(f"stopTimeout {stop} s fits the 2-minute Spot notice")
    elif isinstance(stop, int):
        changes.append(f"stopTimeout {stop} s exceeds the 2-minute Spot notice: lower it to <= 120 s")
    elif kind in (ComponentKind.ECS_SERVICE, ComponentKind.ECS_TASK_DEFINITION):
        changes.append("handle SIGTERM and finish or checkpoint within 120 s (stopTimeout is not set)")
    if component.get(v.MARKET) in ("spot", "mixed"):
        reasons.append(f"already bought as Spot ({component.get(v.MARKET)})")
    if isinstance(desired, Unknown):
        changes.append("desired count is not a literal: check the scaling policy keeps work retryable")
    volume_owner = task or component
    host_path = volume_owner.get("volume_host_path")
    if host_path is not None:
        blockers.append(f"mounts a host path ({host_path}): data on the instance is lost when Spot reclaims it")
    scope = volume_owner.get("volume_docker_scope")
    if isinstance(scope, str) and scope.lower() == "shared":
        changes.append("uses a shared Docker volume: make sure nothing depends on it surviving an interruption")
    if volume_owner.get("volume_efs") is not None:
        reasons.append("keeps state on EFS, which survives an interruption")
    if blockers:
        return SpotVerdict("unsuitable", tuple(blockers + reasons))
    if not reasons:
        return SpotVerdict("suitable with changes", ("no interruption-tolerance signal found",), tuple(changes))
    return SpotVerdict("suitable with changes" if changes else "suitable", tuple(reasons), tuple(changes))
