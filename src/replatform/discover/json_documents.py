"""Every other ``*.json``/``*.template`` file: CloudFormation JSON templates and
ECS task-definition JSON (as ``aws ecs register-task-definition`` takes it).
"""

from __future__ import annotations

from replatform.discover import compute_vocabulary as v
from replatform.discover.iac import cloudformation
from replatform.discover.result import ParseResult
from replatform.discover.source import SourceFile
from replatform.discover.tree import Node, json_or_parse_error
from replatform.model import Attribute, ComponentKind

_SIGNALS = (b'"AWSTemplateFormatVersion"', b'"AWS::', b'"containerDefinitions"')
_TASK_FIELDS = {
    "cpu": v.CPU,
    "memory": v.MEMORY_MB,
    "requiresCompatibilities": v.COMPATIBILITIES,
    "runtimePlatform.cpuArchitecture": v.ARCHITECTURE,
    "runtimePlatform.operatingSystemFamily": v.OS_FAMILY,
    "networkMode": "network_mode",
}
_VOLUME_FIELDS = {
    "host.sourcePath": "volume_host_path",
    "efsVolumeConfiguration.fileSystemId": "volume_efs",
    "dockerVolumeConfiguration.scope": "volume_docker_scope",
}


def parse(source: SourceFile) -> ParseResult:
    result = ParseResult()
    if not any(signal in source.data for signal in _SIGNALS):
        return result
    document = json_or_parse_error(source, result)
    if document is None or not isinstance(document.value, dict):
        return result
    if cloudformation.is_template(document):
        cloudformation.extract(source, document, result)
    elif document.get("containerDefinitions") is not None:
        _task_definition(source, document, result)
    return result


def _task_definition(source: SourceFile, document: Node, result: ParseResult) -> None:
    family = document.get("family")
    attributes = [Attribute("resource_type", "task-definition-json", None)]
    for path, canonical in _TASK_FIELDS.items():
        node = document.get(*path.split("."))
        if node is None:
            continue
        if isinstance(node.value, list):
            attributes.append(Attribute(canonical, tuple(str(e.scalar) for e in node.elements()), node.location))
        elif node.literal() is not None:
            value = node.literal()
            assert value is not None
            attributes.append(Attribute(canonical, value, node.location))
    for volume in (document.get("volumes") or Node([], document.location)).elements():
        for path, canonical in _VOLUME_FIELDS.items():
            node = volume.get(*path.split("."))
            if node is not None and node.scalar is not None and all(a.name != canonical for a in attributes):
                attributes.append(Attribute(canonical, node.scalar, node.location))
    name = (family.text() if family is not None else None) or source.name
    component = result.add(ComponentKind.ECS_TASK_DEFINITION, name, document.location, attributes)
    for container in (document.get("containerDefinitions") or Node([], document.location)).elements():
        cloudformation.add_container(result, container, component)
