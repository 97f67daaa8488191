"""The JSON report: the documented contract (``schemas/report.schema.json``)."""

from __future__ import annotations

from typing import Any

from replatform import __version__
from replatform.model import (
    AttributeValue,
    Component,
    Finding,
    Link,
    Location,
    QueueConsumer,
    Report,
    Unknown,
    WorkerSummary,
)
from replatform.report.json_text import pretty

SCHEMA_VERSION = "1.0"


def _value(value: AttributeValue) -> Any:
    if isinstance(value, Unknown):
        return {"unknown": value.expression}
    if isinstance(value, tuple):
        return [_value(item) for item in value]
    return value


def _span(location: Location) -> dict[str, int]:
    return {
        "line": location.line,
        "column": location.column,
        "end_line": location.end_line,
        "end_column": location.end_column,
        "start_byte": location.start_byte,
        "end_byte": location.end_byte,
    }


def component_to_dict(component: Component) -> dict[str, Any]:
    """One component as the contract describes it."""
    data: dict[str, Any] = {
        "id": component.id,
        "kind": component.kind.value,
        "name": component.name,
        "path": component.location.path,
        "line": component.location.line,
        "span": _span(component.location),
        "attributes": {a.name: _value(a.value) for a in component.attributes},
        "attribute_locations": {
            a.name: {"path": a.location.path, **_span(a.location)} for a in component.attributes if a.location
        },
    }
    if component.parent:
        data["parent"] = component.parent
    if not component.deployed:
        data["deployed"] = False
        data["not_deployed"] = component.not_deployed
    return data


def link_to_dict(link: Link) -> dict[str, Any]:
    """One link as the contract describes it (an unresolved target is ``{"unknown": expression}``)."""
    data: dict[str, Any] = {
        "kind": link.kind.value,
        "source": link.source,
        "target": _value(link.target),
        "target_kind": link.target_kind.value,
        "expression": link.expression,
        "path": link.location.path,
        "line": link.location.line,
        "span": _span(link.location),
    }
    if link.attributes:
        data["attributes"] = {a.name: _value(a.value) for a in link.attributes}
    return data


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    """One finding as the contract describes it."""
    data: dict[str, Any] = {
        "rule_id": finding.rule_id,
        "severity": finding.severity.value,
        "message": finding.message,
        "path": finding.location.path,
        "line": finding.location.line,
        "subject": finding.subject,
        "fingerprint": finding.fingerprint,
        "references": list(finding.references),
        "confidence": finding.confidence.value,
        "count": finding.count,
    }
    if finding.fix is not None:
        data["fix"] = finding.fix.description
    if finding.baseline is not None:
        data["baseline"] = finding.baseline.value
    return data


def _place(location: Location | None) -> dict[str, Any] | None:
    return None if location is None else {"path": location.path, "line": location.line}


def _number(value: int | Unknown | None) -> Any:
    return _value(value) if value is not None else None


def _consumer(consumer: QueueConsumer) -> dict[str, Any]:
    return {
        "receive": _place(consumer.receive),
        "wait_time_seconds": _number(consumer.wait_time_seconds),
        "visibility_timeout": _number(consumer.visibility_timeout),
        "deletes": [_place(d) for d in consumer.deletes],
        "deletes_before_processing": consumer.deletes_before_processing,
        "heartbeats": [_place(h) for h in consumer.heartbeats],
        "queue": consumer.queue,
        "queue_visibility_timeout": _number(consumer.queue_visibility_timeout),
        "queue_receive_wait_seconds": _number(consumer.queue_receive_wait_seconds),
        "max_receive_count": _number(consumer.max_receive_count),
    }


def worker_to_dict(worker: WorkerSummary) -> dict[str, Any]:
    """One container's SIGTERM handling and SQS use, as the contract describes it."""
    return {
        "component": worker.component,
        "container": worker.container,
        "entry_point": _place(worker.entry_point),
        "command": list(worker.command),
        "handles_sigterm": worker.handles_sigterm,
        "sigterm": _place(worker.sigterm),
        "reason": worker.reason,
        "consumers": [_consumer(c) for c in worker.consumers],
        "files_read": worker.files_read,
        "handler": worker.handler,
    }


def report_to_dict(report: Report) -> dict[str, Any]:
    """The whole report as plain data."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "replatform", "version": __version__},
        "root": report.root,
        "files_scanned": report.files_scanned,
        "components": [component_to_dict(c) for c in report.components],
        "links": [link_to_dict(link) for link in report.links],
        "findings": [finding_to_dict(f) for f in report.findings],
        "errors": [{"path": e.path, "message": e.message} for e in report.errors],
        **({"baseline": _baseline(report)} if report.baseline is not None else {}),
        **({"workers": [worker_to_dict(w) for w in report.workers]} if report.workers else {}),
    }


def _baseline(report: Report) -> dict[str, Any]:
    """The comparison with ``--baseline``: counts, and the findings fixed since."""
    from replatform.report.baseline import counts  # baseline.py reads findings in this module's shape

    assert report.baseline is not None
    numbers = counts(report)
    return {
        "source": report.baseline.source,
        "new": numbers["new"],
        "unchanged": numbers["unchanged"],
        "fixed": [finding_to_dict(f) for f in report.baseline.fixed],
    }


class JsonReporter:
    """Pretty, key-sorted JSON so reports diff cleanly."""

    def render(self, report: Report, *, color: bool = False) -> str:
        return pretty(report_to_dict(report)) + "\n"
