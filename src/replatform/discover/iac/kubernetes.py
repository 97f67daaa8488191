"""Kubernetes manifests -> workloads with their arch constraints and images.

Reads ``nodeSelector`` and required node affinity on ``kubernetes.io/arch``
(and the deprecated ``beta.kubernetes.io/arch``), replicas, and the first
container's resources; every container image becomes a child component.
"""

from __future__ import annotations

from replatform.discover.result import ParseResult
from replatform.discover.source import SourceFile
from replatform.discover.tree import Node
from replatform.model import Attribute, ComponentKind, LinkKind, TargetKind, Unknown

WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod", "ReplicationController"}
ARCH_LABELS = ("kubernetes.io/arch", "beta.kubernetes.io/arch")


def is_manifest(document: Node) -> bool:
    """Has ``apiVersion`` and ``kind`` like every Kubernetes object."""
    return document.get("apiVersion") is not None and document.get("kind") is not None


def _pod_spec(document: Node, kind: str) -> Node | None:
    if kind == "Pod":
        return document.get("spec")
    if kind == "CronJob":
        return document.get("spec", "jobTemplate", "spec", "template", "spec")
    return document.get("spec", "template", "spec")


def extract(source: SourceFile, document: Node, result: ParseResult) -> None:
    """Add the workload in one manifest document (Lists are unpacked)."""
    kind = document.get("kind")
    kind_text = kind.text() if kind is not None else None
    if kind_text == "List":
        for item in (document.get("items") or Node([], document.location)).elements():
            extract(source, item, result)
        return
    if kind_text not in WORKLOADS:
        return
    name_node = document.get("metadata", "name")
    name = f"{kind_text}/{name_node.text() if name_node is not None else '?'}"
    spec = _pod_spec(document, kind_text)
    attributes = [Attribute("workload_kind", kind_text, None)]
    replicas = document.get("spec", "replicas")
    if replicas is not None and replicas.scalar is not None:
        attributes.append(Attribute("replicas", replicas.scalar, replicas.location))
    if spec is not None:
        for label in ARCH_LABELS:
            selector = spec.get("nodeSelector", label)
            if selector is not None and selector.literal() is not None:
                attributes.append(Attribute("node_selector_arch", selector.literal() or "", selector.location))
                break
        terms = spec.get(
            "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"
        )
        for term in terms.elements() if terms is not None else []:
            for expression in (term.get("matchExpressions") or Node([], term.location)).elements():
                key = expression.get("key")
                if key is not None and key.text() in ARCH_LABELS:
                    values = expression.get("values")
                    operator = expression.get("operator")
                    arches = tuple(str(e.scalar) for e in values.elements()) if values is not None else ()
                    attributes.append(Attribute("affinity_arch", arches, expression.location))
                    if operator is not None and operator.text():
                        attributes.append(Attribute("affinity_operator", operator.text() or "", None))
        containers = list((spec.get("containers") or Node([], spec.location)).elements())
        if containers:
            for resource, label in (("requests", "cpu_request"), ("limits", "cpu_limit")):
                cpu = containers[0].get("resources", resource, "cpu")
                if cpu is not None and cpu.scalar is not None:
                    attributes.append(Attribute(label, cpu.scalar, cpu.location))
    component = result.add(ComponentKind.K8S_WORKLOAD, name, document.location, attributes)
    for group in ("initContainers", "containers"):
        group_node = spec.get(group) if spec is not None else None
        for container in group_node.elements() if group_node is not None else []:
            image = container.get("image")
            if image is None or image.literal() is None:
                continue
            value = image.literal()
            assert value is not None
            image_component = result.add(
                ComponentKind.CONTAINER_IMAGE,
                str(image.text() or value),
                image.location,
                [Attribute("image", value, image.location)],
                component.id,
            )
            reference = value if isinstance(value, Unknown) else str(value)
            written = str(image.text() or value)
            result.link(LinkKind.RUNS_IMAGE, image_component, reference, image.location, written, TargetKind.IMAGE)
