"""Every ``*.yml``/``*.yaml`` file: parse once, then hand each document to the
format it turns out to be (CloudFormation/SAM, Kubernetes, compose, CI,
Serverless). Files that are none of these yield nothing.
"""

from __future__ import annotations

import re

from replatform.discover.iac import ci, cloudformation, compose, kubernetes, serverless
from replatform.discover.result import ParseResult
from replatform.discover.source import SourceFile
from replatform.discover.tree import yaml_or_parse_error

_WORKLOAD_KINDS = (
    b"Deployment",
    b"StatefulSet",
    b"DaemonSet",
    b"Job",
    b"Pod",
    b"ReplicaSet",
    b"ReplicationController",
    b"List",
)


# What ci.py extracts, loosened to hold across YAML line folding and shell continuations.
_IMAGE_BUILD = re.compile(
    rb"build-push-action|(?:docker|podman)[\s\\]+(?:buildx[\s\\]+build|build|image[\s\\]+build)\b"
)


def worth_parsing(source: SourceFile) -> bool:
    """Cheap checks on name and bytes, so unrelated YAML (docs, configs) is never fully parsed."""
    path, name, data = f"/{source.path}", source.name, source.data
    if name.startswith(("serverless.", "docker-compose", "compose.")):
        return True
    if ("/.github/workflows/" in path or name.startswith((".gitlab-ci", "buildspec"))) and _IMAGE_BUILD.search(data):
        return True  # CI: only image builds are read (see ci.py), so only files that mention one are parsed
    if b"AWSTemplateFormatVersion" in data or b"AWS::" in data:
        return True
    return b"apiVersion" in data and b"kind" in data and any(kind in data for kind in _WORKLOAD_KINDS)


def parse(source: SourceFile) -> ParseResult:
    result = ParseResult()
    if not worth_parsing(source):
        return result
    for document in yaml_or_parse_error(source, result) or []:
        if not isinstance(document.value, dict):
            continue
        system = ci.kind_of(source, document)
        if system is not None:
            ci.extract(source, document, system, result)
        elif cloudformation.is_template(document):
            cloudformation.extract(source, document, result)
        elif serverless.is_serverless(source, document):
            serverless.extract(source, document, result)
        elif compose.is_compose(source, document):
            compose.extract(source, document, result)
        elif kubernetes.is_manifest(document):
            kubernetes.extract(source, document, result)
    return result
