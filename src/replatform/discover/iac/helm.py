"""Helm charts: recognised, reported once, and read where their values are literal.

A chart's ``templates/*.yaml`` are Go templates, not YAML: they are never parsed
as manifests (that would only produce parse errors). Each chart (a folder with
``Chart.yaml``) gets one info finding, and its ``values.yaml`` is read for the
``image`` and ``nodeSelector`` a chart conventionally takes, as one workload.
"""

from __future__ import annotations

import posixpath

from replatform.discover.iac.kubernetes import ARCH_LABELS
from replatform.discover.result import ParseResult
from replatform.discover.source import SourceFile
from replatform.discover.tree import Node, yaml_or_parse_error
from replatform.model import Attribute, ComponentKind, Finding, LinkKind, Severity, TargetKind

RULE = "helm-template"
CHART_FILES = ("Chart.yaml", "Chart.yml", "values.yaml", "values.yml")


def chart_of(path: str, charts: set[str]) -> str | None:
    """The chart folder a file belongs to (its Chart.yaml, values files or templates), if any."""
    directory = posixpath.dirname(path)
    if posixpath.basename(path) in CHART_FILES:
        return directory if directory in charts else None
    parts = path.split("/")[:-1]
    for index in range(len(parts) - 1, -1, -1):  # the nearest templates/ folder whose parent is a chart
        if parts[index] == "templates":
            chart = "/".join(parts[:index])
            if chart in charts:
                return chart
    return None


def is_template(source: SourceFile) -> bool:
    """A file under templates/ that uses template directives (plain YAML there is parsed as usual)."""
    return "/templates/" in f"/{source.path}" and b"{{" in source.data


def _load(source: SourceFile, result: ParseResult) -> Node | None:
    documents = yaml_or_parse_error(source, result)
    return documents[0] if documents and isinstance(documents[0].value, dict) else None


def parse_chart(chart: str, files: list[SourceFile], templates: int) -> ParseResult:
    """One chart: the info finding, and a workload from the literal values."""
    result = ParseResult()
    by_name = {posixpath.basename(s.path): s for s in files}
    chart_file = by_name.get("Chart.yaml") or by_name.get("Chart.yml")
    if chart_file is None:
        return result
    meta = _load(chart_file, result)
    name_node = meta.get("name") if meta is not None else None
    name = (name_node.text() if name_node is not None else None) or chart or "."
    app_version = meta.get("appVersion") if meta is not None else None
    values_file = by_name.get("values.yaml") or by_name.get("values.yml")
    values = _load(values_file, result) if values_file is not None else None
    read = f"; values read from {values_file.path}" if values_file is not None else ""
    result.findings.append(
        Finding(
            rule_id=RULE,
            severity=Severity.INFO,
            message=f"Helm chart {name} ({chart or '.'}/): {templates} template(s) not evaluated{read}",
            location=chart_file.location_of_line(1),
            subject=chart or ".",
        )
    )
    if values is None:
        return result
    attributes = [Attribute("workload_kind", "HelmChart", None)]
    for label in ARCH_LABELS:
        selector = values.get("nodeSelector", label)
        if selector is not None and selector.scalar is not None:
            attributes.append(Attribute("node_selector_arch", str(selector.scalar), selector.location))
            break
    workload = result.add(ComponentKind.K8S_WORKLOAD, f"HelmChart/{name}", values.location, attributes)
    image = values.get("image")
    if image is None:
        return result
    reference = None
    if isinstance(image.value, dict):
        repository, tag = image.get("repository"), image.get("tag")
        tag_text = tag.text() if tag is not None and tag.text() else None
        if tag_text is None and app_version is not None:
            tag_text = app_version.text()
        if repository is not None and repository.text():
            reference = f"{repository.text()}:{tag_text}" if tag_text else repository.text()
    elif image.text():
        reference = image.text()
    if reference:
        container = result.add(
            ComponentKind.CONTAINER_IMAGE,
            reference,
            image.location,
            [Attribute("image", reference, image.location)],
            workload.id,
        )
        result.link(LinkKind.RUNS_IMAGE, container, reference, image.location, "values.yaml image", TargetKind.IMAGE)
    return result
