"""Every ``*.yml``/``*.yaml`` file: parse once, then hand each document to the
format it turns out to be (CloudFormation/SAM, Kubernetes, compose, CI,
Serverless). Files that are none of these yield nothing.
"""

from __future__ import annotations

from replatform.discover import ci, cloudformation, compose, kubernetes, serverless
from replatform.discover.result import ParseResult
from replatform.discover.source import SourceFile
from replatform.discover.tree import YamlParseError, load_yaml_documents

# Cheap text checks so unrelated YAML (docs, configs) is not fully parsed.
_SIGNALS = (
    b"Resources",
    b"AWSTemplateFormatVersion",
    b"apiVersion",
    b"services",
    b"jobs",
    b"phases",
    b"provider",
    b"script",
)


def parse(source: SourceFile) -> ParseResult:
    result = ParseResult()
    if not any(signal in source.data for signal in _SIGNALS):
        return result
    try:
        documents = load_yaml_documents(source)
    except YamlParseError as exc:
        result.parse_error(source, str(exc), source.location_of_line(exc.line))
        return result
    for document in documents:
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
