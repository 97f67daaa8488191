"""Conditions of a Spot move, read from the worker's code (``Report.workers``) rather than assumed.

A separate piece on purpose: `refine` adds what the code says to a `SpotVerdict`
(from ``price/spot.py``), `conditions` lists them per component for the plan,
and `markdown_section` renders them in MIGRATION-PLAN.md. Each condition names
the file and line it comes from.
"""

from __future__ import annotations

from dataclasses import replace

from replatform.assess.worker.check import MIN_RECEIVE_COUNT, SQS_DEFAULT_VISIBILITY
from replatform.discover import compute_vocabulary as v
from replatform.graph import Graph
from replatform.model import Component, Location, QueueConsumer, Report, Unknown, WorkerSummary
from replatform.price.spot import SpotVerdict
from replatform.report.escape import markdown as md


def workers_of(report: Report, component: Component) -> list[WorkerSummary]:
    """The worker summaries of one service or task definition."""
    return [w for w in report.workers if w.component == component.id]


def _at(location: Location | None) -> str:
    return location.short() if location is not None else "?"


def _seconds(value: int | Unknown | None) -> str:
    if isinstance(value, Unknown):
        return f"`{value.expression}`"
    return f"{value} s"


def _sigterm(worker: WorkerSummary) -> tuple[str, bool | None]:
    """(condition, met) for SIGTERM handling; met is None when the code is not in the repository."""
    if worker.handles_sigterm == "yes":
        return f"SIGTERM handled: {worker.handler} ({_at(worker.sigterm)})", True
    if worker.handles_sigterm == "no":
        entry = worker.entry_point.path if worker.entry_point else "the entry point"
        return (
            f"SIGTERM not handled in {entry}: add a handler that stops taking work ({_at(worker.sigterm)}) and "
            "finishes or releases the current job within the 2-minute Spot notice",
            False,
        )
    if worker.entry_point is None and not worker.command:
        return f"SIGTERM handling unknown: {worker.reason}", None
    return f"SIGTERM handling unknown ({worker.reason}): check it by hand before moving to Spot", False


def _visibility(report: Report, consumer: QueueConsumer) -> str:
    if isinstance(consumer.visibility_timeout, int):
        return f"visibility timeout {consumer.visibility_timeout} s (set by the receive call)"
    graph = Graph(report)
    queue = graph.component(consumer.queue) if consumer.queue else None
    if queue is None:
        return "visibility timeout: the queue's IaC is not linked"
    stated = queue.attribute(v.VISIBILITY_TIMEOUT)
    if stated is None:
        return f"visibility timeout {SQS_DEFAULT_VISIBILITY} s (SQS default; not set in {queue.location.short()})"
    where = stated.location.short() if stated.location else queue.location.short()
    return f"visibility timeout {_seconds(consumer.queue_visibility_timeout)} from the queue's IaC ({where})"


def _consumer(report: Report, consumer: QueueConsumer) -> list[tuple[str, bool | None]]:
    out: list[tuple[str, bool | None]] = []
    wait = consumer.wait_time_seconds
    queue_wait = consumer.queue_receive_wait_seconds
    if isinstance(wait, int) and wait > 0:
        polling = f"long polling (WaitTimeSeconds {wait})"
    elif isinstance(queue_wait, int) and queue_wait > 0:
        polling = f"long polling (the queue's receive wait {queue_wait} s)"
    else:
        polling = "short polling"
    if not consumer.deletes:
        deleting, met = "never deleted in the code read", False
    elif consumer.deletes_before_processing:
        deleting, met = f"deleted before the work is done ({_at(consumer.deletes[0])}): an interruption loses it", False
    else:
        deleting, met = f"deleted after processing ({_at(consumer.deletes[0])})", True
    visibility = _visibility(report, consumer)
    if consumer.heartbeats:
        timing = f"{visibility}, extended while working ({_at(consumer.heartbeats[0])})"
    else:
        timing = (
            f"{visibility}, no heartbeat: every job must finish within it, and an interrupted job is retried only "
            "when it runs out"
        )
    out.append((f"SQS receive at {consumer.receive.short()}: {polling}; messages {deleting}; {timing}", met))
    if consumer.queue:
        count = consumer.max_receive_count
        if count is None:
            out.append(("no dead-letter queue: add one with maxReceiveCount >= 5", False))
        elif isinstance(count, int) and count < MIN_RECEIVE_COUNT:
            out.append((f"dead-letter queue after {count} receive(s): raise maxReceiveCount to >= 5", False))
        else:
            out.append((f"dead-letter queue after {_seconds(count).removesuffix(' s')} receives", True))
    return out


def conditions(report: Report, component: Component) -> list[tuple[str, bool | None]]:
    """(condition, met) for every container of a service or task, from its code (met None: not judged)."""
    out: list[tuple[str, bool | None]] = []
    for worker in workers_of(report, component):
        out.append(_sigterm(worker))
        for consumer in worker.consumers:
            out += _consumer(report, consumer)
    return out


def refine(verdict: SpotVerdict, report: Report, component: Component) -> SpotVerdict:
    """The verdict with the worker's code taken into account: unmet conditions become changes."""
    found = conditions(report, component)
    if not found:
        return verdict
    reasons = list(verdict.reasons) + [c for c, met in found if met is True]
    changes = list(verdict.changes) + [c for c, met in found if met is False]
    if any(worker.handles_sigterm == "yes" for worker in workers_of(report, component)):
        changes = [c for c in changes if not c.startswith("handle SIGTERM and finish")]
    label = verdict.verdict
    if label == "suitable" and changes:
        label = "suitable with changes"
    return replace(verdict, verdict=label, reasons=tuple(reasons), changes=tuple(changes))


def markdown_section(report: Report) -> list[str]:
    """The 'Conditions of a Spot move' section of MIGRATION-PLAN.md (empty when no worker code was read)."""
    if not report.workers:
        return []
    graph = Graph(report)
    out = [
        "",
        "## Conditions of a Spot move (from the code)",
        "",
        "Read from each container's entry point (Dockerfile CMD/ENTRYPOINT -> script) and the queue's IaC; "
        "ECS sends SIGTERM two minutes before Spot takes the capacity back.",
        "",
    ]
    for component_id in sorted({w.component for w in report.workers}):
        component = graph.component(component_id)
        if component is None:
            continue
        out.append(f"- **{md(component.name)}**")
        for condition, met in conditions(report, component):
            mark = {True: "x", False: " ", None: "?"}[met]
            out.append(f"  - [{mark}] {md(condition)}")
    return out
